"""The buyer sees the delivery methods and their cost in the cart, at checkout and in the API,
and the order is charged the one they chose."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pipit.companies.models import CompanyAddress
from pipit.ordering.shipping import SupplierDelivery
from pipit.oscar_apps.order.models import Order
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.testing import factories

pytestmark = pytest.mark.django_db

PLUGINS = {
    "courier_test": "tests.integration.test_shipping_methods:CourierPlugin",
    "broken_shipping": "tests.integration.test_shipping_methods:BrokenPlugin",
}


@pytest.fixture(autouse=True)
def plugins(monkeypatch):
    install_plugins(monkeypatch, PLUGINS)
    yield
    registry.reload()


@pytest.fixture
def courier(storefront):
    enable_plugin(storefront, "courier_test")


@pytest.fixture
def serum(storefront):
    return factories.product(storefront, "Serum", price="1000.00", stock={"main": 10})


@pytest.fixture
def cart(buyer_client, serum):
    response = buyer_client.post(reverse("basket:add", kwargs={"pk": serum.pk}), {"quantity": 2})
    assert response.status_code == 302


@pytest.fixture
def second_address(company):
    return CompanyAddress.objects.create(
        company=company, label="Far away", postcode="000000", city="Nowhere", line1="Lost 1"
    )


def checkout_data(company, **overrides):
    return {"shipping_address": str(company.addresses.get(is_default=True).pk), **overrides}


def test_checkout_offers_the_plugin_method_preselected_with_its_cost(courier, cart, buyer_client):
    page = buyer_client.get(reverse("checkout:index")).content.decode()

    assert 'name="shipping_method" value="courier" checked' in page
    assert f'name="shipping_method" value="{SupplierDelivery.code}" >' in page
    assert "City courier" in page and "600.00" in page
    assert "Delivery by the supplier" in page and "priced separately" in page
    # The order total includes the preselected courier: 2400 + 600.
    assert "3,000.00" in page


def test_order_records_the_method_the_buyer_chose_and_its_charge(
    courier, cart, company, buyer_client
):
    response = buyer_client.post(
        reverse("checkout:index"), checkout_data(company, shipping_method="courier")
    )

    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.shipping_code, order.shipping_incl_tax) == ("courier", Decimal("600.00"))
    assert order.total_incl_tax == Decimal("3000.00")
    thanks = buyer_client.get(response.url).content.decode()
    assert "City courier" in thanks and "3,000.00" in thanks


def test_unknown_method_is_shown_as_an_error_of_the_delivery_step(
    courier, cart, company, buyer_client
):
    response = buyer_client.post(
        reverse("checkout:index"), checkout_data(company, shipping_method="drone")
    )

    assert response.status_code == 200
    assert "This delivery method is not available for this cart and address." in (
        response.content.decode()
    )
    assert not Order.objects.exists()


def test_another_address_with_other_options_is_shown_before_anything_is_ordered(
    courier, cart, company, second_address, buyer_client
):
    shown = buyer_client.get(reverse("checkout:index")).context["shipping_quote"].fingerprint

    # The buyer picked the far address and pressed "Place order" without updating the options.
    response = buyer_client.post(
        reverse("checkout:index"),
        {
            "shipping_address": str(second_address.pk),
            "shipping_method": "courier",
            "delivery_quote": shown,
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The delivery options or their prices have changed" in page
    assert "This cart cannot be delivered to this address." in page
    assert not Order.objects.exists()


def test_update_button_shows_the_options_of_the_address_picked_without_ordering(
    courier, cart, company, second_address, buyer_client
):
    response = buyer_client.post(
        reverse("checkout:index"),
        {"shipping_address": str(second_address.pk), "po_number": "PO-7", "update_delivery": "1"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "This cart cannot be delivered to this address." in page
    assert f'value="{second_address.pk}" checked' in page
    assert 'value="PO-7"' in page  # what the buyer typed is kept
    assert "Please correct the errors below." not in page
    assert not Order.objects.exists()


def test_new_address_typed_at_checkout_gets_its_own_options(courier, cart, buyer_client):
    response = buyer_client.post(
        reverse("checkout:index"),
        {
            "shipping_address": "new",
            "address-city": "Nowhere",
            "address-postcode": "000000",
            "update_delivery": "1",
        },
    )

    assert "This cart cannot be delivered to this address." in response.content.decode()


def test_cart_shows_the_delivery_estimate_and_the_total_with_it(courier, cart, buyer_client):
    page = buyer_client.get(reverse("basket:summary")).content.decode()

    assert "Delivery, estimate" in page and "City courier" in page
    assert "Estimated total incl. VAT" in page and "3,000.00" in page


def test_without_plugins_the_cart_says_delivery_is_priced_separately(cart, buyer_client):
    page = buyer_client.get(reverse("basket:summary")).content.decode()

    assert "priced separately" in page
    assert "estimate" not in page
    assert "2,400.00" in page


def test_a_raising_plugin_still_lets_the_buyer_order_with_the_default_delivery(
    storefront, cart, company, buyer_client
):
    enable_plugin(storefront, "broken_shipping")

    page = buyer_client.get(reverse("checkout:index")).content.decode()
    response = buyer_client.post(reverse("checkout:index"), checkout_data(company))

    assert "Delivery by the supplier" in page
    assert response.status_code == 302
    assert Order.objects.get().shipping_code == SupplierDelivery.code


# -- API --------------------------------------------------------------------------------------


@pytest.fixture
def api(storefront, buyer):
    return factories.token_client(storefront, buyer)


@pytest.fixture
def api_cart(api, serum):
    response = api.post("/api/v1/cart/lines/", {"product": serum.pk, "quantity": 2}, format="json")
    assert response.status_code == 201


def test_api_cart_lists_the_methods_for_the_default_or_a_given_address(
    courier, api, api_cart, second_address, other_company
):
    methods = api.get("/api/v1/cart/").json()["shipping_methods"]
    assert [(m["code"], m["cost"]["incl_tax"]) for m in methods] == [
        ("courier", "600.00"),
        (SupplierDelivery.code, "0.00"),
    ]
    assert methods[1]["priced_separately"] is True

    assert api.get(f"/api/v1/cart/?address={second_address.pk}").json()["shipping_methods"] == []

    foreign = other_company.addresses.get()
    for value in (foreign.pk, "abc"):
        response = api.get(f"/api/v1/cart/?address={value}")
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "address": ["Choose one of your company's delivery addresses."]
        }


def test_api_order_with_a_shipping_method_is_charged_for_it(courier, api, api_cart, company):
    address = company.addresses.get()

    response = api.post(
        "/api/v1/orders/",
        {"shipping_address": address.pk, "shipping_method": "courier"},
        format="json",
    )

    assert response.status_code == 201, response.content
    order = response.json()
    assert order["shipping_method"] == {"code": "courier", "name": "City courier"}
    assert order["totals"]["shipping_incl_tax"] == "600.00"
    assert order["totals"]["incl_tax"] == "3000.00"
    detail = api.get(f"/api/v1/orders/{order['number']}/").json()
    assert detail["shipping_method"]["name"] == "City courier"


def test_api_order_with_an_unknown_method_is_a_400_on_that_field(courier, api, api_cart, company):
    response = api.post(
        "/api/v1/orders/",
        {"shipping_address": company.addresses.get().pk, "shipping_method": "drone"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "shipping_method": ["This delivery method is not available for this cart and address."]
    }
    assert not Order.objects.exists()
