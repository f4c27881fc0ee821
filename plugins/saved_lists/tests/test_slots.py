"""What the plugin adds to Pipit's pages: the product page, the cart, an order, the account."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from pipit_saved_lists.models import SavedList

from .helpers import fill_basket, make_list, order_of

pytestmark = pytest.mark.django_db


def test_product_page_saves_the_product_to_a_new_or_existing_list(
    enabled, storefront, company, buyer, buyer_client, shampoo
):
    existing = make_list(storefront, company, buyer, "Monthly restock")
    html = buyer_client.get(shampoo.get_absolute_url()).content.decode()
    url = reverse("saved_lists:add-product", kwargs={"product_pk": shampoo.pk})
    assert "Add to a saved list" in html and url in html
    assert f'<option value="{existing.pk}">Monthly restock</option>' in html

    new = buyer_client.post(url, {"product": shampoo.pk, "quantity": "4", "name": "Spa"})
    assert new.status_code == 302 and new.url == shampoo.get_absolute_url()
    buyer_client.post(url, {"product": shampoo.pk, "quantity": "2", "target": existing.pk})

    assert SavedList.objects.get(name="Spa").items.get().quantity == 4
    assert existing.items.get().quantity == 2
    page = buyer_client.get(shampoo.get_absolute_url()).content.decode()
    assert "2 × “Argan Shampoo” saved to the list" in page


def test_for_a_product_with_variants_the_buyer_chooses_the_variant(
    enabled, storefront, buyer, buyer_client
):
    parent = factories.parent_product(
        storefront,
        "Hair dye",
        [{"title": "Hair dye 7.1", "sku": "DYE-71"}, {"title": "Hair dye 8.0", "sku": "DYE-80"}],
    )
    light = parent.children.get(title="Hair dye 8.0")
    url = reverse("saved_lists:add-product", kwargs={"product_pk": parent.pk})

    html = buyer_client.get(parent.get_absolute_url()).content.decode()
    assert f'<option value="{light.pk}">DYE-80 — Hair dye 8.0</option>' in html

    # The parent itself cannot go into a list: only one of its variants.
    refused = buyer_client.post(url, {"product": parent.pk, "quantity": "1", "name": "Dyes"})
    assert refused.status_code == 200 and "Select a valid choice." in refused.content.decode()
    saved = buyer_client.post(url, {"product": light.pk, "quantity": "3", "name": "Dyes"})
    assert saved.status_code == 302
    assert list(SavedList.objects.get().items.values_list("sku", "quantity")) == [("DYE-80", 3)]


def test_a_product_of_another_storefront_cannot_be_saved(
    enabled, storefront, other_storefront, buyer_client
):
    beta_product = factories.product(other_storefront, "Beta only")
    url = reverse("saved_lists:add-product", kwargs={"product_pk": beta_product.pk})
    assert buyer_client.get(url).status_code == 404
    assert (
        buyer_client.post(url, {"product": beta_product.pk, "quantity": 1, "name": "X"}).status_code
        == 404
    )
    assert not SavedList.objects.exists()


def test_account_menu_and_dashboard_show_the_latest_lists(
    enabled, storefront, company, buyer, buyer_client, shampoo
):
    make_list(storefront, company, buyer, "Monthly restock", [(shampoo, 2)])

    html = buyer_client.get(reverse("customer:summary"), follow=True).content.decode()

    # A list item of the account menu, like its neighbours, before "Log out".
    item = f'<li class="nav-item"><a href="{reverse("saved_lists:index")}" class="nav-link">Saved lists</a></li>'
    sidebar = html[html.index('class="account-sidebar"') :]
    sidebar = sidebar[: sidebar.index("</nav>")]
    assert item in sidebar
    assert sidebar.index(item) < sidebar.index(">Log out</a>")
    assert "Monthly restock" in html and "1 product" in html and "All saved lists" in html


def test_visitors_and_other_storefronts_see_no_buttons(
    enabled, storefront, other_storefront, anon_client, client_for, shampoo
):
    assert "Add to a saved list" not in anon_client.get(shampoo.get_absolute_url()).content.decode()

    beta_product = factories.product(other_storefront, "Beta shampoo")
    beta_buyer = factories.buyer(factories.company(other_storefront, "Beta LLC"), "bea@beta.test")
    html = (
        client_for(other_storefront, beta_buyer)
        .get(beta_product.get_absolute_url())
        .content.decode()
    )
    assert "Add to a saved list" not in html


def test_switched_off_no_button_anywhere(storefront, company, buyer, buyer_client, shampoo):
    enable_plugin(storefront, "saved_lists", enabled=False)
    fill_basket(storefront, buyer, [(shampoo, 1)])
    order = order_of(storefront, company, buyer, [(shampoo, 1)])
    fill_basket(storefront, buyer, [(shampoo, 1)])

    pages = [
        shampoo.get_absolute_url(),
        reverse("basket:summary"),
        reverse("customer:order", kwargs={"order_number": order.number}),
    ]
    for url in pages:
        html = buyer_client.get(url).content.decode()
        assert "/shop/p/saved_lists/" not in html, url
        assert "saved list" not in html.lower(), url
    account = buyer_client.get(reverse("customer:summary"), follow=True).content.decode()
    assert "Saved lists" not in account
    assert buyer_client.get(reverse("saved_lists:from-cart")).status_code == 404
    assert (
        buyer_client.post(
            reverse("saved_lists:from-order", kwargs={"number": order.number}), {"name": "X"}
        ).status_code
        == 404
    )
    assert not SavedList.objects.exists()


def test_cart_slot_is_not_offered_for_an_empty_cart(enabled, buyer_client):
    assert "Save cart as a list" not in buyer_client.get(reverse("basket:summary")).content.decode()


def test_russian_storefront_speaks_russian(client_for):
    storefront = factories.storefront("gamma", language="ru")
    enable_plugin(storefront, "saved_lists")
    company = factories.company(storefront, "ООО Гамма")
    buyer = factories.buyer(company, "ivan@gamma.test")
    product = factories.product(storefront, "Шампунь", sku="SH-1")
    make_list(storefront, company, buyer, "Ежемесячная закупка", [(product, 2)])
    client = client_for(storefront, buyer)

    index = client.get(reverse("saved_lists:index")).content.decode()
    assert "Сохранённые списки" in index and "Ежемесячная закупка" in index
    assert "Создать список" in index
    product_page = client.get(product.get_absolute_url()).content.decode()
    assert "Добавить в сохранённый список" in product_page
