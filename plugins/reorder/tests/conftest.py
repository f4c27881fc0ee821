"""Fixtures of the Repeat order tests: the plugin installed, and switched on where asked."""

from __future__ import annotations

import pytest
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.plugins.urls import reload_urlconf


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    # Only this plugin is installed, whatever else the environment has.
    install_plugins(monkeypatch, {"reorder": "pipit_reorder.plugin:ReorderPlugin"})
    reload_urlconf()  # mounts the plugin's pages and API
    yield
    registry.reload()
    reload_urlconf()


@pytest.fixture
def enabled(storefront):
    return enable_plugin(storefront, "reorder")
