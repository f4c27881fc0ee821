"""Celery tasks of the plugin platform. Each takes the storefront id explicitly."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from pipit.tenancy.context import storefront_context
from pipit.tenancy.models import Storefront

from .hooks import get_spec
from .models import enabled_plugins

logger = logging.getLogger("pipit.plugins")


@shared_task(name="pipit.plugins.run_event_hook")
def run_event_hook(name: str, payload: dict[str, Any], storefront_id: int) -> list[str]:
    """Call event hook ``name`` of every plugin switched on for the storefront.

    A plugin that raises is logged and the others still run. Returns the ids of the plugins that
    handled the event.
    """
    get_spec(name, "event")
    storefront = Storefront.objects.select_related("site").filter(pk=storefront_id).first()
    if storefront is None:
        return []
    handled: list[str] = []
    with storefront_context(storefront):
        for plugin, settings in enabled_plugins(storefront):
            implementation = plugin.implementation(name)
            if implementation is None:
                continue
            try:
                implementation(payload, storefront=storefront, settings=settings)
            except Exception:
                logger.exception(
                    "Plugin %s failed in event hook %s on storefront %s.",
                    plugin.id,
                    name,
                    storefront_id,
                )
                continue
            handled.append(plugin.id)
    return handled
