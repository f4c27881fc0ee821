"""A plugin adds its own pages, API routes and UI content, only where a storefront switched it on.

The plugin is a real (tiny) installed distribution: a package plus its ``.dist-info`` declaring
the ``pipit.plugins`` entry point (as ``pip install`` would write it), put on ``sys.path``.
Pipit's URLconf is rebuilt from the registry around each test.
"""

from __future__ import annotations

import importlib
import logging
import sys
import textwrap
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from oscar.apps.basket.models import Basket

from pipit.ordering.services import place_order
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import HookError, slot
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin
from pipit.plugins.urls import reload_urlconf
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db

PACKAGE = "pipit_slotty"

FILES = {
    "__init__.py": "",
    "plugin.py": """
        from pipit.plugins.base import Plugin
        from pipit.plugins.hooks import slot


        class Slotty(Plugin):
            id = "slotty"
            name = "Slotty"
            version = "0.1"
            urls = "pipit_slotty.urls"
            api_urls = "pipit_slotty.api_urls"

            @slot("product_page")
            def note(self, *, request, storefront, settings, product, **context):
                return "pipit_slotty/note.html", {"note": settings.get("note", ""), "p": product}

            @slot("order_detail")
            def order_note(self, *, order, **context):
                return f"Slotty <checked> order {order.number}"

            @slot("header")
            def broken(self, **context):
                raise RuntimeError("slotty header is broken")
    """,
    "urls.py": """
        from django.http import HttpResponse
        from django.urls import path


        def hello(request):
            return HttpResponse(f"Hello from Slotty on {request.storefront.code}")


        urlpatterns = [path("hello/", hello, name="hello")]
    """,
    "api_urls.py": """
        from django.urls import path
        from rest_framework.decorators import api_view, permission_classes
        from rest_framework.permissions import AllowAny
        from rest_framework.response import Response


        @api_view(["GET"])
        @permission_classes([AllowAny])
        def ping(request):
            return Response({"plugin": "slotty", "storefront": request.storefront.code})


        urlpatterns = [path("ping/", ping, name="ping")]
    """,
    "templates/pipit_slotty/note.html": (
        '<p class="slotty-note">Slotty says {{ note }} about {{ p.title }}'
        " on {{ storefront.name }}</p>"
    ),
}


@pytest.fixture(scope="module")
def slotty_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    for name, text in FILES.items():
        target = root / PACKAGE / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip())
    info = root / f"{PACKAGE}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pipit-slotty\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[pipit.plugins]\nslotty = {PACKAGE}.plugin:Slotty\n")
    return root


@pytest.fixture
def slotty(slotty_site, settings, storefront, other_storefront):
    """Slotty installed, on for alpha (with a note) and off for beta; its templates findable."""
    sys.path.insert(0, str(slotty_site))
    importlib.invalidate_caches()
    registry.reload()
    assert "slotty" in registry.plugins(), registry.errors()
    reload_urlconf()
    # The settings-time app discovery ran before this test installed the package: add the
    # plugin's templates the way INSTALLED_APPS would, through the theme's fallback loader.
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [str(slotty_site / PACKAGE / "templates")],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    *settings.TEMPLATES[0]["OPTIONS"]["loaders"],
                    "django.template.loaders.filesystem.Loader",
                ],
            },
        }
    ]
    enable_plugin(storefront, "slotty", note="hello alpha")
    enable_plugin(other_storefront, "slotty", enabled=False, note="hello beta")
    yield registry.get("slotty")
    sys.path.remove(str(slotty_site))
    for module in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[module]
    importlib.invalidate_caches()
    registry.reload()
    reload_urlconf()


def test_plugin_pages_and_api_routes_answer_only_where_switched_on(
    slotty, storefront, other_storefront, client_for
):
    assert reverse("slotty:hello") == "/shop/p/slotty/hello/"
    assert reverse("api:slotty:ping") == "/api/v1/p/slotty/ping/"

    alpha, beta = client_for(storefront), client_for(other_storefront)
    page = alpha.get("/shop/p/slotty/hello/")
    assert page.status_code == 200 and page.content.decode() == "Hello from Slotty on alpha"
    assert beta.get("/shop/p/slotty/hello/").status_code == 404

    api = alpha.get("/api/v1/p/slotty/ping/")
    assert api.status_code == 200 and api.json() == {"plugin": "slotty", "storefront": "alpha"}
    assert beta.get("/api/v1/p/slotty/ping/").status_code == 404


def test_plugin_routes_vanish_when_the_plugin_is_uninstalled(storefront, client_for):
    # No plugin installed (the fixture is not used): nothing is mounted under /shop/p/.
    assert client_for(storefront).get("/shop/p/slotty/hello/").status_code == 404


def test_product_page_shows_the_slot_only_where_switched_on(
    slotty, storefront, other_storefront, client_for, caplog
):
    alpha_product = factories.product(
        storefront, "Argan Shampoo", price="250.00", stock={"main": 4}
    )
    beta_product = factories.product(other_storefront, "Argan Shampoo", price="250.00")

    with caplog.at_level(logging.ERROR, logger="pipit.plugins"):
        alpha = client_for(storefront).get(alpha_product.get_absolute_url())
    assert alpha.status_code == 200
    html = alpha.content.decode()
    # Rendered from the plugin's template, with the page's context (the storefront's name).
    assert '<p class="slotty-note">Slotty says hello alpha about Argan Shampoo on ' in html
    # The raising header slot rendered nothing and was logged; the page still works.
    assert "slotty header is broken" not in html
    assert any("UI slot header" in r.getMessage() for r in caplog.records)

    beta = client_for(other_storefront).get(beta_product.get_absolute_url())
    assert beta.status_code == 200 and "Slotty says" not in beta.content.decode()


def _order(sf, company, user):
    product = factories.product(sf, "Bond serum", price="990.00", stock={"main": 4})
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=sf, user=user)
    basket.add_product(product, 1)
    return place_order(
        storefront=sf, user=user, basket=basket, shipping_address=company.addresses.get()
    )


def test_order_detail_shows_the_slot_only_where_switched_on(
    slotty, storefront, other_storefront, company, buyer, client_for
):
    order = _order(storefront, company, buyer)
    url = reverse("customer:order", kwargs={"order_number": order.number})
    html = client_for(storefront, buyer).get(url).content.decode()
    # A plain string from the plugin is escaped.
    assert f"Slotty &lt;checked&gt; order {order.number}" in html

    beta_company = factories.company(other_storefront, "Beta Salon LLC")
    beta_buyer = factories.buyer(beta_company, "bea@beta.test")
    beta_order = _order(other_storefront, beta_company, beta_buyer)
    url = reverse("customer:order", kwargs={"order_number": beta_order.number})
    beta = client_for(other_storefront, beta_buyer).get(url)
    assert beta.status_code == 200 and "Slotty" not in beta.content.decode()


def test_a_misspelled_slot_fails_when_the_plugin_is_imported():
    with pytest.raises(HookError, match="prodcut_page"):

        class Typo(Plugin):
            id = "typo"

            @slot("prodcut_page")
            def note(self, **context):
                return "never"


def test_a_misspelled_slot_in_a_template_fails_when_it_compiles():
    with pytest.raises(TemplateSyntaxError, match="prodcut_page"):
        Template('{% load pipit_plugins %}{% plugin_slot "prodcut_page" %}')
    with pytest.raises(TemplateSyntaxError, match="header"):
        Template('{% load pipit_plugins %}{% plugin_slot "header" product=p %}')
    assert Template('{% load pipit_plugins %}{% plugin_slot "header" %}').render(Context()) == ""
