"""StreamField blocks that plugins add to the CMS pages (:meth:`Plugin.blocks`).

The home and landing pages' body (:class:`pipit.cms.blocks.PageBodyBlock`) offers Pipit's own
blocks plus these. A plugin's block is named ``<plugin id>_<name>``, grouped under the plugin's
name in the editor's block menu, and renders only on storefronts that have switched the plugin on;
elsewhere it renders nothing and stays in the page, so switching the plugin on again brings it
back. Plugin blocks never enter Pipit's migrations: installing or removing a plugin changes no
migration state.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.apps import apps
from wagtail.blocks import Block

from .models import is_enabled
from .registry import registry

logger = logging.getLogger("pipit.plugins")

_lock = threading.Lock()
_built: dict[str, Any] = {"plugins": None, "blocks": {}}


def plugin_blocks() -> dict[str, Block]:
    """Block name → block of every installed plugin; empty until the apps are loaded.

    Built once per registry discovery (``registry.reload()`` makes it build again).
    """
    if not apps.ready:
        return {}
    plugins = registry.plugins()
    if _built["plugins"] is not plugins:
        with _lock:
            if _built["plugins"] is not plugins:
                _built["blocks"] = _build(plugins)
                _built["plugins"] = plugins
    return _built["blocks"]


def _build(plugins) -> dict[str, Block]:
    blocks: dict[str, Block] = {}
    for plugin_id, plugin in plugins.items():
        try:
            declared = dict(plugin.blocks())
        except Exception:
            logger.exception(
                "Plugin %s: its blocks() failed; its CMS blocks are left out.", plugin_id
            )
            continue
        for name, block in declared.items():
            if not isinstance(block, Block):
                logger.error(
                    "Plugin %s: block %r is not a Wagtail block; left out.", plugin_id, name
                )
                continue
            full_name = f"{plugin_id}_{name}"
            block.set_name(full_name)
            block.meta.group = str(plugin.name or plugin_id)
            block.render = _guarded(block.render, plugin_id)
            block.pipit_plugin_id = plugin_id
            blocks[full_name] = block
    return blocks


def _guarded(render: Callable, plugin_id: str) -> Callable:
    def render_where_enabled(value, context=None):
        request = (context or {}).get("request")
        if not is_enabled(getattr(request, "storefront", None), plugin_id):
            return ""
        return render(value, context=context)

    return render_where_enabled
