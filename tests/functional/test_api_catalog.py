"""Catalog API: the storefront's products with the caller's prices, availability and stock."""

import datetime
from decimal import Decimal

import pytest
from oscar.apps.catalogue.models import ProductAttribute, ProductAttributeValue

from pipit.catalog.search import rebuild_all
from pipit.testing import factories
from pipit.testing.factories import token_client


def set_attribute(product, code: str, value, kind: str = "text"):
    attribute, _ = ProductAttribute.objects.get_or_create(
        product_class=product.get_product_class(), code=code, defaults={"name": code, "type": kind}
    )
    ProductAttributeValue.objects.create(
        product=product, attribute=attribute, **{f"value_{kind}": value}
    )


@pytest.fixture
def api(storefront, buyer):
    return token_client(storefront, buyer)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["title"] for p in response.json()["results"]]


def test_buyer_sees_products_with_price_incl_vat_and_stock_per_warehouse(storefront, api):
    restock = datetime.date(2031, 3, 1)
    factories.product(
        storefront,
        "Shampoo",
        price="100.00",
        stock={"main": 7, "north": 0},
        restock={"north": restock},
        sku="SH-1",
    )

    body = api.get("/api/v1/products/").json()

    assert body["count"] == 1
    product = body["results"][0]
    assert product["title"] == "Shampoo"
    assert product["sku"] == "SH-1"
    assert product["price_visible"] is True
    assert product["price"] == {
        "currency": "RUB",
        "excl_tax": "100.00",
        "incl_tax": "120.00",
        "tax": "20.00",
    }
    assert product["availability"]["available"] is True
    assert product["availability"]["num_available"] == 7
    assert product["stock"] == [
        {"warehouse": "Main warehouse", "city": "", "quantity": 7, "restock_date": None},
        {"warehouse": "North warehouse", "city": "", "quantity": 0, "restock_date": "2031-03-01"},
    ]


def test_session_login_works_like_a_token(storefront, buyer_client):
    factories.product(storefront, "Conditioner")
    response = buyer_client.get("/api/v1/products/")
    assert titles(response) == ["Conditioner"]


def test_out_of_stock_product_shows_restock_date(storefront, api):
    factories.product(
        storefront, "Mask", stock={"main": 0}, restock={"main": datetime.date(2031, 1, 15)}
    )
    availability = api.get("/api/v1/products/").json()["results"][0]["availability"]
    assert availability["available"] is False
    assert availability["num_available"] == 0
    assert availability["restock_date"] == "2031-01-15"
    assert "01/15/2031" in availability["message"]  # the English storefront's short date


def test_filter_by_category_includes_subcategories(storefront, api):
    hair = factories.category(storefront, "Hair")
    dyes = factories.category(storefront, "Hair", "Dyes")
    nails = factories.category(storefront, "Nails")
    factories.product(storefront, "Shampoo", categories=[hair])
    factories.product(storefront, "Blonde dye", categories=[dyes])
    factories.product(storefront, "Nail polish", categories=[nails])

    assert titles(api.get(f"/api/v1/products/?category={hair.pk}")) == ["Blonde dye", "Shampoo"]
    assert titles(api.get(f"/api/v1/products/?category={nails.pk}")) == ["Nail polish"]


def test_filter_in_stock(storefront, api):
    factories.product(storefront, "Stocked", stock={"north": 2})
    factories.product(storefront, "Sold out", stock={"main": 0})
    assert titles(api.get("/api/v1/products/?in_stock=true")) == ["Stocked"]
    assert titles(api.get("/api/v1/products/")) == ["Sold out", "Stocked"]


def test_search_by_title_and_sku(storefront, api):
    factories.product(storefront, "Argan oil", sku="ARG-100")
    factories.product(storefront, "Hair spray", sku="SPR-200")
    rebuild_all()  # search documents are normally rebuilt after the saving transaction commits
    assert titles(api.get("/api/v1/products/?q=argan")) == ["Argan oil"]
    assert titles(api.get("/api/v1/products/?q=SPR-200")) == ["Hair spray"]


def test_filter_by_brand_and_attribute(storefront, api):
    loreal = factories.product(storefront, "Loreal shampoo")
    set_attribute(loreal, "brand", "Loreal")
    set_attribute(loreal, "volume", 250, kind="integer")
    estel = factories.product(storefront, "Estel shampoo")
    set_attribute(estel, "brand", "Estel")
    set_attribute(estel, "volume", 1000, kind="integer")

    assert titles(api.get("/api/v1/products/?brand=estel")) == ["Estel shampoo"]
    assert titles(api.get("/api/v1/products/?attr_volume=250")) == ["Loreal shampoo"]
    assert titles(api.get("/api/v1/products/?attr_volume=250&brand=Estel")) == []
    attributes = api.get(f"/api/v1/products/{loreal.pk}/").json()["attributes"]
    assert {"code": "volume", "name": "volume", "type": "integer", "value": 250} in [
        {k: a[k] for k in ("code", "name", "type", "value")} for a in attributes
    ]


