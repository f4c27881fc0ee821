"""POST /api/v1/p/quick_order/match/ and /add/: the same matching for integrations."""

from __future__ import annotations

from oscar.apps.basket.models import Basket
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

MATCH = "/api/v1/p/quick_order/match/"
ADD = "/api/v1/p/quick_order/add/"


def test_match_returns_statuses_prices_stock_and_suggestions(storefront, buyer, enabled, catalog):
    api = factories.token_client(storefront, buyer)
    text = "15208-65F0E 2\n16546-JG30A 1\n15208-65F0F 1\nDDF-2000;2,5\n15208 65f0e 3"
    response = api.post(MATCH, {"text": text}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["summary"]["lines"] == 5 and data["summary"]["ready"] == 1
    assert data["summary"]["ready_quantity"] == 5
    ok, out, typo, bad, merged = data["lines"]
    assert ok["status"] == "ok" and ok["quantity"] == 5 and ok["merged_lines"] == [5]
    assert ok["product"]["sku"] == "15208-65F0E"
    assert ok["product"]["price"]["excl_tax"] == "450.00"
    assert {s["warehouse"]: s["quantity"] for s in ok["product"]["stock"]} == {
        "Main warehouse": 20,
        "North warehouse": 5,
    }
    assert out["status"] == "out_of_stock" and out["restock_date"] == "2031-03-15"
    assert [a["sku"] for a in out["analogs"]] == ["C 2029"]
    assert typo["status"] == "unmatched"
    assert [s["sku"] for s in typo["suggestions"]] == ["15208-65F0E"]
    assert bad["status"] == "bad" and "whole number" in bad["message"]
    assert merged["status"] == "merged" and merged["merged_into"] == 1


def test_match_refuses_bad_input_with_field_errors(storefront, buyer, catalog):
    enable_plugin(storefront, "quick_order", max_lines=3, max_file_size_kb=10)
    api = factories.token_client(storefront, buyer)
    response = api.post(MATCH, {}, format="json")
    assert response.status_code == 400 and "text" in response.json()["errors"]
    response = api.post(MATCH, {"text": "A 1\nB 1\nC 1\nD 1"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["text"] == [
        "The list has 4 lines; the limit is 3. Split it into several orders."
    ]


def test_add_adds_good_lines_and_says_why_others_were_refused(storefront, buyer, enabled, catalog):
    api = factories.token_client(storefront, buyer)
    response = api.post(
        ADD,
        {
            "lines": [
                {"sku": "15208 65f0e", "quantity": 3},
                {"sku": "16546-JG30A", "quantity": 1},
                {"sku": "NOPE", "quantity": 1},
                {"sku": "DDF-2000", "quantity": 4},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert [(a["sku"], a["quantity"]) for a in data["added"]] == [("15208 65f0e", 3)]
    assert {r["sku"]: r["status"] for r in data["refused"]} == {
        "16546-JG30A": "out_of_stock",
        "NOPE": "unmatched",
        "DDF-2000": "short",
    }
    assert data["added_quantity"] == 3
    basket = Basket.open.get(owner=buyer)
    assert [(line.product.title, line.quantity) for line in basket.all_lines()] == [
        ("Oil filter", 3)
    ]


def test_add_validates_the_lines(storefront, buyer, enabled, catalog):
    api = factories.token_client(storefront, buyer)
    response = api.post(ADD, {"lines": [{"sku": "15208-65F0E", "quantity": 0}]}, format="json")
    assert response.status_code == 400
    assert "quantity" in response.json()["errors"]["lines"]["0"]
    response = api.post(ADD, {"lines": []}, format="json")
    assert response.status_code == 400 and "lines" in response.json()["errors"]
    assert not Basket.objects.filter(owner=buyer, lines__isnull=False).exists()


def test_api_is_404_where_switched_off_and_for_other_storefronts(
    storefront, other_storefront, buyer, catalog
):
    api = factories.token_client(storefront, buyer)
    assert api.post(MATCH, {"text": "A 1"}, format="json").status_code == 404
    enable_plugin(storefront, "quick_order")
    other = factories.buyer(factories.company(other_storefront))
    other_api = factories.token_client(other_storefront, other)
    assert other_api.post(MATCH, {"text": "A 1"}, format="json").status_code == 404


def test_api_is_for_company_buyers(storefront, enabled, client_for):
    response = client_for(storefront).post(MATCH, {"text": "A 1"}, content_type="application/json")
    assert response.status_code in (401, 403)
