"""The demo switches plugins on where its site files list them, with validated settings."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.core.management import CommandError, call_command

from pipit.demo.sites import parse_site
from pipit.plugins.base import Plugin
from pipit.plugins.models import PluginActivation
from pipit.plugins.registry import registry
from pipit.plugins.testing import install_plugins
from pipit.tenancy.models import Storefront

pytestmark = pytest.mark.django_db

DEMO_CALLS: list[str] = []


class LimitsForm(forms.Form):
    max_lines = forms.IntegerField(min_value=1, max_value=100, initial=50)
    note = forms.CharField(required=False)


class DemoPlugin(Plugin):
    id = "demo_widget"
    name = "Demo widget"
    settings_form = LimitsForm

    def load_demo(self, storefront):
        DEMO_CALLS.append(storefront.code)


@pytest.fixture
def widget(monkeypatch):
    install_plugins(monkeypatch, {"demo_widget": f"{__name__}:DemoPlugin"})
    DEMO_CALLS.clear()
    yield
    registry.reload()


def load(sites_dir) -> str:
    out = io.StringIO()
    call_command("load_demo", products=3, sites_dir=str(sites_dir), stdout=out)
    return out.getvalue()


def test_site_files_switch_plugins_on_with_settings_and_off_elsewhere(widget, settings, tmp_path):
    for path in sorted(settings.SITES_DIR.glob("*.toml")):
        text = path.read_text()
        # Keep only the test plugin's table in cosmetics; others list no plugins.
        text = text.split("\n# Plugins switched on")[0]
        if path.stem == "cosmetics":
            text += "\n[plugins.demo_widget]\nmax_lines = 20\n\n[plugins.not_installed]\n"
        (tmp_path / path.name).write_text(text)

    output = load(tmp_path)

    cosmetics = Storefront.objects.get(code="cosmetics")
    activation = PluginActivation.objects.get(storefront=cosmetics, plugin_id="demo_widget")
    assert activation.enabled and activation.settings == {"max_lines": 20, "note": ""}
    assert not PluginActivation.objects.filter(
        storefront__code__in=["autoparts", "fasteners"], enabled=True
    ).exists()
    assert DEMO_CALLS == ["cosmetics"]
    assert "'not_installed' is not installed" in output

    # Switched on by hand elsewhere, it is switched off again by the next load (the file rules).
    PluginActivation.objects.create(
        storefront=Storefront.objects.get(code="fasteners"), plugin_id="demo_widget", enabled=True
    )
    load(tmp_path)
    assert not PluginActivation.objects.get(storefront__code="fasteners").enabled
    assert DEMO_CALLS == ["cosmetics", "cosmetics"]  # load_demo runs on every load: idempotent


def test_invalid_plugin_settings_stop_the_load(widget, settings, tmp_path):
    path = settings.SITES_DIR / "cosmetics.toml"
    text = path.read_text().split("\n# Plugins switched on")[0]
    (tmp_path / "cosmetics.toml").write_text(text + "\n[plugins.demo_widget]\nmax_lines = 500\n")

    with pytest.raises(CommandError, match="demo_widget"):
        load(tmp_path)
    assert not Storefront.objects.filter(code="cosmetics").exists()  # nothing half-written


def test_plugins_table_is_parsed(settings):
    import tomllib

    data = tomllib.loads((settings.SITES_DIR / "autoparts.toml").read_text())
    site = parse_site(data)
    assert set(site.plugins) == {"reorder", "quick_order", "saved_lists", "delivery"}
    fasteners = parse_site(tomllib.loads((settings.SITES_DIR / "fasteners.toml").read_text()))
    assert fasteners.plugins == {}