def test_parent_product_lists_variants_with_their_own_price_and_stock(storefront, api):
    parent = factories.parent_product(
        storefront,
        "Hair dye",
        [
            {"title": "Hair dye 7.1", "price": "300.00", "stock": {"main": 4}},
            {"title": "Hair dye 8.0", "price": "250.00", "stock": {"north": 1}},
        ],
    )
    product = api.get(f"/api/v1/products/{parent.pk}/").json()

    assert product["structure"] == "parent"
    assert product["price"]["excl_tax"] == "250.00"  # "from" the cheapest variant
    assert product["availability"]["num_available"] == 5
    variants = {v["title"]: v for v in product["variants"]}
    assert variants["Hair dye 7.1"]["price"]["incl_tax"] == "360.00"
    assert variants["Hair dye 7.1"]["availability"]["num_available"] == 4
    assert variants["Hair dye 8.0"]["stock"] == [
        {"warehouse": "North warehouse", "city": "", "quantity": 1, "restock_date": None}
    ]


def test_pagination(storefront, api):
    for n in range(5):
        factories.product(storefront, f"Item {n}")
    body = api.get("/api/v1/products/?page_size=2&page=2").json()
    assert body["count"] == 5
    assert [p["title"] for p in body["results"]] == ["Item 2", "Item 3"]
    assert body["next"] and body["previous"]


def test_unknown_category_is_a_field_error(storefront, other_storefront, api):
    foreign = factories.category(other_storefront, "Tools")
    for value in [str(foreign.pk), "abc"]:
        response = api.get(f"/api/v1/products/?category={value}")
        assert response.status_code == 400
        assert "category" in response.json()["errors"]


def test_bad_page_is_404_json(storefront, api):
    response = api.get("/api/v1/products/?page=99")
    assert response.status_code == 404
    assert response.json()["errors"] == {}


def _populate(storefront, n: int) -> None:
    category = factories.category(storefront, "Hair")
    for i in range(n):
        if i % 3 == 0:
            parent = factories.parent_product(
                storefront,
                f"Dye {i}",
                [{"price": "10.00"}, {"price": "12.00", "stock": {"north": 1}}],
                categories=[category],
            )
            set_attribute(parent.children.first(), "shade", "7.1")
        else:
            product = factories.product(storefront, f"Item {i}", categories=[category])
            set_attribute(product, "brand", "Estel")


def test_product_list_query_count_does_not_grow_with_products(
    storefront, buyer, django_assert_max_num_queries, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(storefront, buyer)
    _populate(storefront, 3)
    client.get("/api/v1/products/")  # warm the per-storefront caches (host map, plugin switches)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/products/").json()["count"] == 3
    _populate(storefront, 17)
    with django_assert_num_queries(len(small)):
        assert client.get("/api/v1/products/").json()["count"] == 20


def test_product_price_is_decimal_text(storefront, api):
    factories.product(storefront, price="99.99")
    price = api.get("/api/v1/products/").json()["results"][0]["price"]
    assert Decimal(price["incl_tax"]) == Decimal("119.99")


def test_search_puts_exact_sku_first_and_combines_with_filters(storefront, api):
    factories.product(storefront, "Argan oil 100 ml", sku="ARG-100", stock={"main": 0})
    factories.product(storefront, "Argan oil 250 ml", sku="ARG-250")
    factories.product(storefront, "Argan mask", sku="ARG-100-M")
    rebuild_all()

    assert titles(api.get("/api/v1/products/?q=ARG-100"))[0] == "Argan oil 100 ml"
    assert set(titles(api.get("/api/v1/products/?q=argan&in_stock=true"))) == {
        "Argan oil 250 ml",
        "Argan mask",
    }


def test_product_detail(storefront, api):
    hair = factories.category(storefront, "Hair")
    product = factories.product(storefront, "Shampoo", categories=[hair])
    body = api.get(f"/api/v1/products/{product.pk}/").json()
    assert body["id"] == product.pk
    assert body["structure"] == "standalone"
    assert [c["name"] for c in body["categories"]] == ["Hair"]
    assert body["variants"] == []
