"""Plugin Django apps join INSTALLED_APPS from package metadata, without importing plugin code."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest
from django.conf import settings

from pipit.plugins.discovery import PluginAppWarning, discovery_enabled, plugin_apps


def _dist(root: Path, name: str, entry_points: str) -> importlib.metadata.Distribution:
    """An installed distribution as pip writes it: just its .dist-info folder."""
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    return importlib.metadata.PathDistribution(info)


def test_an_app_declared_by_an_entry_point_is_installed_without_importing_it(tmp_path):
    acme = _dist(
        tmp_path,
        "pipit_acme",
        "[pipit.plugins]\nacme = pipit_acme.plugin:AcmePlugin\n\n"
        "[pipit.plugin_apps]\nacme = pipit_acme.apps.AcmeConfig\n",
    )
    hooks_only = _dist(tmp_path, "pipit_hooks_only", "[pipit.plugins]\nh = pipit_hooks_only:P\n")
    assert plugin_apps([acme, hooks_only], exclude=["pipit.core"]) == ["pipit_acme.apps.AcmeConfig"]
    # Read from metadata only: the package does not even exist.
    assert "pipit_acme" not in sys.modules


def test_apps_already_installed_or_repeated_are_not_added_twice(tmp_path):
    one = _dist(tmp_path, "one", "[pipit.plugin_apps]\none = pipit_one\n")
    again = _dist(tmp_path, "again", "[pipit.plugin_apps]\none = pipit_one\ncore = pipit.core\n")
    assert plugin_apps([one, again], exclude=["pipit.core"]) == ["pipit_one"]


def test_broken_metadata_is_skipped_with_a_warning(tmp_path):
    broken = _dist(tmp_path, "broken", "[pipit.plugin_apps]\nthis line has no equals sign\n")
    bad_value = _dist(tmp_path, "bad_value", "[pipit.plugin_apps]\nbad = pipit_bad.plugin:Cls\n")
    good = _dist(tmp_path, "good", "[pipit.plugin_apps]\ngood = pipit_good\n")
    with pytest.warns(PluginAppWarning) as caught:
        assert plugin_apps([broken, bad_value, good]) == ["pipit_good"]
    messages = " ".join(str(w.message) for w in caught)
    assert "broken" in messages and "pipit_bad.plugin:Cls" in messages


@pytest.mark.parametrize(
    ("value", "enabled"),
    [(None, True), ("true", True), ("1", True), ("false", False), ("0", False), ("Off", False)],
)
def test_discovery_can_be_switched_off(value, enabled):
    environ = {} if value is None else {"PIPIT_DISCOVER_PLUGIN_APPS": value}
    assert discovery_enabled(environ) is enabled


def test_settings_use_the_discovery():
    # On by default; nothing installed in this environment declares an app.
    assert settings.PIPIT_DISCOVER_PLUGIN_APPS is True
    assert set(plugin_apps(exclude=settings.INSTALLED_APPS)) == set()
