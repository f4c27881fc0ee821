"""Fixtures shared by the quick order tests: the plugin installed and switched on for "alpha",
and a small catalog with the cases a quick order meets."""

from __future__ import annotations

import datetime

import pytest
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.plugins.urls import reload_urlconf
from pipit.testing import factories

RESTOCK = datetime.date(2031, 3, 15)


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    # Only this plugin is installed, whatever else the environment has.
    install_plugins(monkeypatch, {"quick_order": "pipit_quick_order.plugin:QuickOrderPlugin"})
    reload_urlconf()  # mounts the plugin's pages and API
    yield
    registry.reload()
    reload_urlconf()


@pytest.fixture
def enabled(storefront):
    return enable_plugin(storefront, "quick_order")


@pytest.fixture
def catalog(storefront):
    """Products of "alpha": in stock, out of stock with a restock date, short, and an analog."""
    filter_ = factories.product(
        storefront, "Oil filter", price="450.00", sku="15208-65F0E", stock={"main": 20, "north": 5}
    )
    out = factories.product(
        storefront,
        "Air filter",
        price="900.00",
        sku="16546-JG30A",
        stock={"main": 0, "north": 0},
        restock={"main": RESTOCK},
    )
    analog = factories.product(
        storefront, "Air filter Mann C 2029", price="700.00", sku="C 2029", stock={"main": 8}
    )
    short = factories.product(
        storefront, "Brake pads", price="2500.00", sku="DDF-2000", stock={"main": 3}
    )
    from oscar.apps.catalogue.models import ProductRecommendation

    ProductRecommendation.objects.create(primary=out, recommendation=analog, ranking=5)
    return {"filter": filter_, "out": out, "analog": analog, "short": short}
