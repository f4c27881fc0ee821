"""50 lines must feel instant: the queries of a check do not grow with the number of lines."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from pipit.testing import factories

URL = "/shop/p/quick_order/"


def mixed_lines(count: int, skus: list[str]) -> str:
    kinds = [
        lambda n: f"{skus[n % len(skus)]} {1 + n % 3}",  # known (some repeat: merged)
        lambda n: "16546-JG30A 1",  # out of stock, with analogs
        lambda n: f"UNKNOWN-{n:05d} 1",  # unknown
        lambda n: "15208-65F0F 2",  # look-alike of a real SKU
        lambda n: f"{skus[n % len(skus)]};2,5",  # bad quantity
    ]
    return "\n".join(kinds[n % len(kinds)](n) for n in range(count))


def queries_for(client, text: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"text": text, "action": "check"})
    assert response.status_code == 200
    assert response.context["result"].lines
    return len(queries)


def test_query_count_is_the_same_for_5_and_50_lines(buyer_client, enabled, catalog, storefront):
    skus = ["15208-65F0E", "C 2029", "DDF-2000"]
    for n in range(20):
        factories.product(storefront, f"Part {n}", sku=f"PART-{n:03d}", stock={"main": 50})
        skus.append(f"PART-{n:03d}")
    queries_for(buyer_client, mixed_lines(5, skus))  # the SKU list for suggestions is cached
    five = queries_for(buyer_client, mixed_lines(5, skus))
    fifty = queries_for(buyer_client, mixed_lines(50, skus))
    # Fifty lines cost no more than five. (They may cost one less: when every analog is also a
    # line of the list, its price is already loaded.)
    assert fifty <= five <= fifty + 1
    assert five <= 30, five


def test_bench_command_reports_time_and_equal_query_counts(
    storefront, buyer, enabled, catalog, settings
):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench_quick_order", host="alpha.test", sizes="20,200", repeat=2, stdout=out)
    report = out.getvalue()
    assert "quick order check on alpha.test" in report
    assert "query count over list sizes: constant" in report, report
