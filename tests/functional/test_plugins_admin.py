"""Storefront admins switch plugins on for their own storefronts and edit their settings."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook
from pipit.plugins.models import PluginActivation
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

Role = StorefrontGroup.Role


class CrmSettings(forms.Form):
    endpoint = forms.URLField(label="CRM endpoint", assume_scheme="https")
    batch_size = forms.IntegerField(min_value=1, max_value=500, initial=50)
    surcharge = forms.DecimalField(required=False, decimal_places=2)
    api_key = forms.CharField(label="API key", widget=forms.PasswordInput)


class CrmExport(Plugin):
    id = "crm_export"
    name = "CRM export"
    version = "2.1.0"
    description = "Sends placed orders to the CRM."
    pipit_requires = ">=0.1"
    settings_form = CrmSettings

    @hook("order_placed")
    def send(self, payload, *, storefront, settings):
        pass


class TooNew(Plugin):
    id = "too_new"
    name = "Too new"
    pipit_requires = ">=42"


@pytest.fixture(autouse=True)
def plugins(monkeypatch):
    install_plugins(monkeypatch, {"crm": f"{__name__}:CrmExport", "too_new": f"{__name__}:TooNew"})
    yield
    registry.reload()


@pytest.fixture
def alpha_admin(storefront):
    return factories.staff(storefront, Role.ADMIN)


@pytest.fixture
def admin_client(storefront, alpha_admin, client_for):
    return client_for(storefront, alpha_admin)


def edit_url(plugin_id, sf):
    return reverse("pipit_plugins:edit", args=[plugin_id, sf.pk])


VALID = {
    "enabled": "on",
    "settings-endpoint": "https://crm.example.com/api",
    "settings-batch_size": "20",
    "settings-api_key": "s3cret-key-123",
}


def test_index_lists_installed_plugins_with_version_state_and_load_errors(
    storefront, other_storefront, admin_client
):
    enable_plugin(storefront, "crm_export")
    page = admin_client.get(reverse("pipit_plugins:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "CRM export" in html and "2.1.0" in html and "Sends placed orders" in html
    assert 'data-plugin-state="crm_export-alpha"' in html
    assert "Requires Pipit &gt;=42" in html  # the incompatible plugin, with the reason
    # Only the admin's own storefront has a column.
    assert storefront.name in html and other_storefront.name not in html
    assert 'data-plugin-state="crm_export-beta"' not in html


def test_plugins_menu_item_in_commerce_group_for_storefront_admins(admin_client):
    page = admin_client.get(reverse("wagtailadmin_home"))
    assert reverse("pipit_plugins:index") in page.content.decode()


def test_other_roles_cannot_manage_plugins(storefront, client_for):
    editor = client_for(storefront, factories.staff(storefront, Role.EDITOR))
    # Wagtail answers a refused admin page with a redirect to the dashboard.
    refused = editor.get(reverse("pipit_plugins:index"))
    assert refused.status_code == 302 and refused.url == reverse("wagtailadmin_home")
    assert editor.get(edit_url("crm_export", storefront)).status_code == 404
    assert (
        reverse("pipit_plugins:index")
        not in editor.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_admin_switches_plugin_on_for_own_storefront_only(
    storefront, other_storefront, admin_client
):
    response = admin_client.post(edit_url("crm_export", storefront), VALID)
    assert response.status_code == 302

    alpha = PluginActivation.objects.get(storefront=storefront, plugin_id="crm_export")
    assert alpha.enabled
    assert alpha.settings == {
        "endpoint": "https://crm.example.com/api",
        "batch_size": 20,
        "surcharge": None,
        "api_key": "s3cret-key-123",
    }
    assert not PluginActivation.objects.filter(storefront=other_storefront).exists()

    # Beta's plugin screen is not there for alpha's admin: 404, and nothing is written.
    assert admin_client.get(edit_url("crm_export", other_storefront)).status_code == 404
    assert admin_client.post(edit_url("crm_export", other_storefront), VALID).status_code == 404
    assert not PluginActivation.objects.filter(storefront=other_storefront).exists()

    # Switching off keeps the settings.
    admin_client.post(edit_url("crm_export", storefront), {**VALID, "enabled": ""})
    alpha.refresh_from_db()
    assert not alpha.enabled and alpha.settings["endpoint"] == "https://crm.example.com/api"


def test_decimal_settings_are_saved_not_a_server_error(storefront, admin_client):
    response = admin_client.post(
        edit_url("crm_export", storefront), {**VALID, "settings-surcharge": "12.50"}
    )
    assert response.status_code == 302
    alpha = PluginActivation.objects.get(storefront=storefront, plugin_id="crm_export")
    assert alpha.settings["surcharge"] == "12.50"
    page = admin_client.get(edit_url("crm_export", storefront)).content.decode()
    assert 'value="12.50"' in page


def test_invalid_settings_cannot_be_saved(storefront, admin_client):
    page = admin_client.post(
        edit_url("crm_export", storefront),
        {**VALID, "settings-endpoint": "not a url", "settings-batch_size": "9000"},
    )
    assert page.status_code == 200
    form = page.context["settings_form"]
    assert set(form.errors) == {"endpoint", "batch_size"}
    assert not PluginActivation.objects.exists()


def test_secret_is_stored_but_never_rendered_back_and_kept_when_left_blank(
    storefront, admin_client
):
    admin_client.post(edit_url("crm_export", storefront), VALID)

    page = admin_client.get(edit_url("crm_export", storefront))
    html = page.content.decode()
    assert "https://crm.example.com/api" in html  # ordinary settings are shown
    assert "s3cret-key-123" not in html
    assert "leave blank to keep it" in html

    admin_client.post(
        edit_url("crm_export", storefront),
        {**VALID, "settings-api_key": "", "settings-batch_size": "30"},
    )
    settings = PluginActivation.objects.get(storefront=storefront).settings
    assert settings["api_key"] == "s3cret-key-123" and settings["batch_size"] == 30

    # A failed save does not echo the newly typed secret either.
    page = admin_client.post(
        edit_url("crm_export", storefront),
        {**VALID, "settings-api_key": "new-secret-456", "settings-endpoint": "bad"},
    )
    assert "new-secret-456" not in page.content.decode()


def test_unknown_or_broken_plugin_has_no_settings_page(storefront, admin_client):
    assert admin_client.get(edit_url("too_new", storefront)).status_code == 404
    assert admin_client.get(edit_url("no_such_plugin", storefront)).status_code == 404


def test_superuser_manages_every_storefront(storefront, other_storefront, client_for):
    root = client_for(storefront, factories.superuser())
    assert root.post(edit_url("crm_export", other_storefront), VALID).status_code == 302
    assert PluginActivation.objects.get(storefront=other_storefront).enabled
