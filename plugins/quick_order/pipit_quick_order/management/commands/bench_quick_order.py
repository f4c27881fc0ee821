"""``manage.py bench_quick_order`` (run by ``manage.py bench`` / ``make bench``): how long a buyer
waits for a quick order check of 50 and 500 pasted lines, and how many queries it costs.

Runs against the current database (the demo: a storefront where quick order is on, by default
autoparts.localhost) through Django's test client, signed in as a buyer of that storefront. The
lists mix what buyers paste: SKUs in stock (some twice), out-of-stock SKUs, unknown codes and
typos of real SKUs. Nothing is written: the check only reads.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pipit.catalog.queries import in_stock_condition, purchasable_for_storefront
from pipit.companies.models import CompanyMember
from pipit.plugins.models import is_enabled
from pipit.tenancy.models import Storefront

from pipit_quick_order.matching import sku_index
from pipit_quick_order.views import limits_for

URL = "/shop/p/quick_order/"
_STATUS = re.compile(r'class="qo-line qo-line--(\w+)')


class Command(BaseCommand):
    help = "Time and count the queries of a quick order check of 50 and 500 pasted lines."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="autoparts.localhost")
        parser.add_argument("--sizes", default="50,500", help="Line counts, comma-separated.")
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, host: str, sizes: str, repeat: int, **options):
        storefront = self.storefront(host)
        if storefront is None:
            return
        member = (
            CompanyMember.objects.filter(
                company__storefront=storefront, company__is_active=True, user__is_active=True
            )
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if member is None:
            self.stdout.write(f"quick order: no buyer on {storefront.site.hostname}; skipped")
            return
        client = Client(HTTP_HOST=storefront.site.hostname)
        client.force_login(member.user, backend="pipit.companies.auth.StorefrontEmailBackend")
        codes = self.codes(storefront)
        limit = limits_for(storefront).max_lines
        self.stdout.write(
            f"quick order check on {storefront.site.hostname} as {member.user.email}, "
            f"database={connection.vendor}, {repeat} requests per size"
        )
        self.stdout.write(
            f"{'lines':>6} {'status':>6} {'queries':>7} {'median ms':>9} {'max ms':>7}  statuses"
        )
        counts = []
        for size in [int(s) for s in sizes.split(",") if s.strip()]:
            if size > limit:
                self.stdout.write(f"{size:>6}  skipped: the storefront's limit is {limit} lines")
                continue
            text = pasted_lines(size, codes)
            client.post(URL, {"text": text})  # warm the SKU list cache and the templates
            timings, queries, response = [], 0, None
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.post(URL, {"text": text})
                    timings.append((time.perf_counter() - start) * 1000)
                queries = len(captured)
            statuses = Counter(_STATUS.findall(response.content.decode()))
            counts.append(queries)
            summary = ", ".join(f"{n} {status}" for status, n in statuses.most_common())
            self.stdout.write(
                f"{size:>6} {response.status_code:>6} {queries:>7} "
                f"{statistics.median(timings):>9.1f} {max(timings):>7.1f}  {summary}"
            )
        if len(counts) > 1:
            verdict = "constant" if len(set(counts)) == 1 else "NOT constant"
            self.stdout.write(f"query count over list sizes: {verdict} ({counts})")

    def storefront(self, host: str) -> Storefront | None:
        storefront = Storefront.objects.select_related("site").filter(site__hostname=host).first()
        if storefront is None or not is_enabled(storefront, "quick_order"):
            # Any demo storefront that switched quick order on will do.
            storefront = next(
                (
                    sf
                    for sf in Storefront.objects.select_related("site").order_by("pk")
                    if is_enabled(sf, "quick_order")
                ),
                None,
            )
        if storefront is None:
            self.stdout.write("quick order: switched on nowhere (load the demo first); skipped")
        return storefront

    def codes(self, storefront: Storefront) -> dict[str, list[str]]:
        """SKUs of the storefront's products in stock and out of stock."""
        out_ids = set(
            purchasable_for_storefront(storefront)
            .exclude(in_stock_condition(storefront))
            .values_list("pk", flat=True)
        )
        in_stock, out = [], []
        for _key, code, product_id in sku_index(storefront):
            (out if product_id in out_ids else in_stock).append(code)
        return {"in_stock": in_stock or ["NONE"], "out": out or in_stock or ["NONE"]}


def pasted_lines(size: int, codes: dict[str, list[str]]) -> str:
    """``size`` lines: 7 in 10 SKUs in stock (written with spaces or in lower case now and then),
    1 out of stock, 1 unknown code, 1 typo of a real SKU."""
    in_stock, out = codes["in_stock"], codes["out"]
    lines = []
    for n in range(size):
        kind = n % 10
        if kind < 7:
            code = in_stock[n % len(in_stock)]
            code = code.lower() if n % 4 == 1 else code
            lines.append(f"{code}\t{1 + n % 3}")
        elif kind == 7:
            lines.append(f"{out[n % len(out)]}; 1")
        elif kind == 8:
            lines.append(f"ZZ-{n:05d} 2")
        else:
            code = in_stock[(n * 7) % len(in_stock)]
            lines.append(f"{code[:-1]}{'X' if code[-1:] != 'X' else 'Y'}, 1")
    return "\n".join(lines)
