"""The storefront's primary navigation: its top-level catalog categories, cached per storefront."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import get_language

from pipit.catalog.queries import categories_for_storefront
from pipit.tenancy.models import Storefront

CACHE_SECONDS = 600
MAX_ITEMS = 12
VERSION_KEY = "pipit:themes:nav:version"


@dataclass(frozen=True)
class NavItem:
    name: str
    url: str


def _cache_key(storefront: Storefront) -> str:
    # One version for all storefronts: a category edit is rare and may touch several of them.
    version = cache.get_or_set(VERSION_KEY, 1)
    return f"pipit:themes:nav:{version}:{storefront.pk}:{get_language()}"


def _build(storefront: Storefront) -> list[NavItem]:
    # The storefront's scope is usually one root ("Cosmetics") whose children are what buyers
    # browse; with several roots, the roots themselves are the menu.
    categories = list(categories_for_storefront(storefront).order_by("path")[:500])
    if not categories:
        return []
    top_depth = min(c.depth for c in categories)
    top = [c for c in categories if c.depth == top_depth]
    if len(top) == 1:
        children = [
            c for c in categories if c.depth == top_depth + 1 and c.path.startswith(top[0].path)
        ]
        top = children or top
    items = []
    for category in top[:MAX_ITEMS]:
        items.append(NavItem(name=category.name, url=category.get_absolute_url()))
    return items


def primary_categories(storefront: Storefront) -> list[NavItem]:
    key = _cache_key(storefront)
    items = cache.get(key)
    if items is None:
        items = _build(storefront)
        cache.set(key, items, CACHE_SECONDS)
    return items


def invalidate() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet: nothing cached under a version either
        cache.set(VERSION_KEY, 1)
