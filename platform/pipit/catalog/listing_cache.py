"""What a storefront's listings know about its catalog, kept in Django's cache between changes.

A category page answers, before it prices a single card, which products the category holds in
which order, which of them are in stock, and how many products carry each facet value. None of
that depends on the buyer (prices and stock figures on the cards are read live for every
request), so every buyer of a storefront shares it: the ids and facet counts of a category are
read from the database once per catalog change instead of on every page view.

The key of an entry holds a *catalog version*: a counter in the cache raised, at once and again
when the transaction commits, by every change that could alter a listing (products, their categories,
attribute values, stock records and warehouse stock; see :mod:`pipit.catalog.receivers` and
:mod:`pipit.inventory.services`). Nothing is deleted: a raised version makes the old entries
unreachable. Entries also expire after :data:`TIMEOUT` seconds, a bound for changes made past
the ORM (raw SQL, another application writing the database).

A listing reads the version before it reads the catalog: a change committed meanwhile raises the
version after the entry was written under the old one, so it is never served again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Hashable

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "pipit:catalog:listing-version"
#: Seconds an entry is kept: how stale a listing can be after a change no signal reports.
TIMEOUT = 120
#: Bump when the shape of what is cached changes.
FORMAT = 1


def catalog_version() -> int:
    """The current catalog version (one cache read)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # A cache emptied or restarted: start from the clock, never from a number that entries
        # of before the restart may still be stored under.
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY, 0)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there (a cache emptied meanwhile): any new number will do
        cache.set(VERSION_KEY, time.time_ns(), None)


def catalog_changed() -> None:
    """Listings must be read again: now (this transaction's own later reads see its change) and
    once it commits (a listing read by another request meanwhile saw the catalog before it)."""
    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        func is _bump for _savepoints, func, _robust in connection.run_on_commit
    ):
        # Once per transaction, however many products it saves (a rollback drops it).
        transaction.on_commit(_bump)


def listing_key(storefront, *parts: Hashable) -> str:
    """The cache key of a listing of ``storefront`` described by ``parts``, at the current
    catalog version. The storefront's partners, warehouses and category scope are part of it: a
    storefront edited to sell from another warehouse gets other entries."""
    described = repr(
        (
            FORMAT,
            storefront.pk,
            tuple(storefront.partner_ids),
            tuple(storefront.warehouse_ids),
            tuple(storefront.category_paths),
            parts,
        )
    )
    digest = hashlib.sha1(described.encode()).hexdigest()
    return f"pipit:listing:{catalog_version()}:{digest}"


class ListingEntry:
    """One listing's cached facts, read with one ``get`` and written back when a fact was
    missing (``key`` None: nothing is cached)."""

    def __init__(self, key: str | None):
        self.key = key
        self.facts: dict = (cache.get(key) if key else None) or {}

    def get(self, name: str, compute):
        """The fact ``name``, computed by ``compute()`` and stored if the entry lacks it."""
        if name in self.facts:
            return self.facts[name]
        value = compute()
        self.facts[name] = value
        if self.key:
            cache.set(self.key, self.facts, TIMEOUT)
        return value
