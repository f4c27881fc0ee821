"""Validity dates take effect on their day, with Celery beat or without it (the laptop demo)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from pipit.pricing.compiler import Scope, compile_prices
from pipit.pricing.models import PriceList, PriceListItem, PriceRule, PricingState
from pipit.pricing.strategy import StorefrontStrategy
from pipit.pricing.tasks import roll_over_all
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def price(sf, user, product) -> Decimal:
    return StorefrontStrategy(storefront=sf, user=user).fetch_for_product(product).price.excl_tax


@pytest.fixture
def tomorrow_setup(storefront, company):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    drill = factories.product(storefront, "Drill", price="100.00")
    saw = factories.product(storefront, "Saw", price="100.00")
    rule = PriceRule(
        storefront=storefront,
        name="From tomorrow",
        action="percent_off",
        value=20,
        valid_from=tomorrow,
        product_scope="products",
    )
    rule.products.set([drill])
    rule.save()
    rule.save_revision().publish()
    contract = PriceList(storefront=storefront, name="Contract", kind="company", currency="RUB")
    contract.save()
    contract.save_revision().publish()
    PriceListItem.objects.create(
        price_list=contract, product=saw, company=company, price="70.00", valid_to=today
    )
    compile_prices(storefront, Scope())
    return today, tomorrow, drill, saw


def test_the_first_priced_page_of_a_new_day_rolls_prices_over_without_beat(
    storefront, buyer, tomorrow_setup, settings, monkeypatch
):
    today, tomorrow, drill, saw = tomorrow_setup
    assert (price(storefront, buyer, drill), price(storefront, buyer, saw)) == (
        Decimal("100.00"),
        Decimal("70.00"),
    )
    settings.PIPIT_PRICING_LAZY_ROLLOVER = True
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    # The rule starts and the contract row ends: both show on the first page of the day.
    assert (price(storefront, buyer, drill), price(storefront, buyer, saw)) == (
        Decimal("80.00"),
        Decimal("100.00"),
    )
    assert PricingState.objects.get(storefront=storefront).compiled_on == tomorrow


def test_beat_rolls_every_storefront_over(storefront, buyer, tomorrow_setup, monkeypatch):
    today, tomorrow, drill, saw = tomorrow_setup
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert roll_over_all() > 0
    assert price(storefront, buyer, drill) == Decimal("80.00")
    assert roll_over_all() == 0  # nothing left to do the same day
