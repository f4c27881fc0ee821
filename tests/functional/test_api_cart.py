"""Cart API: the buyer's open basket, shared with the storefront's cart page."""

import pytest
from oscar.apps.basket.models import Basket
from rest_framework.test import APIClient

from pipit.testing import factories
from pipit.testing.factories import token_client


@pytest.fixture
def api(storefront, buyer):
    return token_client(storefront, buyer)


@pytest.fixture
def shampoo(storefront):
    return factories.product(storefront, "Shampoo", price="100.00", stock={"main": 5, "north": 3})


def test_empty_cart(api):
    body = api.get("/api/v1/cart/").json()
    assert body["lines"] == []
    assert body["totals"]["num_items"] == 0
    assert body["totals"]["incl_tax"] == "0.00"


def test_add_product_then_cart_shows_line_with_prices_and_totals(api, shampoo):
    response = api.post(
        "/api/v1/cart/lines/", {"product": shampoo.pk, "quantity": 3}, format="json"
    )

    assert response.status_code == 201, response.content
    cart = api.get("/api/v1/cart/").json()
    assert cart == response.json()
    [line] = cart["lines"]
    assert line["product"]["title"] == "Shampoo"
    assert line["quantity"] == 3
    assert line["unit_price"] == {
        "currency": "RUB",
        "excl_tax": "100.00",
        "incl_tax": "120.00",
        "tax": "20.00",
    }
    assert line["line_total"]["incl_tax"] == "360.00"
    assert cart["totals"]["excl_tax"] == "300.00"
    assert cart["totals"]["incl_tax"] == "360.00"
    assert cart["totals"]["tax"] == "60.00"
    assert cart["totals"]["num_items"] == 3


def test_adding_same_product_again_adds_to_its_line(api, shampoo):
    api.post("/api/v1/cart/lines/", {"product": shampoo.pk, "quantity": 2}, format="json")
    cart = api.post("/api/v1/cart/lines/", {"product": shampoo.pk, "quantity": 1}, format="json")
    assert [line["quantity"] for line in cart.json()["lines"]] == [3]


def test_more_than_stock_is_refused_with_field_error(api, shampoo):
    response = api.post(
        "/api/v1/cart/lines/", {"product": shampoo.pk, "quantity": 9}, format="json"
    )
    assert response.status_code == 400
    assert "Only 8 available" in response.json()["errors"]["quantity"][0]
    assert api.get("/api/v1/cart/").json()["lines"] == []


def test_out_of_stock_product_cannot_be_added(storefront, api):
    gone = factories.product(storefront, "Gone", stock={"main": 0})
    response = api.post("/api/v1/cart/lines/", {"product": gone.pk, "quantity": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["quantity"] == ["This item is out of stock"]


def test_parent_product_needs_a_variant(storefront, api):
    parent = factories.parent_product(storefront, "Dye", [{"title": "Dye 7.1"}])
    response = api.post("/api/v1/cart/lines/", {"product": parent.pk}, format="json")
    assert response.status_code == 400
    assert "product" in response.json()["errors"]
    variant = parent.children.get()
    response = api.post("/api/v1/cart/lines/", {"product": variant.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["lines"][0]["product"]["id"] == variant.pk


def test_bad_input_gives_field_errors(api, shampoo):
    response = api.post("/api/v1/cart/lines/", {"quantity": 0}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"product", "quantity"}
    response = api.post("/api/v1/cart/lines/", {"product": "x", "quantity": "many"}, format="json")
    assert set(response.json()["errors"]) == {"product", "quantity"}


def test_change_quantity_and_remove_by_zero(api, shampoo):
    line_id = api.post("/api/v1/cart/lines/", {"product": shampoo.pk}, format="json").json()[
        "lines"
    ][0]["id"]

    response = api.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 4}, format="json")
    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 4

    response = api.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 10}, format="json")
    assert response.status_code == 400
    assert "quantity" in response.json()["errors"]

    response = api.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 0}, format="json")
    assert response.status_code == 200
    assert response.json()["lines"] == []


def test_delete_line(api, shampoo):
    line_id = api.post("/api/v1/cart/lines/", {"product": shampoo.pk}, format="json").json()[
        "lines"
    ][0]["id"]
    assert api.delete(f"/api/v1/cart/lines/{line_id}/").status_code == 204
    assert api.get("/api/v1/cart/").json()["lines"] == []
    assert api.delete(f"/api/v1/cart/lines/{line_id}/").status_code == 404


def test_api_cart_is_the_storefront_cart(storefront, buyer, buyer_client, api, shampoo):
    api.post("/api/v1/cart/lines/", {"product": shampoo.pk, "quantity": 2}, format="json")
    basket = Basket.open.get(owner=buyer)
    assert basket.lines.get().quantity == 2
    # The storefront session sees the same cart through the API.
    assert buyer_client.get("/api/v1/cart/").json()["totals"]["num_items"] == 2


def test_session_client_needs_csrf_token_to_change_the_cart(storefront, buyer, shampoo):
    client = APIClient(HTTP_HOST=storefront.site.hostname, enforce_csrf_checks=True)
    client.force_login(buyer, backend="pipit.companies.auth.StorefrontEmailBackend")
    response = client.post("/api/v1/cart/lines/", {"product": shampoo.pk}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
