"""The one dispatcher of Pipit's hooks (declared in :mod:`pipit.plugins.hooks`)."""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

from django.db import transaction

from pipit.tenancy.models import Storefront

from .hooks import get_spec
from .models import enabled_plugins
from .registry import registry

logger = logging.getLogger("pipit.plugins")

V = TypeVar("V")


def run_value_hook(
    name: str,
    value: V,
    *,
    storefront: Storefront | None,
    savepoint: bool = False,
    **kwargs: Any,
) -> V:
    """Pass ``value`` through hook ``name`` of every plugin switched on for ``storefront``.

    Plugins run in id order, each receiving the value the previous one returned. A plugin that
    raises is logged (logger ``pipit.plugins``) and skipped: the value it received passes on, so a
    broken plugin never breaks the buyer's page.

    Callers inside a transaction that must go on after a plugin fails pass ``savepoint=True``:
    each plugin then runs in its own savepoint, so a failed query of a plugin rolls back only
    its own work instead of leaving the caller's transaction unusable.
    """
    get_spec(name, "value")
    for plugin, settings in enabled_plugins(storefront):
        implementation = plugin.implementation(name)
        if implementation is None:
            continue
        try:
            if savepoint:
                with transaction.atomic():
                    value = implementation(
                        value, storefront=storefront, settings=settings, **kwargs
                    )
            else:
                value = implementation(value, storefront=storefront, settings=settings, **kwargs)
        except Exception:
            logger.exception(
                "Plugin %s failed in value hook %s on storefront %s; its input was kept.",
                plugin.id,
                name,
                getattr(storefront, "pk", None),
            )
    return value


def emit_event(name: str, payload: dict[str, Any], *, storefront_id: int) -> None:
    """Queue event hook ``name`` with ``payload`` for after the current transaction commits.

    The payload must be a JSON-serialisable dict (it travels through Celery and may later be sent
    as a webhook); anything else raises TypeError here, in the caller, not in the worker. Rolled
    back, the event is never sent.
    """
    _check_event(name, payload)

    def queue_plugin_event() -> None:
        queue_event(name, payload, storefront_id=storefront_id)

    # Robust: a broker that is down is logged and never fails the request that already committed.
    transaction.on_commit(queue_plugin_event, robust=True)


def queue_event(name: str, payload: dict[str, Any], *, storefront_id: int) -> None:
    """Send event hook ``name`` to Celery now: for code already running after the commit (an
    on-commit callback). Elsewhere use :func:`emit_event`.

    Nothing is queued when no installed plugin implements the event.
    """
    _check_event(name, payload)
    if not any(p.implementation(name) for p in registry.plugins().values()):
        return

    from .tasks import run_event_hook

    run_event_hook.delay(name, payload, storefront_id)


def _check_event(name: str, payload: Any) -> None:
    get_spec(name, "event")
    if not isinstance(payload, dict):
        raise TypeError(f"Payload of event {name!r} must be a dict, not {type(payload).__name__}.")
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Payload of event {name!r} is not JSON-serialisable: {exc}") from exc
