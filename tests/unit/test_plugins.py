"""Plugin platform core: declared hooks, the Plugin base class, discovery through entry points."""

from __future__ import annotations

import textwrap

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

import pipit
from pipit.plugins import checks
from pipit.plugins.base import Plugin
from pipit.plugins.dispatch import emit_event, run_value_hook
from pipit.plugins.hooks import HOOKS, hook
from pipit.plugins.registry import registry
from pipit.plugins.testing import install_plugins


class GreeterSettings(forms.Form):
    greeting = forms.CharField()
    api_key = forms.CharField(widget=forms.PasswordInput)


class Greeter(Plugin):
    """A working plugin with a value and an event hook."""

    id = "greeter"
    name = "Greeter"
    version = "1.2.0"
    description = "Says hello at checkout."
    pipit_requires = ">=0.1"
    settings_form = GreeterSettings

    @hook("checkout_validation")
    def validate(self, errors, *, storefront, settings, **kwargs):
        return errors

    @hook("order_placed")
    def on_order(self, payload, *, storefront, settings):
        pass


class FromTheFuture(Plugin):
    id = "future"
    name = "Future"
    version = "9.0"
    pipit_requires = ">=99.0"


class NotAPlugin:
    id = "nope"


@pytest.fixture(autouse=True)
def _rediscover_after():
    yield
    registry.reload()


def test_every_declared_hook_is_documented_and_of_a_known_kind():
    assert {"product_availability", "checkout_validation"} <= {
        n for n, s in HOOKS.items() if s.kind == "value"
    }
    assert {"order_placed", "order_status_changed"} <= {
        n for n, s in HOOKS.items() if s.kind == "event"
    }
    for spec in HOOKS.values():
        assert spec.doc and spec.signature
    assert "Fallback" in HOOKS["checkout_validation"].doc


def test_misspelled_hook_fails_when_the_class_is_defined_naming_it():
    with pytest.raises(ImproperlyConfigured, match="checkout_validaton"):

        class Typo(Plugin):
            id = "typo"

            @hook("checkout_validaton")
            def check(self, errors, **kwargs):
                return errors


def test_plugin_collects_its_hook_implementations_and_secret_fields():
    plugin = Greeter()
    assert Greeter.hook_methods == {"checkout_validation": "validate", "order_placed": "on_order"}
    assert plugin.implementation("checkout_validation") == plugin.validate
    assert plugin.implementation("product_availability") is None
    assert Greeter.secret_fields() == {"api_key"}


def test_version_requirement_is_checked_against_pipit_version():
    assert Greeter.incompatibility(pipit.__version__) is None
    assert ">=99.0" in FromTheFuture.incompatibility(pipit.__version__)
    Broken = type("Broken", (Plugin,), {"id": "b", "pipit_requires": "at least 1"})
    assert "Invalid" in Broken.incompatibility(pipit.__version__)


def test_discovery_loads_plugins_and_records_what_did_not_load(monkeypatch, tmp_path):
    (tmp_path / "pipit_typo_plugin.py").write_text(
        textwrap.dedent(
            """
            from pipit.plugins.base import Plugin
            from pipit.plugins.hooks import hook

            class TypoPlugin(Plugin):
                id = "typo"

                @hook("order_plcaed")
                def on_order(self, payload, **kwargs):
                    pass
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    install_plugins(
        monkeypatch,
        {
            "greeter": f"{__name__}:Greeter",
            "future": f"{__name__}:FromTheFuture",
            "missing": "pipit_no_such_package.plugin:Plugin",
            "notaplugin": f"{__name__}:NotAPlugin",
            "typo": "pipit_typo_plugin:TypoPlugin",
        },
    )

    assert list(registry.plugins()) == ["greeter"]
    assert isinstance(registry.get("greeter"), Greeter)
    errors = {e.entry_point: e for e in registry.errors()}
    assert set(errors) == {"future", "missing", "notaplugin", "typo"}
    assert "Requires Pipit >=99.0" in errors["future"].message
    assert "ModuleNotFoundError" in errors["missing"].message
    assert "order_plcaed" in errors["typo"].message and errors["typo"].hook_error

    # manage.py check (and so migrate/runserver) fails on the misspelled hook, warns on the rest.
    messages = checks.plugin_errors()
    failing = [m for m in messages if m.is_serious()]
    assert len(failing) == 1 and "order_plcaed" in failing[0].msg
    assert len(messages) == 4


def test_registry_is_cached_until_reloaded(monkeypatch):
    install_plugins(monkeypatch, {"greeter": f"{__name__}:Greeter"})
    first = registry.plugins()
    assert registry.plugins() is first
    install_plugins(monkeypatch, {})
    assert registry.plugins() == {}


def test_dispatchers_refuse_undeclared_names_and_wrong_kinds():
    with pytest.raises(ImproperlyConfigured, match="no_such_hook"):
        run_value_hook("no_such_hook", 1, storefront=None)
    with pytest.raises(ImproperlyConfigured, match="event hook"):
        run_value_hook("order_placed", 1, storefront=None)
    with pytest.raises(ImproperlyConfigured, match="value hook"):
        emit_event("checkout_validation", {}, storefront_id=1)


def test_event_payload_must_be_json_serialisable():
    with pytest.raises(TypeError, match="JSON"):
        emit_event("order_placed", {"when": object()}, storefront_id=1)
    with pytest.raises(TypeError, match="dict"):
        emit_event("order_placed", ["A-1"], storefront_id=1)
