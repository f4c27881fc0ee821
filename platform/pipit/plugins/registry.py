"""Finding installed plugins through the ``pipit.plugins`` entry-point group.

A plugin that cannot be imported, is not a :class:`~pipit.plugins.base.Plugin`, repeats another's
id or does not support this Pipit version is recorded in :meth:`Registry.errors` (shown in the
admin, reported by ``manage.py check``) and left out; it never raises into a request.
"""

from __future__ import annotations

import importlib.metadata
import logging
import threading
from dataclasses import dataclass

from .base import Plugin
from .hooks import HookError

GROUP = "pipit.plugins"

logger = logging.getLogger("pipit.plugins")


@dataclass(frozen=True)
class PluginError:
    """Why an installed entry point did not become a working plugin."""

    entry_point: str
    #: The target the entry point names, e.g. ``"myplugin.plugin:MyPlugin"``.
    target: str
    message: str
    #: The plugin's id when the class could be loaded, else "".
    plugin_id: str = ""
    #: True for an undeclared or doubly implemented hook (a programming error ``manage.py check`` fails on).
    hook_error: bool = False


class Registry:
    """Installed plugins, discovered once per process and cached; :meth:`reload` re-reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plugins: dict[str, Plugin] | None = None
        self._errors: list[PluginError] = []

    def plugins(self) -> dict[str, Plugin]:
        """Working plugins by id, in id order (the order value hooks run in)."""
        if self._plugins is None:
            with self._lock:
                if self._plugins is None:
                    self._discover()
        return self._plugins  # type: ignore[return-value]

    def errors(self) -> list[PluginError]:
        """Entry points that did not load, with the reason."""
        self.plugins()
        return list(self._errors)

    def get(self, plugin_id: str) -> Plugin | None:
        return self.plugins().get(plugin_id)

    def reload(self) -> None:
        """Forget what was discovered; the next call discovers again (tests, after installs)."""
        with self._lock:
            self._plugins = None
            self._errors = []

    def _discover(self) -> None:
        import pipit

        found: dict[str, Plugin] = {}
        errors: list[PluginError] = []
        for ep in importlib.metadata.entry_points(group=GROUP):
            try:
                cls = ep.load()
            except HookError as exc:
                errors.append(PluginError(ep.name, ep.value, str(exc), hook_error=True))
                continue
            except Exception as exc:  # a broken package must not take the site down
                errors.append(PluginError(ep.name, ep.value, f"{type(exc).__name__}: {exc}"))
                continue
            if not (isinstance(cls, type) and issubclass(cls, Plugin)) or not cls.id:
                errors.append(
                    PluginError(ep.name, ep.value, "Not a pipit.plugins.base.Plugin with an id.")
                )
                continue
            problem = cls.incompatibility(pipit.__version__)
            if problem is None and cls.id in found:
                problem = f"Another installed plugin already uses the id {cls.id!r}."
            if problem is not None:
                errors.append(PluginError(ep.name, ep.value, problem, plugin_id=cls.id))
                continue
            try:
                found[cls.id] = cls()
            except Exception as exc:
                errors.append(
                    PluginError(ep.name, ep.value, f"{type(exc).__name__}: {exc}", cls.id)
                )
        for error in errors:
            logger.error("Plugin entry point %s (%s) not loaded: %s", *_fields(error))
        self._plugins = dict(sorted(found.items()))
        self._errors = errors


def _fields(error: PluginError) -> tuple[str, str, str]:
    return error.entry_point, error.target, error.message


registry = Registry()


def plugins() -> dict[str, Plugin]:
    """Working installed plugins by id."""
    return registry.plugins()


def errors() -> list[PluginError]:
    """Installed plugins that could not be loaded, with the reason."""
    return registry.errors()
