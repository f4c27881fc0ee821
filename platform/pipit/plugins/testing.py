"""Test helpers for plugin authors and Pipit's own tests.

``install_plugins(monkeypatch, {"myplugin": "myplugin.plugin:MyPlugin"})`` makes the registry see
those entry points (and only those) without installing a package; ``enable_plugin`` switches a
plugin on for a storefront with the given settings.
"""

from __future__ import annotations

import importlib.metadata

from pipit.tenancy.models import Storefront

from .models import PluginActivation, forget_activations
from .registry import GROUP, Registry, registry


def install_plugins(monkeypatch, targets: dict[str, str]) -> Registry:
    """Pretend the ``pipit.plugins`` entry points are exactly ``targets`` (name → "module:Class").

    Undone with ``monkeypatch``; call ``registry.reload()`` after the test (the fixture that
    uses this should) so that later tests rediscover the real entry points.
    """
    entry_points = importlib.metadata.EntryPoints(
        importlib.metadata.EntryPoint(name, value, GROUP) for name, value in targets.items()
    )
    real = importlib.metadata.entry_points

    def fake(**params):
        if params.get("group") == GROUP:
            return entry_points
        return real(**params)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    registry.reload()
    return registry


def enable_plugin(
    storefront: Storefront, plugin_id: str, *, enabled: bool = True, **settings
) -> PluginActivation:
    """Switch ``plugin_id`` on (or off) for ``storefront`` with ``settings``."""
    activation, _ = PluginActivation.objects.update_or_create(
        storefront=storefront,
        plugin_id=plugin_id,
        defaults={"enabled": enabled, "settings": settings},
    )
    forget_activations(storefront)
    return activation
