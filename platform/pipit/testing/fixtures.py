"""pytest fixtures for Pipit and its plugins: ``pytest_plugins = ["pipit.testing.fixtures"]``."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from . import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Give SQLite test databases the full-text table Wagtail's search migration would create.

    Tests run with ``--nomigrations``, which makes ``wagtailsearch_indexentry_fts`` a plain table;
    the database search backend then fails on ``MATCH``. Recreate it as the FTS5 table (and the
    triggers that fill it) that ``wagtail.search`` migration 0006 makes in real databases.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "sqlite":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE name = 'wagtailsearch_indexentry_fts'"
                )
                row = cursor.fetchone()
                if row is None or "VIRTUAL" in (row[0] or "").upper():
                    continue
                for sql in _SQLITE_FTS_SQL:
                    cursor.execute(sql)


_SQLITE_FTS_SQL = [
    "DROP TABLE wagtailsearch_indexentry_fts",
    "CREATE VIRTUAL TABLE wagtailsearch_indexentry_fts USING fts5(autocomplete, body, title)",
    "CREATE TRIGGER insert_wagtailsearch_indexentry_fts AFTER INSERT ON wagtailsearch_indexentry"
    " BEGIN INSERT INTO wagtailsearch_indexentry_fts(title, body, autocomplete, rowid)"
    " VALUES (NEW.title, NEW.body, NEW.autocomplete, NEW.id); END",
    "CREATE TRIGGER update_wagtailsearch_indexentry_fts AFTER UPDATE ON wagtailsearch_indexentry"
    " BEGIN UPDATE wagtailsearch_indexentry_fts SET title=NEW.title, body=NEW.body,"
    " autocomplete=NEW.autocomplete WHERE rowid=NEW.id; END",
    "CREATE TRIGGER delete_wagtailsearch_indexentry_fts AFTER DELETE ON wagtailsearch_indexentry"
    " BEGIN DELETE FROM wagtailsearch_indexentry_fts WHERE rowid=OLD.id; END",
]


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
