"""Large compiles on PostgreSQL fork workers: their rows must be exactly the single process's,
and a worker's failure must leave the old prices in place."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from pipit.pricing import compiler
from pipit.pricing.compiler import CompileWorkerError, Scope, compile_prices
from pipit.pricing.models import (
    CustomerGroup,
    EffectivePrice,
    PriceList,
    PriceListItem,
    PriceRule,
    PriceRuleTier,
)
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = [
    pytest.mark.django_db(transaction=False),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="forked compile workers stream COPY text: PostgreSQL only (set DATABASE_URL)",
    ),
]


def publish(obj):
    obj.save()
    obj.save_revision().publish()
    return obj


@pytest.fixture
def catalog(storefront):
    sf = storefront
    regular = CustomerGroup.objects.create(storefront=sf, name="Regular", code="regular")
    companies = [factories.company(sf, f"Company {n}") for n in range(6)]
    regular.companies.add(*companies[:3])
    products = [factories.product(sf, f"P{n}", price=f"{100 + n}.00") for n in range(40)]
    contract = publish(
        PriceList(storefront=sf, name="Contracts", kind="company", currency=sf.currency)
    )
    for n, product in enumerate(products):
        for company in companies[n % 3 :: 2]:
            PriceListItem.objects.create(
                price_list=contract, product=product, company=company, price=f"{90 + n}.50"
            )
    group_list = PriceList(storefront=sf, name="Regular", kind="group", currency=sf.currency)
    group_list.save()
    group_list.groups.add(regular)
    publish(group_list)
    for product in products[::3]:
        PriceListItem.objects.create(price_list=group_list, product=product, price="95.00")
        PriceListItem.objects.create(
            price_list=group_list, product=product, min_quantity=10, price="90.00"
        )
    publish(PriceRule(storefront=sf, name="3% off", action="percent_off", value=3, priority=2))
    volume = PriceRule(
        storefront=sf, name="Volume", action="percent_off", value=None, stacking="cumulative"
    )
    volume.save()
    PriceRuleTier.objects.create(rule=volume, min_quantity=20, value=5)
    publish(volume)
    one = PriceRule(
        storefront=sf,
        name="Company 5 extra",
        action="percent_off",
        value=Decimal("7.5"),
        customer_scope="companies",
        stacking="cumulative",
    )
    one.save()
    one.companies.add(companies[5])
    publish(one)
    return sf, companies, products


def stored(sf) -> list[tuple]:
    return sorted(
        EffectivePrice.objects.filter(storefront_id=sf.pk).values_list(
            "product_id", "segment", "company_id", "min_quantity", "price", "base_price", "steps"
        ),
        key=repr,
    )


def test_forked_workers_write_exactly_the_single_process_rows(catalog, settings):
    sf, companies, products = catalog
    settings.PIPIT_PRICING_COMPILE_WORKERS = 1
    single = compile_prices(sf, Scope())
    expected = stored(sf)
    assert single.rows == len(expected) > 40

    settings.PIPIT_PRICING_COMPILE_WORKERS = 2
    settings.PIPIT_PRICING_PARALLEL_FROM = 1
    forked = compile_prices(sf, Scope())
    assert "compute and write (2 processes)" in forked.phases
    assert forked.rows == single.rows
    assert stored(sf) == expected

    # An incremental compile of some products, forked too, leaves the same table.
    some = compile_prices(sf, Scope.of([p.pk for p in products[:10]]))
    assert "compute and write (2 processes)" in some.phases
    assert stored(sf) == expected

    buyer = factories.buyer(companies[5])
    strategy = StorefrontStrategy(storefront=sf, user=buyer)
    # Company 5 (not in the group): contract 91.50 → 3% off 88.76 → 7.5% off 82.10.
    assert strategy.fetch_for_product(products[1]).price.excl_tax == Decimal("82.10")


def test_a_failing_worker_rolls_the_whole_compile_back(catalog, settings, monkeypatch):
    sf, companies, products = catalog
    compile_prices(sf, Scope())
    before = stored(sf)
    settings.PIPIT_PRICING_COMPILE_WORKERS = 2
    settings.PIPIT_PRICING_PARALLEL_FROM = 1
    PriceRule.objects.filter(name="3% off").update(value=50)  # would change every price
    PriceRule.objects.get(name="3% off").save_revision().publish()

    original = compiler._Work.rows

    def broken(self, part):
        if products[7].pk in part:
            raise ValueError("a broken part")
        return original(self, part)

    monkeypatch.setattr(compiler._Work, "rows", broken)
    with pytest.raises(CompileWorkerError, match="a broken part"):
        compile_prices(sf, Scope())
    assert stored(sf) == before
