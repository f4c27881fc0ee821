"""`manage.py startplugin` makes a plugin package Pipit discovers, lists, switches and tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from oscar.core.loading import get_model

from pipit.plugins.dispatch import run_value_hook
from pipit.plugins.models import PluginActivation, forget_activations, is_enabled
from pipit.plugins.registry import registry
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

NAME = "acme_minimum"
PACKAGE = f"pipit_{NAME}"
PLATFORM_DIR = Path(__file__).resolve().parents[2] / "platform"


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    """The scaffolded package, made discoverable as if pip had installed it (no pip needed)."""
    call_command("startplugin", NAME, dest=str(tmp_path))
    root = tmp_path / NAME
    # What `pip install` would write: the distribution's metadata with its entry point.
    dist_info = root / f"{PACKAGE}-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pipit-acme-minimum\nVersion: 0.1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[pipit.plugins]\n{NAME} = {PACKAGE}.plugin:AcmeMinimumPlugin\n"
    )
    monkeypatch.syspath_prepend(str(root))
    registry.reload()
    yield root
    for module in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[module]
    registry.reload()


def test_scaffold_writes_an_installable_package(tmp_path):
    call_command("startplugin", NAME, dest=str(tmp_path))
    root = tmp_path / NAME
    pyproject = (root / "pyproject.toml").read_text()
    assert 'name = "pipit-acme-minimum"' in pyproject and 'version = "0.1.0"' in pyproject
    assert '[project.entry-points."pipit.plugins"]' in pyproject
    assert f'{NAME} = "{PACKAGE}.plugin:AcmeMinimumPlugin"' in pyproject
    for path in ["__init__.py", "plugin.py", "apps.py"]:
        assert (root / PACKAGE / path).is_file()
    assert (root / "tests" / "test_plugin.py").is_file() and (root / "README.md").is_file()
    assert not list(root.rglob("*-tpl"))


def test_scaffolded_plugin_is_discovered_listed_and_switched_per_storefront(
    plugin_dir, storefront, other_storefront, buyer, company, client_for
):
    plugin = registry.get(NAME)
    assert plugin is not None, registry.errors()
    assert plugin.version == "0.1.0"
    assert plugin.implementation("checkout_validation") is not None

    admin = client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.ADMIN))
    html = admin.get(reverse("pipit_plugins:index")).content.decode()
    assert "Acme minimum" in html and "0.1.0" in html
    assert f'data-plugin-state="{NAME}-alpha"' in html

    response = admin.post(
        reverse("pipit_plugins:edit", args=[NAME, storefront.pk]),
        {
            "enabled": "on",
            "settings-minimum_total": "250.00",
            "settings-message": "Orders start at 250.",
        },
    )
    assert response.status_code == 302
    assert PluginActivation.objects.get(storefront=storefront, plugin_id=NAME).settings == {
        "minimum_total": "250.00",
        "message": "Orders start at 250.",
    }
    forget_activations(storefront)
    assert is_enabled(storefront, NAME) and not is_enabled(other_storefront, NAME)

    # The hook changes what alpha's buyers meet at checkout, and nothing on beta.
    basket = get_model("basket", "Basket").objects.create(owner=buyer)
    kwargs = {"basket": basket, "user": buyer, "company": company}
    assert run_value_hook("checkout_validation", [], storefront=storefront, **kwargs) == [
        "Orders start at 250."
    ]
    assert run_value_hook("checkout_validation", [], storefront=other_storefront, **kwargs) == []


def test_scaffolded_plugin_own_tests_pass(tmp_path):
    call_command("startplugin", NAME, dest=str(tmp_path))
    root = tmp_path / NAME
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # SQLite in memory: never the test database this process is using.
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join([str(root), str(PLATFORM_DIR)])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "5 passed" in result.stdout


@pytest.mark.parametrize("bad", ["Quick-Order", "1order", "class", "a", "two__parts", "x" * 41])
def test_bad_plugin_name_is_refused(tmp_path, bad):
    with pytest.raises(CommandError, match="name|keyword"):
        call_command("startplugin", bad, dest=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_is_refused_and_left_alone(tmp_path):
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "mine.txt").write_text("keep")
    with pytest.raises(CommandError, match="already exists"):
        call_command("startplugin", NAME, dest=str(tmp_path))
    assert [p.name for p in (tmp_path / NAME).iterdir()] == ["mine.txt"]
