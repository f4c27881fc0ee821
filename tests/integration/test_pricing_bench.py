"""The pricing benchmark and the recovery rebuild, at a tiny scale: every figure is printed.

Speed itself is measured by ``make bench`` (``manage.py bench_pricing``), never asserted here.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from pipit.pricing.bench import CODE
from pipit.pricing.models import EffectivePrice, PriceRule
from pipit.tenancy.models import Storefront
from pipit.testing import factories

# Real commits: publishing a rule recompiles after its transaction commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def bench(*args: str) -> str:
    out = io.StringIO()
    call_command("bench_pricing", *args, stdout=out)
    return out.getvalue()


def test_the_benchmark_prints_every_figure_with_its_target_and_drops_its_data():
    output = bench("--scale", "0.005", "--requests", "3")

    assert re.search(r"data set: built in [\d.]+ s", output), output
    assert re.search(
        r"\(a\) full rebuild: [\d,]+ effective prices .* in [\d.]+ s = [\d,]+ effective prices/s; target >= 50,000/s: (PASS|FAIL)",
        output,
    ), output
    assert re.search(
        r"\(b\) publish to visible: [\d.]+ s for a rule on 10 products .*target <= 2 s: (PASS|FAIL)",
        output,
    ), output
    assert "NEW PRICE NOT SEEN" not in output
    assert re.search(
        r"\(c\) category page: median [\d.]+ ms, p95 [\d.]+ ms over 3 requests \(HTTP 200", output
    ), output
    assert re.search(r"target p95 < 50 ms: (PASS|FAIL)", output), output
    # The query count does not grow with the page size: a behaviour, not a timing.
    assert re.search(
        r"SQL queries: (\d+) at 24 products a page, \1 at 48; target equal: PASS", output
    ), output
    assert "data set dropped" in output
    assert not Storefront.objects.filter(code=CODE).exists()
    assert not EffectivePrice.objects.exists()


def test_a_kept_data_set_is_reused_by_the_next_run():
    first = bench("--scale", "0.005", "--requests", "1", "--keep")
    assert "built in" in first
    rules = PriceRule.objects.filter(storefront__code=CODE, live=True).count()

    second = bench("--scale", "0.005", "--requests", "1")

    assert "reused from an earlier run" in second
    assert "data set dropped" not in second
    # The second run published the benchmark's rule again, with another value.
    assert PriceRule.objects.filter(storefront__code=CODE, live=True).count() == rules
    assert re.search(r"\(b\) publish to visible: .*-> ", second)


def test_rebuild_prices_reports_rows_and_rate_per_storefront(storefront):
    other = factories.storefront("beta")
    for sf in (storefront, other):
        factories.product(sf, price="10.00")
    out = io.StringIO()

    call_command("rebuild_prices", "--all", stdout=out)

    lines = out.getvalue().splitlines()
    assert re.match(
        r"alpha: 1 effective prices for 1 products in [\d.]+ s \([\d,]+ rows/s\)", lines[0]
    ), lines
    assert lines[1].startswith("beta: 1 effective prices")
    assert re.match(r"total: 2 rows in [\d.]+ s", lines[2])
    assert EffectivePrice.objects.filter(storefront_id=other.pk).count() == 1


def test_rebuild_prices_needs_known_storefront_codes(storefront):
    with pytest.raises(CommandError, match="Unknown storefront code"):
        call_command("rebuild_prices", "nowhere", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("rebuild_prices", stdout=io.StringIO())
