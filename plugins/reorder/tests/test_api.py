"""Repeat order over the REST API: preview, add, the report's JSON, scope and cost."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.apps.catalogue.models import ProductRecommendation
from pipit.oscar_apps.partner.models import StockRecord
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from .support import cart, place
from .test_pages import leave_free, sell_out

pytestmark = pytest.mark.django_db


def url(order) -> str:
    return f"/api/v1/p/reorder/orders/{order.number}/"


@pytest.fixture
def products(storefront):
    return {
        "shampoo": factories.product(
            storefront, "Argan shampoo", price="100.00", stock={"main": 50}, sku="SH-1"
        ),
        "mask": factories.product(
            storefront, "Hair mask", price="40.00", stock={"main": 50}, sku="MK-1"
        ),
        "balm": factories.product(
            storefront, "Old balm", price="10.00", stock={"main": 50}, sku="BALM-OLD"
        ),
        "serum": factories.product(
            storefront, "Bond serum", price="70.00", stock={"main": 50}, sku="SER-1"
        ),
    }


@pytest.fixture
def order(storefront, company, buyer, products):
    p = products
    placed = place(
        storefront,
        company,
        buyer,
        [(p["shampoo"], 2), (p["mask"], 3), (p["balm"], 1), (p["serum"], 5)],
    )
    StockRecord.objects.filter(product=p["shampoo"]).update(price="120.00")
    sell_out(p["mask"], restock=datetime.date(2031, 5, 12))
    p["balm"].delete()
    leave_free(p["serum"], 4)
    return placed


@pytest.fixture
def oil(storefront, products):
    oil = factories.product(storefront, "Argan oil", price="90.00", stock={"main": 7}, sku="OIL-1")
    ProductRecommendation.objects.create(primary=products["mask"], recommendation=oil, ranking=1)
    return oil


@pytest.fixture
def api(storefront, buyer):
    return factories.token_client(storefront, buyer)


def test_post_adds_the_available_lines_and_reports_the_rest(enabled, order, oil, api, buyer):
    response = api.post(url(order))
    assert response.status_code == 200, response.content
    body = response.json()

    assert body["order"] == order.number and body["dry_run"] is False
    assert [(a["sku"], a["quantity"], a["price"]["excl_tax"]) for a in body["added"]] == [
        ("SH-1", 2, "120.00")
    ]
    refused = {r["sku"]: r for r in body["refused"]}
    assert set(refused) == {"MK-1", "BALM-OLD", "SER-1"}

    mask = refused["MK-1"]
    assert mask["status"] == "unavailable" and mask["quantity"] == 3
    assert mask["restock_date"] == "2031-05-12"
    assert mask["analogs"] == [
        {
            "id": oil.pk,
            "sku": "OIL-1",
            "title": "Argan oil",
            "price": {"currency": "RUB", "excl_tax": "90.00", "incl_tax": "108.00", "tax": "18.00"},
            "available": True,
            "num_available": 7,
            "restock_date": None,
        }
    ]
    assert refused["BALM-OLD"]["status"] == "discontinued"
    assert refused["BALM-OLD"]["title"] == "Old balm"
    assert refused["BALM-OLD"]["reason"] == "This product has been removed from the catalog."
    serum = refused["SER-1"]
    assert (serum["status"], serum["quantity"], serum["available_quantity"]) == ("short", 5, 4)

    # Nothing is reduced: the serum is not in the cart at 4.
    assert cart(buyer) == {"Argan shampoo": (2, "120.00")}


def test_preview_and_dry_run_leave_the_cart_alone(enabled, order, api, buyer):
    preview = api.get(url(order))
    assert preview.status_code == 200
    dry = api.post(url(order) + "?dry_run=1")
    assert dry.status_code == 200
    assert preview.json() == dry.json()
    assert preview.json()["dry_run"] is True
    assert [a["sku"] for a in preview.json()["added"]] == ["SH-1"]
    assert cart(buyer) == {}

    bad = api.post(url(order) + "?dry_run=perhaps")
    assert bad.status_code == 400 and "dry_run" in bad.json()["errors"]
    assert cart(buyer) == {}


def test_a_colleague_may_repeat_it_over_the_api(enabled, storefront, order, colleague):
    response = factories.token_client(storefront, colleague).post(url(order))
    assert response.status_code == 200
    assert cart(colleague) == {"Argan shampoo": (2, "120.00")}


def test_other_companies_and_storefronts_get_404(
    enabled, storefront, other_storefront, order, other_buyer
):
    rival = factories.token_client(storefront, other_buyer)
    assert rival.get(url(order)).status_code == 404
    assert rival.post(url(order)).status_code == 404
    assert cart(other_buyer) == {}

    enable_plugin(other_storefront, "reorder")
    beta_company = factories.company(other_storefront, "Beta Salon LLC")
    beta_buyer = factories.buyer(beta_company, "bea@beta.test")
    beta = factories.token_client(other_storefront, beta_buyer)
    assert beta.post(url(order)).status_code == 404


def test_switched_off_the_api_is_404(storefront, order, api, buyer):
    enable_plugin(storefront, "reorder", enabled=False)
    assert api.get(url(order)).status_code == 404
    assert api.post(url(order)).status_code == 404
    assert cart(buyer) == {}


def test_anonymous_callers_are_refused(enabled, storefront, order):
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST=storefront.site.hostname).post(url(order))
    assert response.status_code in (401, 403)


def test_preview_query_count_does_not_grow_with_the_lines(enabled, storefront, company, buyer, api):
    def order_of(n):
        items = [
            factories.product(storefront, f"Item {n}-{i}", price="10.00", stock={"main": 5})
            for i in range(n)
        ]
        placed = place(storefront, company, buyer, [(p, 1) for p in items])
        for item in items[: n // 2]:
            sell_out(item)
            analog = factories.product(storefront, f"Analog of {item.title}", price="9.00")
            ProductRecommendation.objects.create(primary=item, recommendation=analog, ranking=1)
        items[-1].delete()
        return placed

    small, large = order_of(3), order_of(20)
    api.get(url(small))
    with CaptureQueriesContext(connection) as few:
        assert api.get(url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        body = api.get(url(large)).json()
    assert len(body["added"]) + len(body["refused"]) == 20
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


def test_the_schema_documents_the_endpoint(enabled, client_for, storefront):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/p/reorder/orders/{number}/"]
    assert operation["post"]["operationId"] == "reorder_create"
    assert "dry_run" in [p["name"] for p in operation["post"]["parameters"]]
    assert operation["get"]["summary"] == "Preview repeating an order"
