"""A placed order reaches the plugins switched on for its storefront, after the commit."""

from __future__ import annotations

import pytest
from oscar.apps.basket.models import Basket

from pipit.ordering.services import place_order
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

HEARD: list[tuple[dict, str]] = []


class OrderListener(Plugin):
    id = "order_listener"
    name = "Order listener"

    @hook("order_placed")
    def on_order(self, payload, *, storefront, settings):
        HEARD.append((payload, storefront.code))


@pytest.fixture(autouse=True)
def listener(monkeypatch):
    HEARD.clear()
    install_plugins(monkeypatch, {"listener": f"{__name__}:OrderListener"})
    yield
    registry.reload()


def place(sf, company, user):
    product = factories.product(sf, "Serum", price="1000.00", stock={"main": 10})
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=sf, user=user)
    basket.add_product(product, 2)
    return place_order(
        storefront=sf, user=user, basket=basket, shipping_address=company.addresses.get()
    )


def test_order_placed_event_runs_after_commit_with_a_serialisable_payload(
    storefront, company, buyer, django_capture_on_commit_callbacks
):
    enable_plugin(storefront, "order_listener")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = place(storefront, company, buyer)
    assert HEARD == []  # not while the order's transaction is open

    for callback in callbacks:
        callback()

    expected = {
        "order_number": order.number,
        "storefront_id": storefront.pk,
        "company_id": company.pk,
        "total_incl_tax": str(order.total_incl_tax),
        "currency": storefront.currency,
    }
    assert [(expected, "alpha")] == HEARD
    assert order.total_incl_tax > 0


def test_storefront_without_the_plugin_switched_on_sends_nothing(
    storefront, company, buyer, django_capture_on_commit_callbacks
):
    enable_plugin(storefront, "order_listener", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        place(storefront, company, buyer)
    assert HEARD == []
