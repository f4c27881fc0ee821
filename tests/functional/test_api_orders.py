"""Orders API: the company's orders on this storefront; placing an order from the cart."""

import datetime

import pytest
from django.utils import timezone
from oscar.apps.basket.models import Basket

from pipit.companies.models import CompanyAddress
from pipit.oscar_apps.order.models import Order
from pipit.testing import factories
from pipit.testing.factories import token_client


@pytest.fixture
def api(storefront, buyer):
    return token_client(storefront, buyer)


@pytest.fixture
def shampoo(storefront):
    return factories.product(storefront, "Shampoo", price="100.00", stock={"main": 5})


@pytest.fixture
def address(company):
    return CompanyAddress.objects.get(company=company)


def place(api, product, address, quantity=2, **extra):
    response = api.post(
        "/api/v1/cart/lines/", {"product": product.pk, "quantity": quantity}, format="json"
    )
    assert response.status_code == 201, response.content
    return api.post("/api/v1/orders/", {"shipping_address": address.pk, **extra}, format="json")


def test_company_addresses_are_listed_for_ordering(api, address):
    assert [a["id"] for a in api.get("/api/v1/addresses/").json()] == [address.pk]


def test_place_order_from_cart(api, buyer, shampoo, address):
    delivery = timezone.localdate() + datetime.timedelta(days=3)

    response = place(
        api,
        shampoo,
        address,
        po_number="PO-77",
        requested_delivery_date=delivery.isoformat(),
        comment="Gate 4, call ahead",
    )

    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "new"
    assert order["po_number"] == "PO-77"
    assert order["requested_delivery_date"] == delivery.isoformat()
    assert order["comment"] == "Gate 4, call ahead"
    assert order["placed_by"] == buyer.email
    assert [(line["title"], line["quantity"]) for line in order["lines"]] == [("Shampoo", 2)]
    assert order["lines"][0]["unit_price_incl_tax"] == "120.00"
    assert order["totals"]["incl_tax"] == "240.00"
    assert order["totals"]["excl_tax"] == "200.00"
    assert order["shipping_address"]["city"] == "Moscow"
    assert [step["status"] for step in order["status_timeline"]] == ["new"]
    # The cart was used up; the order is in the company's list and detail.
    assert api.get("/api/v1/cart/").json()["lines"] == []
    listed = api.get("/api/v1/orders/").json()["results"]
    assert [o["number"] for o in listed] == [order["number"]]
    assert api.get(f"/api/v1/orders/{order['number']}/").json() == order


def test_colleague_sees_company_orders(storefront, colleague, api, shampoo, address):
    number = place(api, shampoo, address).json()["number"]
    colleague_api = token_client(storefront, colleague)
    assert [o["number"] for o in colleague_api.get("/api/v1/orders/").json()["results"]] == [number]


def test_status_timeline_follows_status_changes(api, shampoo, address):
    number = place(api, shampoo, address).json()["number"]
    order = Order.objects.get(number=number)
    order.set_status("confirmed")
    order.set_status("picking")

    timeline = api.get(f"/api/v1/orders/{number}/").json()["status_timeline"]

    assert [step["status"] for step in timeline] == ["new", "confirmed", "picking"]
    assert timeline[2]["label"] == "Being picked"


def test_empty_cart_cannot_be_ordered(api, address):
    response = api.post("/api/v1/orders/", {"shipping_address": address.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == ["Your cart is empty."]


def test_order_input_errors_are_per_field(api, shampoo, other_company):
    foreign_address = CompanyAddress.objects.get(company=other_company)
    api.post("/api/v1/cart/lines/", {"product": shampoo.pk}, format="json")

    response = api.post(
        "/api/v1/orders/",
        {
            "shipping_address": foreign_address.pk,
            "requested_delivery_date": "someday",
            "po_number": "X" * 65,
        },
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["shipping_address"] == ["Choose one of your company's delivery addresses."]
    assert set(errors) == {"shipping_address", "requested_delivery_date", "po_number"}
    assert Order.objects.count() == 0


def test_past_delivery_date_is_refused_by_order_placement(api, shampoo, address):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = place(api, shampoo, address, requested_delivery_date=yesterday.isoformat())
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["requested_delivery_date"] == [
        "The requested delivery date is in the past."
    ]
    assert body["detail"]
    assert Order.objects.count() == 0


def test_stock_shortage_at_placement_is_a_400_naming_the_line(api, buyer, shampoo, address):
    api.post("/api/v1/cart/lines/", {"product": shampoo.pk, "quantity": 4}, format="json")
    # Stock dropped after the item went into the cart.
    record = shampoo.stockrecords.get()
    record.warehouse_stocks.update(num_in_stock=1)

    response = api.post("/api/v1/orders/", {"shipping_address": address.pk}, format="json")

    assert response.status_code == 400
    assert "lines" in response.json()["errors"]
    assert Basket.open.get(owner=buyer).lines.count() == 1


def test_order_list_is_paginated_newest_first(api, shampoo, address):
    numbers = [place(api, shampoo, address, quantity=1).json()["number"] for _ in range(2)]
    body = api.get("/api/v1/orders/").json()
    assert body["count"] == 2
    assert [o["number"] for o in body["results"]] == numbers[::-1]


def test_storefront_session_can_order_through_the_api(buyer_client, shampoo, address):
    added = buyer_client.post(
        "/api/v1/cart/lines/",
        {"product": shampoo.pk, "quantity": 1},
        content_type="application/json",
    )
    assert added.status_code == 201
    placed = buyer_client.post(
        "/api/v1/orders/", {"shipping_address": address.pk}, content_type="application/json"
    )
    assert placed.status_code == 201
    number = placed.json()["number"]
    assert [o["number"] for o in buyer_client.get("/api/v1/orders/").json()["results"]] == [number]
    assert buyer_client.get(f"/api/v1/orders/{number}/").json()["totals"]["incl_tax"] == "120.00"
