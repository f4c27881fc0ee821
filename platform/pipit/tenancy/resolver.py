"""Host name → storefront, cached. The only way requests find their tenant."""

from __future__ import annotations

from django.core.cache import cache

from .models import Storefront

CACHE_KEY = "pipit:tenancy:hostmap"
CACHE_SECONDS = 300


def _build_hostmap() -> dict[str, Storefront]:
    hostmap: dict[str, Storefront] = {}
    for storefront in Storefront.objects.select_related("site", "site__root_page"):
        # Evaluate the cached scope properties now, so the cached copy answers without queries.
        storefront.warehouse_ids  # noqa: B018
        storefront.partner_ids  # noqa: B018
        storefront.category_paths  # noqa: B018
        for host in storefront.hostnames:
            hostmap[host] = storefront
    return hostmap


def storefront_for_host(host: str) -> Storefront | None:
    hostmap = cache.get(CACHE_KEY)
    if hostmap is None:
        hostmap = _build_hostmap()
        cache.set(CACHE_KEY, hostmap, CACHE_SECONDS)
    return hostmap.get(host.lower())


def invalidate() -> None:
    cache.delete(CACHE_KEY)
