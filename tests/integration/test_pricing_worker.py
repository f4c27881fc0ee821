"""Publishing a rule recompiles prices on a real Celery worker (PostgreSQL and Redis): the buyer
sees the new price once the worker is done, and the old one until then, never a mix."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from pipit.pricing.models import EffectivePrice, PriceRule
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db(transaction=True)


def prices(sf, user, products) -> set[Decimal]:
    strategy = StorefrontStrategy(storefront=sf, user=user)
    strategy.prime(products)
    return {strategy.fetch_for_product(p).price.excl_tax for p in products}


def test_a_published_rule_reaches_the_buyer_through_the_worker(
    celery_worker_process, storefront, company, buyer
):
    products = [factories.product(storefront, f"Item {n}", price="200.00") for n in range(40)]
    first = PriceRule(storefront=storefront, name="Opening 5%", action="percent_off", value=5)
    first.save()
    first.save_revision().publish()  # the worker compiles after the commit
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not EffectivePrice.objects.exists():
        time.sleep(0.1)
    assert prices(storefront, buyer, products) == {Decimal("190.00")}

    rule = PriceRule(
        storefront=storefront,
        name="Autumn 10%",
        action="percent_off",
        value=10,
        priority=5,
        stacking="cumulative",
    )
    rule.save()
    rule.save_revision().publish()
    seen = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = prices(storefront, buyer, products)
        seen.add(frozenset(now))
        if now == {Decimal("171.00")}:
            break
        time.sleep(0.05)
    assert prices(storefront, buyer, products) == {Decimal("171.00")}
    # Every read saw the whole page at the old prices or at the new ones.
    assert seen <= {frozenset({Decimal("190.00")}), frozenset({Decimal("171.00")})}
