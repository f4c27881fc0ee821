"""``manage.py bench_pricing`` (run by ``manage.py bench`` / ``make bench``): the pricing engine's
figures against the targets of the pricing issue.

Builds, in the configured database, the storefront ``bench-pricing`` (24,000 products, 500
companies, 600,000 contract prices, 200 rules; see :mod:`pipit.pricing.bench`), or reuses it when
a previous run kept it, then prints:

(a) the full rebuild time and effective prices written per second;
(b) the time from publishing a rule that reaches 1,000 products to a buyer's strategy showing the
    new price;
(c) a category page's server time (median, p95) for a buyer with contract prices, and its query
    count at 24 and 48 products a page.

A data set built by the run is dropped at the end unless ``--keep``; one found in the database is
left there.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from pipit.pricing import bench


class Command(BaseCommand):
    help = "Pricing benchmark: full rebuild rate, publish-to-visible time, category page time."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Fraction of the full data set (1 = 24,000 products, 600,000 contract prices).",
        )
        parser.add_argument(
            "--rebuild-data", action="store_true", help="Drop the data set and build it again."
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep a data set built by this run, for the next run to reuse.",
        )
        parser.add_argument(
            "--requests",
            type=int,
            default=200,
            help="Category page requests timed (a p95 over 200: the 190th).",
        )

    def handle(self, *args, scale: float, rebuild_data: bool, keep: bool, requests: int, **opts):
        if not 0 < scale <= 1:
            raise CommandError("--scale must be above 0 and at most 1")
        if requests < 1:
            raise CommandError("--requests must be at least 1")
        write = self.stdout.write
        sizes = bench.Sizes.at(scale)
        write(
            f"pricing benchmark: database={connection.vendor}, scale={scale:g} "
            f"({sizes.products:,} products, {sizes.companies:,} companies, "
            f"{sizes.contract_prices:,} contract prices, {sizes.rules:,} rules)"
        )
        if scale < 1:
            write("  (a reduced data set: the targets are set for scale 1)")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        if load is not None:
            write(f"  machine load {load:.1f} on {os.cpu_count()} CPUs (timings grow with it)")
        data = bench.ensure_dataset(sizes, rebuild=rebuild_data, log=lambda s: write("  " + s))
        counts = data.counts
        how = (
            f"built in {data.build_seconds:.1f} s"
            if data.build_seconds is not None
            else "reused from an earlier run (--rebuild-data builds it again)"
        )
        write(
            f"data set: {how} — storefront {bench.CODE} at {data.storefront.site.hostname}: "
            f"{counts['products']:,} priced products ({counts['products'] - counts['variants']:,} "
            f"stand-alone, {counts['variants']:,} variants of {counts['parents']:,} parents), "
            f"{counts['companies']:,} companies in 3 customer groups, "
            f"{counts['contract_prices']:,} contract prices, {counts['list_rows']:,} base and "
            f"group list rows, {counts['rules']:,} published rules"
        )
        try:
            self.figures(data, requests)
        finally:
            if data.build_seconds is not None and not keep:
                seconds = bench.drop_dataset()
                write(f"data set dropped in {seconds:.1f} s (--keep keeps it for the next run)")

    def figures(self, data: bench.Dataset, requests: int) -> None:
        write = self.stdout.write
        result = bench.measure_rebuild(data.storefront)
        rate = result.per_second
        write(
            f"(a) full rebuild: {result.rows:,} effective prices for {result.products:,} products "
            f"in {result.seconds:.2f} s = {rate:,.0f} effective prices/s; "
            f"target >= {bench.TARGET_RATE:,}/s: {bench.verdict(rate >= bench.TARGET_RATE)}"
        )
        if result.phases:
            write(
                "    "
                + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.phases.items())
            )
        if result.worker_cpu:
            cpu = ", ".join(f"{seconds:.1f} s" for seconds in result.worker_cpu)
            write(f"    forked workers' CPU time: {cpu}")

        published = bench.measure_publish(data)
        how = (
            "tasks run in-process"
            if published.mode == "eager"
            else "a Celery worker recompiles; the buyer's resolver polled"
        )
        ok = published.seen and published.seconds <= bench.TARGET_PUBLISH_SECONDS
        write(
            f"(b) publish to visible: {published.seconds:.2f} s for a rule on "
            f"{published.products:,} products ({how}; {published.changed:,} prices changed for "
            f"the buyer, e.g. product {published.product_id}: "
            f"{published.before} -> {published.after}"
            f"{'' if published.seen else ', NEW PRICE NOT SEEN'}); "
            f"target <= {bench.TARGET_PUBLISH_SECONDS:g} s: {bench.verdict(ok)}"
        )

        page = bench.measure_category_page(data, requests)
        write(
            f"(c) category page: median {page.median_ms:.1f} ms, p95 {page.p95_ms:.1f} ms over "
            f"{page.requests} requests (HTTP {page.status}, {page.products:,} products in the "
            f"category, buyer with contract prices, {page.url}); "
            f"target p95 < {bench.TARGET_PAGE_P95_MS:g} ms: "
            f"{bench.verdict(page.status == 200 and page.p95_ms < bench.TARGET_PAGE_P95_MS)}"
        )
        if page.cached_templates_swapped or page.debug_switched_off:
            write(
                "    (served as the production settings serve it: cached template loader, "
                "DEBUG off; these settings recompile templates and keep every query's SQL)"
            )
        write(
            f"    right after a catalog change (the listing's ids and facets read again, "
            f"{page.uncached_queries} queries): median {page.uncached_median_ms:.1f} ms, "
            f"p95 {page.uncached_p95_ms:.1f} ms"
        )
        q24, q48 = page.queries[24], page.queries[48]
        write(
            f"    SQL queries: {q24} at 24 products a page, {q48} at 48; "
            f"target equal: {bench.verdict(q24 == q48)}"
        )
