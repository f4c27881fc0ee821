"""A plugin written outside Pipit's repository, as docs/plugins.md describes, installed with pip.

The package is written from scratch into a temporary folder (no scaffold), built and installed by
a real ``pip install`` into a folder that is then put on the path (as site-packages would be), and
driven the way an integrator would: it appears in Commerce → Plugins, a storefront admin switches
it on for one storefront with settings (invalid ones are refused), and its hook changes what that
storefront's buyers see while the other storefront is untouched.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest
from django.urls import reverse

from pipit.plugins.models import PluginActivation
from pipit.plugins.registry import registry
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db

FILES = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=69"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "acme-embargo"
        version = "1.2.0"
        requires-python = ">=3.11"

        [project.entry-points."pipit.plugins"]
        embargo = "acme_embargo.plugin:EmbargoPlugin"

        [tool.setuptools]
        packages = ["acme_embargo"]
    """,
    "acme_embargo/__init__.py": "",
    "acme_embargo/plugin.py": """
        from django import forms
        from oscar.apps.partner.availability import Unavailable

        from pipit.plugins.base import Plugin
        from pipit.plugins.hooks import hook


        class EmbargoSettings(forms.Form):
            word = forms.CharField(max_length=20, help_text="Products whose title has it are not sold.")


        class EmbargoPlugin(Plugin):
            id = "embargo"
            name = "Acme embargo"
            version = "1.2.0"
            description = "Stops sales of products whose title contains a word."
            pipit_requires = ">=0.1"
            settings_form = EmbargoSettings

            @hook("product_availability")
            def embargo(self, availability, *, storefront, settings, product, **kwargs):
                word = settings.get("word", "").lower()
                if word and word in product.title.lower():
                    return Unavailable()
                return availability
    """,
}


@pytest.fixture
def installed_elsewhere(tmp_path, monkeypatch):
    source = tmp_path / "acme-embargo"
    for name, text in FILES.items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", target, source],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (target / "acme_embargo-1.2.0.dist-info" / "entry_points.txt").exists()
    monkeypatch.syspath_prepend(str(target))
    importlib.invalidate_caches()
    registry.reload()
    yield
    registry.reload()
    sys.modules.pop("acme_embargo.plugin", None)
    sys.modules.pop("acme_embargo", None)


def test_pip_installed_plugin_is_listed_switched_per_storefront_and_changes_what_buyers_see(
    installed_elsewhere, storefront, other_storefront, buyer, other_buyer, client_for
):
    assert registry.get("embargo") is not None, registry.errors()
    admin = client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.ADMIN))
    index = admin.get(reverse("pipit_plugins:index")).content.decode()
    assert "Acme embargo" in index and "1.2.0" in index

    edit = reverse("pipit_plugins:edit", args=["embargo", storefront.pk])
    refused = admin.post(edit, {"enabled": "on", "settings-word": "x" * 30})
    assert refused.status_code == 200  # the form again, with the error
    assert "at most 20 characters" in refused.content.decode()
    assert not PluginActivation.objects.filter(plugin_id="embargo").exists()

    assert admin.post(edit, {"enabled": "on", "settings-word": "Cobalt"}).status_code == 302

    here = factories.product(storefront, "Cobalt drill bit", stock={"main": 9})
    there = factories.product(other_storefront, "Cobalt drill bit", stock={"main": 9})
    beta_buyer = factories.buyer(factories.company(other_storefront))
    alpha_page = client_for(storefront, buyer).get(here.get_absolute_url()).content.decode()
    beta_page = client_for(other_storefront, beta_buyer).get(there.get_absolute_url())

    assert "Unavailable" in alpha_page or "Недоступ" in alpha_page
    assert 'name="quantity"' not in alpha_page  # no add-to-cart form for an unsellable product
    assert 'name="quantity"' in beta_page.content.decode()
