"""The plugin's settings (limits per storefront, enforced with clear errors) and its demo data."""

from __future__ import annotations

import pipit
import pytest
from django.urls import reverse
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories
from pipit.testing.factories import token_client

from pipit_saved_lists.models import SavedList, SavedListItem
from pipit_saved_lists.plugin import SavedListsPlugin, SavedListsSettings

from .helpers import fill_basket, make_list

pytestmark = pytest.mark.django_db


def test_plugin_is_discovered_and_supports_this_pipit():
    plugin = registry.get("saved_lists")
    assert isinstance(plugin, SavedListsPlugin)
    assert plugin.version == "0.1.0"
    assert SavedListsPlugin.incompatibility(pipit.__version__) is None
    assert set(SavedListsPlugin.slot_methods) == {
        "cart",
        "order_detail",
        "product_page",
        "account_menu",
        "account_dashboard",
    }
    assert registry.errors() == []


def test_settings_are_validated():
    defaults = SavedListsSettings(data={"max_lists_per_company": "50", "max_items_per_list": "500"})
    assert defaults.is_valid(), defaults.errors
    assert defaults.cleaned_data == {"max_lists_per_company": 50, "max_items_per_list": 500}

    bad = SavedListsSettings(data={"max_lists_per_company": "0", "max_items_per_list": "many"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"max_lists_per_company", "max_items_per_list"}
    assert not SavedListsSettings(
        data={"max_lists_per_company": "5", "max_items_per_list": "100000"}
    ).is_valid()


def test_the_list_limit_is_enforced_on_pages_and_api(storefront, company, buyer, buyer_client):
    enable_plugin(storefront, "saved_lists", max_lists_per_company=2, max_items_per_list=10)
    make_list(storefront, company, buyer, "One")
    make_list(storefront, company, buyer, "Two")

    index = buyer_client.get(reverse("saved_lists:index")).content.decode()
    assert "Your company keeps 2 lists, the most this storefront allows." in index
    page = buyer_client.post(reverse("saved_lists:create"), {"name": "Three"}).content.decode()
    assert "Your company already keeps 2 saved lists, the most this storefront allows." in page
    api = token_client(storefront, buyer).post(
        "/api/v1/p/saved_lists/lists/", {"name": "Three"}, format="json"
    )
    assert api.status_code == 400
    assert api.json()["errors"]["non_field_errors"][0].startswith(
        "Your company already keeps 2 saved lists"
    )
    assert SavedList.objects.count() == 2


def test_the_item_limit_is_enforced_and_nothing_is_half_saved(
    storefront, company, buyer, buyer_client, shampoo, mask, serum
):
    enable_plugin(storefront, "saved_lists", max_lists_per_company=5, max_items_per_list=2)
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 1), (mask, 1)], max_items=2)

    # A product already in the list only gets more quantity: allowed at the limit.
    add = reverse("saved_lists:add-item", kwargs={"pk": saved_list.pk})
    assert buyer_client.post(add, {"sku": "SH-250", "quantity": "1"}).status_code == 302
    refused = buyer_client.post(add, {"sku": "SR-1500", "quantity": "1"}).content.decode()
    assert (
        "A saved list holds at most 2 products; this one has 2 and 1 more would not fit." in refused
    )

    # A cart of three products does not fit into a new list either: no empty list is left.
    fill_basket(storefront, buyer, [(shampoo, 1), (mask, 1), (serum, 1)])
    cart = buyer_client.post(reverse("saved_lists:from-cart"), {"name": "From cart"})
    assert cart.status_code == 200
    assert "A saved list holds at most 2 products" in cart.content.decode()
    assert list(SavedList.objects.values_list("name", flat=True)) == ["Monthly restock"]
    assert SavedListItem.objects.count() == 2


def test_demo_makes_named_lists_per_company_once(storefront, company, other_company, buyer):
    for n in range(8):
        factories.product(storefront, f"Demo {n}", stock={"main": 3})
    factories.product(storefront, "Sold out", stock={"main": 0})
    plugin = SavedListsPlugin()

    plugin.load_demo(storefront)
    first = sorted(SavedList.objects.values_list("company__name", "name"))
    items = SavedListItem.objects.count()
    plugin.load_demo(storefront)  # loading the demo again changes nothing

    assert first == [
        ("Alpha Salon LLC", "Monthly restock"),
        ("Alpha Salon LLC", "Urgent top-up"),
        ("Rival Beauty LLC", "Monthly restock"),
        ("Rival Beauty LLC", "Urgent top-up"),
    ]
    assert sorted(SavedList.objects.values_list("company__name", "name")) == first
    assert SavedListItem.objects.count() == items == 2 * (6 + 3)
    assert not SavedListItem.objects.filter(title="Sold out").exists()
    restock = SavedList.objects.get(company=company, name="Monthly restock")
    assert restock.created_by == buyer
    assert all(item.sku and item.product_id for item in restock.items.all())


def test_demo_lists_are_named_in_the_storefronts_language():
    storefront = factories.storefront("gamma", language="ru")
    factories.company(storefront, "ООО Гамма")
    factories.product(storefront, "Шампунь", stock={"main": 3})

    SavedListsPlugin().load_demo(storefront)

    assert sorted(SavedList.objects.values_list("name", flat=True)) == [
        "Ежемесячная закупка",
        "Срочный дозаказ",
    ]
