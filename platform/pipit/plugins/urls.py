"""Mounting the plugins' own URLconfs, guarded by their per-storefront switch.

A plugin names a URLconf module in :attr:`~pipit.plugins.base.Plugin.urls` (mounted at
``/shop/p/<plugin id>/``, namespace ``<plugin id>``) and/or
:attr:`~pipit.plugins.base.Plugin.api_urls` (mounted at ``/api/v1/p/<plugin id>/``, namespace
``api:<plugin id>``). The URLconfs are built from the registry when Pipit's URLconf loads. Every
view resolved through them answers 404 on a storefront that has not switched the plugin on: the
check reads the storefront's activations, which are read once per request.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
from collections.abc import Callable

from django.http import Http404
from django.urls import URLResolver, clear_url_caches
from django.urls.resolvers import RoutePattern

from .models import is_enabled
from .registry import registry

logger = logging.getLogger("pipit.plugins")


class PluginURLResolver(URLResolver):
    """A resolver for one plugin's URLconf whose views answer 404 where the plugin is off."""

    def __init__(self, plugin_id: str, urlconf: str) -> None:
        super().__init__(
            RoutePattern(f"{plugin_id}/", is_endpoint=False),
            urlconf,
            app_name=plugin_id,
            namespace=plugin_id,
        )
        self.plugin_id = plugin_id

    def resolve(self, path):
        match = super().resolve(path)
        if match is not None:
            match.func = _guarded(match.func, self.plugin_id)
        return match


def _guarded(view: Callable, plugin_id: str) -> Callable:
    # functools.wraps copies the view's attributes too (csrf_exempt, DRF's cls/initkwargs).
    @functools.wraps(view)
    def plugin_view(request, *args, **kwargs):
        if not is_enabled(getattr(request, "storefront", None), plugin_id):
            raise Http404
        return view(request, *args, **kwargs)

    return plugin_view


def _patterns(attribute: str) -> list[URLResolver]:
    patterns: list[URLResolver] = []
    for plugin_id, plugin in registry.plugins().items():
        urlconf = getattr(plugin, attribute, None)
        if not urlconf:
            continue
        try:
            # Imported now, so that a broken URLconf is left out instead of failing every request.
            importlib.import_module(urlconf)
        except Exception:
            logger.exception(
                "Plugin %s: its %s %r cannot be imported.", plugin_id, attribute, urlconf
            )
            continue
        patterns.append(PluginURLResolver(plugin_id, urlconf))
    return patterns


def plugin_urlpatterns() -> list[URLResolver]:
    """The storefront URLconfs of the installed plugins, for ``/shop/p/``."""
    return _patterns("urls")


def plugin_api_urlpatterns() -> list[URLResolver]:
    """The API URLconfs of the installed plugins, for ``/api/v1/p/``."""
    return _patterns("api_urls")


def reload_urlconf() -> None:
    """Rebuild Pipit's URLconf from the registry (tests, after installing or removing plugins)."""
    from django.conf import settings

    for module in ("pipit.api.urls", settings.ROOT_URLCONF):
        if module in sys.modules:
            importlib.reload(sys.modules[module])
    clear_url_caches()
