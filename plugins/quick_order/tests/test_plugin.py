"""The plugin as Pipit sees it: discovery, the CMS block, Russian, demo data."""

from __future__ import annotations

import pipit
from django.test import RequestFactory
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from pipit_quick_order.blocks import QuickOrderBlock
from pipit_quick_order.models import SkuAlias
from pipit_quick_order.plugin import QuickOrderPlugin


def test_plugin_is_discovered_and_supports_this_pipit():
    plugin = registry.get("quick_order")
    assert isinstance(plugin, QuickOrderPlugin)
    assert plugin.version == "0.1.0"
    assert QuickOrderPlugin.incompatibility(pipit.__version__) is None
    assert set(QuickOrderPlugin.slot_methods) == {"header", "account_menu"}
    assert registry.errors() == []


def test_cms_block_renders_a_paste_form_posting_to_the_quick_order_page(storefront, enabled):
    block = registry.get("quick_order").blocks()["form"]
    assert isinstance(block, QuickOrderBlock)
    value = block.to_python({"heading": "Order by SKU", "intro": "Paste your list"})
    request = RequestFactory().get("/", HTTP_HOST="alpha.test")
    request.storefront = storefront
    html = block.render(value, context={"request": request, "csrf_token": "tok"})
    assert "Order by SKU" in html and "Paste your list" in html
    assert 'action="/shop/p/quick_order/"' in html and 'name="text"' in html


def test_russian_storefront_speaks_russian(client_for, catalog):
    storefront = factories.storefront("gamma", language="ru")
    enable_plugin(storefront, "quick_order")
    buyer = factories.buyer(factories.company(storefront))
    client = client_for(storefront, buyer)
    html = client.get("/shop/p/quick_order/").content.decode()
    assert "Быстрый заказ" in html and "Проверить список" in html
    response = client.post("/shop/p/quick_order/", {"text": "X 1\nNOPE-1 2,5"})
    assert "не целое число" in response.content.decode()


def test_demo_aliases_are_idempotent(storefront, company, catalog):
    plugin = registry.get("quick_order")
    plugin.load_demo(storefront)
    plugin.load_demo(storefront)
    aliases = list(SkuAlias.objects.filter(company=company).values_list("alias", flat=True))
    assert len(aliases) == 4 and aliases[0].endswith("-1001")
