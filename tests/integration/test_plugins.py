"""Hooks run only for the plugins a storefront switched on: value pipelines and events."""

from __future__ import annotations

import logging

import pytest

from pipit.plugins.base import Plugin
from pipit.plugins.dispatch import emit_event, run_value_hook
from pipit.plugins.hooks import hook
from pipit.plugins.models import is_enabled
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.tenancy.models import Storefront

RECEIVED: list[tuple[str, dict, str, dict]] = []


class First(Plugin):
    id = "a_first"
    name = "First"

    @hook("checkout_validation")
    def validate(self, errors, *, storefront, settings, basket, user, company):
        return [*errors, f"first:{settings.get('word', '')}"]

    @hook("order_placed")
    def on_order(self, payload, *, storefront, settings):
        RECEIVED.append((self.id, payload, storefront.code, settings))


class Crashing(Plugin):
    id = "b_crashing"
    name = "Crashing"

    @hook("checkout_validation")
    def validate(self, errors, **kwargs):
        raise RuntimeError("boom")

    @hook("order_placed")
    def on_order(self, payload, **kwargs):
        raise RuntimeError("boom")


class Last(Plugin):
    id = "c_last"
    name = "Last"

    @hook("checkout_validation")
    def validate(self, errors, **kwargs):
        return [*errors, "last"]

    @hook("order_placed")
    def on_order(self, payload, *, storefront, settings):
        RECEIVED.append((self.id, payload, storefront.code, settings))


@pytest.fixture(autouse=True)
def plugins(monkeypatch):
    RECEIVED.clear()
    install_plugins(
        monkeypatch,
        {
            "last": f"{__name__}:Last",
            "crashing": f"{__name__}:Crashing",
            "first": f"{__name__}:First",
        },
    )
    yield
    registry.reload()


def fresh(sf: Storefront) -> Storefront:
    """The storefront as the next request would load it (nothing cached on the instance)."""
    return Storefront.objects.get(pk=sf.pk)


def validate(sf):
    return run_value_hook(
        "checkout_validation", ["core"], storefront=sf, basket=None, user=None, company=None
    )


def test_value_hook_runs_enabled_plugins_in_id_order_and_skips_a_crashing_one(
    storefront, other_storefront, caplog
):
    enable_plugin(storefront, "a_first", word="hello")
    enable_plugin(storefront, "b_crashing")
    enable_plugin(storefront, "c_last")
    enable_plugin(other_storefront, "c_last", enabled=False)

    with caplog.at_level(logging.ERROR, logger="pipit.plugins"):
        errors = validate(fresh(storefront))

    # The crashing plugin's input ("core", "first:hello") passed on to the last one.
    assert errors == ["core", "first:hello", "last"]
    assert "b_crashing" in caplog.text and "checkout_validation" in caplog.text
    # Switched off (beta) or never switched on: the value comes back untouched.
    assert validate(fresh(other_storefront)) == ["core"]
    assert validate(None) == ["core"]


def test_enablement_is_read_once_per_storefront_object(storefront, django_assert_num_queries):
    enable_plugin(storefront, "c_last")
    sf = fresh(storefront)
    with django_assert_num_queries(1):
        assert is_enabled(sf, "c_last")
        assert not is_enabled(sf, "a_first")
        validate(sf)
        validate(sf)
    assert not is_enabled(sf, "not_installed")


def test_activation_of_an_uninstalled_plugin_is_ignored(storefront, monkeypatch):
    enable_plugin(storefront, "c_last")
    install_plugins(monkeypatch, {"first": f"{__name__}:First"})
    sf = fresh(storefront)
    assert not is_enabled(sf, "c_last")
    assert validate(sf) == ["core"]


def test_event_hook_runs_only_after_commit_for_enabled_plugins(
    storefront, other_storefront, django_capture_on_commit_callbacks, caplog
):
    enable_plugin(storefront, "a_first", word="hi")
    enable_plugin(storefront, "b_crashing")
    enable_plugin(storefront, "c_last")
    enable_plugin(other_storefront, "a_first")
    payload = {"order_number": "A-1", "storefront_id": storefront.pk, "total_incl_tax": "12.00"}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        emit_event("order_placed", payload, storefront_id=storefront.pk)
    assert RECEIVED == []  # nothing ran inside the transaction

    with caplog.at_level(logging.ERROR, logger="pipit.plugins"):
        for callback in callbacks:
            callback()

    # Both working plugins of alpha got it (the crashing one is logged); beta's plugin did not.
    assert [(r[0], r[2]) for r in RECEIVED] == [("a_first", "alpha"), ("c_last", "alpha")]
    assert RECEIVED[0][1] == payload and RECEIVED[0][3] == {"word": "hi"}
    assert "b_crashing" in caplog.text


def test_event_hook_is_dropped_when_the_transaction_rolls_back(
    storefront, django_capture_on_commit_callbacks
):
    from django.db import transaction

    enable_plugin(storefront, "a_first")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                emit_event("order_placed", {"order_number": "A-2"}, storefront_id=storefront.pk)
                raise RuntimeError("order failed")
        except RuntimeError:
            pass
    assert callbacks == [] and RECEIVED == []
