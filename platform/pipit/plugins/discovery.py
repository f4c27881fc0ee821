"""Plugin Django apps, found at settings time from package metadata alone.

A plugin that is also a Django app (models, migrations, templates, static files, admin, tasks)
declares its app config in a second entry-point group, ``pipit.plugin_apps``, named after the
plugin id::

    [project.entry-points."pipit.plugin_apps"]
    acme = "pipit_acme.apps.AcmeConfig"

``pipit.settings.base`` appends these to ``INSTALLED_APPS``. Only the installed distributions'
metadata is read here -- no plugin code is imported while settings load (Django is not set up
yet), so a broken plugin cannot stop the settings from loading. Set the environment variable
``PIPIT_DISCOVER_PLUGIN_APPS=false`` to switch the discovery off and list apps by hand.

This module must not import Django or anything that does: settings import it.
"""

from __future__ import annotations

import importlib.metadata
import re
import warnings
from collections.abc import Iterable

APPS_GROUP = "pipit.plugin_apps"

# A dotted module path or app config path: what INSTALLED_APPS accepts.
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class PluginAppWarning(UserWarning):
    """An installed distribution's ``pipit.plugin_apps`` metadata was skipped."""


def discovery_enabled(environ: dict[str, str]) -> bool:
    """Whether ``PIPIT_DISCOVER_PLUGIN_APPS`` in ``environ`` leaves discovery on (the default)."""
    value = environ.get("PIPIT_DISCOVER_PLUGIN_APPS", "true").strip().lower()
    return value not in {"0", "false", "no", "off", ""}


def plugin_apps(
    distributions: Iterable[importlib.metadata.Distribution] | None = None,
    *,
    exclude: Iterable[str] = (),
) -> list[str]:
    """The app paths installed plugins declare in ``pipit.plugin_apps``, in distribution order.

    ``distributions`` defaults to every installed distribution. Apps already in ``exclude`` (the
    project's own ``INSTALLED_APPS``) and repeats are left out. A distribution whose metadata
    cannot be read, or an entry whose value is not a dotted path, is skipped with a
    :class:`PluginAppWarning`; it never raises.
    """
    if distributions is None:
        distributions = importlib.metadata.distributions()
    seen = set(exclude)
    found: list[str] = []
    for dist in distributions:
        try:
            entries = [ep for ep in dist.entry_points if ep.group == APPS_GROUP]
        except Exception as exc:  # malformed entry_points.txt: skip the distribution
            name = _dist_name(dist)
            warnings.warn(
                f"Plugin distribution {name}: unreadable entry points, its apps are not "
                f"installed ({type(exc).__name__}: {exc}).",
                PluginAppWarning,
                stacklevel=2,
            )
            continue
        for ep in entries:
            value = ep.value.strip()
            if not _DOTTED.match(value):
                warnings.warn(
                    f"Plugin distribution {_dist_name(dist)}: {APPS_GROUP} entry {ep.name!r} "
                    f"= {value!r} is not a dotted app path; skipped.",
                    PluginAppWarning,
                    stacklevel=2,
                )
                continue
            if not _listed(value, seen):
                seen.add(value)
                found.append(value)
    return found


def _listed(value: str, listed: set[str]) -> bool:
    # "pkg" and "pkg.apps.PkgConfig" name the same app: listing both would be a duplicate label.
    return any(
        value == app or value.startswith(f"{app}.apps.") or app.startswith(f"{value}.apps.")
        for app in listed
    )


def _dist_name(dist: importlib.metadata.Distribution) -> str:
    try:
        return str(dist.metadata["Name"] or "?")
    except Exception:
        return "?"
