"""Fixtures of the Saved lists tests: the plugin installed and switched on for "alpha"."""

from __future__ import annotations

import pytest
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.plugins.urls import reload_urlconf
from pipit.testing import factories


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    # Only this plugin is installed, whatever else the environment has.
    install_plugins(monkeypatch, {"saved_lists": "pipit_saved_lists.plugin:SavedListsPlugin"})
    reload_urlconf()
    yield
    registry.reload()
    reload_urlconf()


@pytest.fixture
def enabled(storefront):
    return enable_plugin(storefront, "saved_lists")


@pytest.fixture
def shampoo(storefront):
    return factories.product(
        storefront, "Argan Shampoo", price="250.00", stock={"main": 50}, sku="SH-250"
    )


@pytest.fixture
def mask(storefront):
    return factories.product(
        storefront, "Clay Mask", price="990.00", stock={"main": 2}, sku="MK-990"
    )


@pytest.fixture
def serum(storefront):
    return factories.product(
        storefront, "Bond Serum", price="1500.00", stock={"main": 5}, sku="SR-1500"
    )
