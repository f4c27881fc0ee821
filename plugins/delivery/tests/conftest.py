"""Shared fixtures: only this plugin installed, switched on for storefront "alpha"."""

from __future__ import annotations

import pytest
from oscar.apps.basket.models import Basket
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

from pipit_delivery.models import DeliveryMethod, DeliveryZone


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    # Only this plugin is installed, whatever else the environment has.
    install_plugins(monkeypatch, {"delivery": "pipit_delivery.plugin:DeliveryPlugin"})
    yield
    registry.reload()


@pytest.fixture
def switched_on(storefront):
    return enable_plugin(storefront, "delivery", keep_default_method=True, free_delivery_hint=True)


@pytest.fixture
def moscow(storefront):
    return DeliveryZone.objects.create(
        storefront=storefront,
        name="Moscow and region",
        cities="Москва\nЗеленоград",
        postcode_prefixes="10, 11, 12, 140, 141",
    )


@pytest.fixture
def courier(storefront, moscow):
    """500 excl. VAT, free from 30 000 incl. VAT, up to 50 kg, Moscow only."""
    return DeliveryMethod.objects.create(
        storefront=storefront,
        code="courier-moscow",
        name="Moscow courier",
        kind=DeliveryMethod.Kind.COURIER,
        zone=moscow,
        sort_order=10,
        base_cost="500",
        free_above="30000",
        max_weight_kg="50",
    )


@pytest.fixture
def transport(storefront):
    """Everywhere: 400 + 30 per kg + 1500 per m³ excl. VAT."""
    return DeliveryMethod.objects.create(
        storefront=storefront,
        code="transport",
        name="Transport company",
        kind=DeliveryMethod.Kind.TRANSPORT,
        sort_order=20,
        base_cost="400",
        cost_per_kg="30",
        cost_per_m3="1500",
    )


@pytest.fixture
def pickup(storefront):
    return DeliveryMethod.objects.create(
        storefront=storefront,
        code="pickup-main",
        kind=DeliveryMethod.Kind.PICKUP,
        warehouse=storefront.warehouses.get(code="alpha-main"),
        sort_order=30,
    )


def make_basket(storefront, user, *items):
    """A basket priced for ``user`` with ``(product, quantity)`` lines."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


@pytest.fixture
def heavy(storefront):
    """1000 excl. VAT, 2.5 kg, 0.01 m³."""
    product = factories.product(storefront, "Dye pallet", price="1000.00", stock={"main": 100})
    factories.attribute_value(product, "weight_kg", 2.5)
    factories.attribute_value(product, "volume_m3", 0.01)
    return product
