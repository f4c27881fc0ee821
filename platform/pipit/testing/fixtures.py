"""pytest fixtures for Pipit and its plugins: ``pytest_plugins = ["pipit.testing.fixtures"]``."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from . import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The storefront host map and template caches live in the cache; tests must not share them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def storefront(db):
    """Storefront "alpha" served at alpha.test, two warehouses (main, north), English."""
    return factories.storefront("alpha")


@pytest.fixture
def other_storefront(db):
    """Storefront "beta" at beta.test: the tenant that must never leak into "alpha"."""
    return factories.storefront("beta")


@pytest.fixture
def company(storefront):
    return factories.company(storefront, "Alpha Salon LLC")


@pytest.fixture
def buyer(company):
    return factories.buyer(company, "anna@alpha-salon.test")


@pytest.fixture
def colleague(company):
    return factories.buyer(company, "boris@alpha-salon.test")


@pytest.fixture
def other_company(storefront):
    return factories.company(storefront, "Rival Beauty LLC")


@pytest.fixture
def other_buyer(other_company):
    return factories.buyer(other_company, "rita@rival.test")


def _client_for(host: str, user=None) -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user, backend="pipit.companies.auth.StorefrontEmailBackend")
    return client


@pytest.fixture
def client_for():
    """``client_for(storefront, user=None)``: a test client on the storefront's host."""

    def make(sf, user=None) -> Client:
        return _client_for(sf.site.hostname, user)

    return make


@pytest.fixture
def buyer_client(storefront, buyer, client_for):
    return client_for(storefront, buyer)


@pytest.fixture
def anon_client(storefront, client_for):
    return client_for(storefront)
