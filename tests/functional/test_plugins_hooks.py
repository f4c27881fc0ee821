"""A plugin switched on for one storefront changes what that storefront's buyers see.

Alpha switches on a plugin that caps the quantity a buyer may order and withdraws listed SKUs
from sale; beta has it installed but off. Its buyers see what Pipit alone computes.
"""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse
from oscar.apps.partner import availability

from pipit.oscar_apps.order.models import Order
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.testing import factories
from pipit.testing.factories import token_client

pytestmark = pytest.mark.django_db


class Withdrawn(availability.Unavailable):
    message = "Sold through your account manager only"


class LimitedSales(Plugin):
    """Caps every order quantity at ``cap``; SKUs in ``withdrawn`` cannot be bought at all."""

    id = "limited_sales"
    name = "Limited sales"

    @hook("product_availability")
    def limit(self, current, *, storefront, settings, product, stockrecord, user, company):
        if stockrecord is not None and stockrecord.partner_sku in settings.get("withdrawn", []):
            return Withdrawn()
        cap = settings.get("cap")
        if cap and current.is_available_to_buy:
            return availability.StockRequired(min(cap, current.num_available))
        return current

    @hook("checkout_validation")
    def po_required(self, errors, *, storefront, settings, basket, user, company):
        if settings.get("po_required"):
            return [*errors, "Orders on this storefront need a PO number from your buyer."]
        return errors


class Broken(Plugin):
    id = "broken"
    name = "Broken"

    @hook("product_availability")
    def limit(self, current, **kwargs):
        raise RuntimeError("stock service unreachable")


@pytest.fixture(autouse=True)
def plugins(monkeypatch):
    install_plugins(
        monkeypatch, {"limited": f"{__name__}:LimitedSales", "broken": f"{__name__}:Broken"}
    )
    yield
    registry.reload()


def api_availability(sf, user) -> dict[str, dict]:
    body = token_client(sf, user).get("/api/v1/products/").json()
    return {p["sku"]: p["availability"] for p in body["results"]}


def test_plugin_on_alpha_changes_product_page_and_api_while_beta_sees_no_change(
    storefront, other_storefront, buyer, buyer_client, client_for
):
    enable_plugin(storefront, "limited_sales", cap=3, withdrawn=["A-2"])
    enable_plugin(other_storefront, "limited_sales", enabled=False, cap=3, withdrawn=["B-2"])
    serum = factories.product(storefront, "Serum", stock={"main": 10}, sku="A-1")
    dye = factories.product(storefront, "Hair Dye", stock={"main": 10}, sku="A-2")
    beta_serum = factories.product(other_storefront, "Serum", stock={"main": 10}, sku="B-1")
    beta_dye = factories.product(other_storefront, "Hair Dye", stock={"main": 10}, sku="B-2")
    beta_buyer = factories.buyer(factories.company(other_storefront, "Beta Salon LLC"))
    beta_client = client_for(other_storefront, beta_buyer)

    serum_page = buyer_client.get(serum.get_absolute_url()).content.decode()
    assert "In stock (3 available)" in serum_page
    assert 'max="3"' in serum_page
    dye_page = buyer_client.get(dye.get_absolute_url()).content.decode()
    assert "Sold through your account manager only" in dye_page
    assert "stock--out" in dye_page
    assert reverse("basket:add", kwargs={"pk": dye.pk}) not in dye_page

    alpha_api = api_availability(storefront, buyer)
    assert alpha_api["A-1"]["available"] is True and alpha_api["A-1"]["num_available"] == 3
    assert alpha_api["A-2"]["available"] is False
    assert alpha_api["A-2"]["message"] == "Sold through your account manager only"

    # Beta: the same plugin installed but off; Pipit's own availability.
    for product in (beta_serum, beta_dye):
        page = beta_client.get(product.get_absolute_url()).content.decode()
        assert "10 in stock" in page
        assert "Sold through your account manager only" not in page
    beta_api = api_availability(other_storefront, beta_buyer)
    assert {sku: a["num_available"] for sku, a in beta_api.items()} == {"B-1": 10, "B-2": 10}
    assert all(a["available"] for a in beta_api.values())


def test_capped_quantity_is_refused_when_adding_to_the_cart(storefront, buyer_client):
    enable_plugin(storefront, "limited_sales", cap=3)
    serum = factories.product(storefront, "Serum", stock={"main": 10})

    response = buyer_client.post(
        reverse("basket:add", kwargs={"pk": serum.pk}), {"quantity": 5}, follow=True
    )

    page = response.content.decode()
    assert "a maximum of 3 can be bought" in page
    assert "Your cart is empty." in page


def test_checkout_validation_plugin_blocks_the_order_with_its_message(
    storefront, company, buyer_client
):
    enable_plugin(storefront, "limited_sales", po_required=True)
    serum = factories.product(storefront, "Serum", stock={"main": 10})
    response = buyer_client.post(reverse("basket:add", kwargs={"pk": serum.pk}), {"quantity": 2})
    assert response.status_code == 302

    response = buyer_client.post(
        reverse("checkout:index"),
        {"shipping_address": str(company.addresses.get().pk), "po_number": ""},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The order was not placed." in page
    assert "Orders on this storefront need a PO number from your buyer." in page
    assert not Order.objects.exists()


def test_a_raising_plugin_leaves_the_product_page_working_and_is_logged(
    storefront, buyer_client, caplog
):
    enable_plugin(storefront, "broken")
    serum = factories.product(storefront, "Serum", stock={"main": 10})

    with caplog.at_level(logging.ERROR, logger="pipit.plugins"):
        response = buyer_client.get(serum.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "10 in stock" in page  # the fallback: Pipit's own availability
    assert reverse("basket:add", kwargs={"pk": serum.pk}) in page
    assert "broken" in caplog.text and "product_availability" in caplog.text
    assert "stock service unreachable" in caplog.text
