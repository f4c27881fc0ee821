"""Plugins hear of price list publications once the storefront's prices are recompiled."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.pricing.models import PriceList, PriceListItem
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db

HEARD: list[tuple[dict, Decimal]] = []


class PriceWatcher(Plugin):
    id = "price_watcher"
    name = "Price watcher"

    @hook("price_list_published")
    def published(self, payload, *, storefront, settings):
        # What a buyer pays at the moment the plugin hears of it: already the new price.
        product = PriceListItem.objects.filter(price_list_id=payload["price_list_id"]).first()
        price = None
        if product is not None:
            strategy = StorefrontStrategy(storefront=storefront, user=None)
            price = strategy.fetch_for_product(product.product).price.excl_tax
        HEARD.append((payload, price))


@pytest.fixture(autouse=True)
def plugins(monkeypatch):
    HEARD.clear()
    install_plugins(monkeypatch, {"price_watcher": f"{__name__}:PriceWatcher"})
    yield
    registry.reload()


def test_publishing_a_list_tells_plugins_after_the_prices_changed(
    storefront, other_storefront, django_capture_on_commit_callbacks
):
    storefront.show_prices_to_anonymous = True
    storefront.save()
    enable_plugin(storefront, "price_watcher")
    product = factories.product(storefront, "Drill", price="100.00")
    price_list = PriceList(storefront=storefront, name="Base 2027", currency="RUB")
    price_list.save()
    PriceListItem.objects.create(price_list=price_list, product=product, price="90.00")
    assert HEARD == []  # a draft list's rows count from its publication on

    with django_capture_on_commit_callbacks(execute=True):
        price_list.save_revision().publish()

    payload, price_seen = HEARD[-1]
    assert payload["price_list_id"] == price_list.pk
    assert payload["live"] is True and payload["kind"] == "storefront"
    assert payload["rows_recompiled"] >= 1
    assert price_seen == Decimal("90.00")

    with django_capture_on_commit_callbacks(execute=True):
        price_list.unpublish()
    payload, price_seen = HEARD[-1]
    assert payload["live"] is False
    assert price_seen == Decimal("100.00")


def test_a_rolled_back_change_does_not_stop_later_changes_from_reaching_buyers(
    storefront, django_capture_on_commit_callbacks
):
    from django.db import transaction

    storefront.show_prices_to_anonymous = True
    storefront.save()
    product = factories.product(storefront, "Drill", price="100.00")
    price_list = PriceList(storefront=storefront, name="Base", currency="RUB")
    price_list.save()
    with django_capture_on_commit_callbacks(execute=True):
        price_list.save_revision().publish()
    try:
        with transaction.atomic():
            PriceListItem.objects.create(price_list=price_list, product=product, price="10.00")
            raise RuntimeError("the import failed")
    except RuntimeError:
        pass
    with django_capture_on_commit_callbacks(execute=True):
        PriceListItem.objects.create(price_list=price_list, product=product, price="90.00")
    strategy = StorefrontStrategy(storefront=storefront, user=None)
    assert strategy.fetch_for_product(product).price.excl_tax == Decimal("90.00")
