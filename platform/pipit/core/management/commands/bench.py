"""Print server time and SQL query counts for the hot pages of every storefront.

Then runs every installed management command named ``bench_*`` (a plugin's own benchmark, such as
the quick order's). Runs against the current database (load the demo first) through Django's test client, so it
measures Pipit's own work (middleware, views, templates, queries), not the network.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pipit.catalog.queries import categories_for_storefront, products_for_storefront
from pipit.companies.models import CompanyMember
from pipit.tenancy.models import Storefront


class Command(BaseCommand):
    help = (
        "Print server-time and query figures for hot pages (home, category, product, search, cart)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, repeat: int, **options):
        rows = []
        for sf in Storefront.objects.select_related("site"):
            client = Client(HTTP_HOST=sf.site.hostname)
            member = (
                CompanyMember.objects.filter(company__storefront=sf).select_related("user").first()
            )
            if member:
                client.force_login(
                    member.user, backend="pipit.companies.auth.StorefrontEmailBackend"
                )
            category = (
                categories_for_storefront(sf).filter(depth__gt=1).order_by("path").first()
                or categories_for_storefront(sf).first()
            )
            product = products_for_storefront(sf).order_by("pk").first()
            pages = [("home", "/")]
            if category:
                pages.append(("category", category.get_absolute_url()))
            if product:
                pages.append(("product", product.get_absolute_url()))
                pages.append(("search", f"/shop/search/?q={product.title.split()[0]}"))
            pages.append(("cart", "/shop/basket/"))
            for name, url in pages:
                client.get(url)  # warm caches and template compilation
                timings = []
                for _ in range(repeat):
                    with CaptureQueriesContext(connection) as queries:
                        start = time.perf_counter()
                        response = client.get(url)
                        timings.append((time.perf_counter() - start) * 1000)
                rows.append(
                    (
                        sf.code,
                        name,
                        response.status_code,
                        len(queries),
                        statistics.median(timings),
                        max(timings),
                        url,
                    )
                )
        self.stdout.write(
            f"{'storefront':<12} {'page':<9} {'status':>6} {'queries':>7} {'median ms':>9} "
            f"{'max ms':>7}  url"
        )
        for code, name, status, nq, median, worst, url in rows:
            self.stdout.write(
                f"{code:<12} {name:<9} {status:>6} {nq:>7} {median:>9.1f} {worst:>7.1f}  {url}"
            )
        users = get_user_model().objects.count()
        self.stdout.write(
            f"\n{repeat} requests per page, database={connection.vendor}, users={users}"
        )
        # Installed apps (plugins among them) add their own benchmarks as commands named bench_*.
        for command in sorted(name for name in get_commands() if name.startswith("bench_")):
            self.stdout.write(f"\n== {command}")
            call_command(command, stdout=self.stdout, stderr=self.stderr)
