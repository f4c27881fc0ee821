"""What a buyer sees of order promotions in the cart page and the cart API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.templatetags.currency_filters import currency

from pipit.pricing.models import CustomerGroup
from pipit.promotions import services
from pipit.promotions.models import OrderPromotion, OrderPromotionCategory
from pipit.testing import factories
from pipit.testing.factories import token_client

pytestmark = pytest.mark.django_db

Kind = OrderPromotion.Kind


@pytest.fixture
def regular(storefront, company):
    group = CustomerGroup.objects.create(storefront=storefront, name="Regular", code="regular")
    group.companies.add(company)
    return group


@pytest.fixture
def five_percent(storefront, regular):
    item = OrderPromotion(
        storefront=storefront,
        name="5% off orders over 1.5M",
        description="For regular customers.",
        kind=Kind.PERCENT_OFF,
        threshold=Decimal("1500000"),
        value=Decimal("5"),
        customer_scope=OrderPromotion.CustomerScope.GROUPS,
    )
    item.groups = [regular]
    return services.publish(item)


@pytest.fixture
def chair(storefront):
    # 600,000.00 including 20% VAT
    return factories.product(storefront, "Salon chair", price="500000.00", stock={"main": 20})


def add(client, product, quantity: int) -> None:
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code in (200, 302)


def cart_html(client) -> str:
    response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    return response.content.decode()


def test_cart_tells_how_much_is_missing_to_the_threshold(five_percent, buyer_client, chair):
    add(buyer_client, chair, 2)  # 1,200,000.00

    html = cart_html(buyer_client)

    assert f"Add {currency(Decimal('300000.00'), 'RUB')} more to get 5% off the order" in html
    assert "5% off orders over 1.5M" in html


def test_cart_names_the_applied_promotion_and_its_discount(five_percent, buyer_client, chair):
    add(buyer_client, chair, 3)  # 1,800,000.00

    html = cart_html(buyer_client)

    assert "5% off orders over 1.5M" in html
    assert f"−{currency(Decimal('90000.00'), 'RUB')}" in html
    assert currency(Decimal("1710000.00"), "RUB") in html
    assert "more to get" not in html


def test_reaching_the_threshold_announces_the_promotion_by_its_name(
    five_percent, storefront, buyer_client, chair
):
    add(buyer_client, chair, 2)

    response = buyer_client.post(
        reverse("basket:add", kwargs={"pk": chair.pk}), {"quantity": 1}, follow=True
    )

    html = response.content.decode()
    assert "Your cart now gets the promotion <strong>5% off orders over 1.5M</strong>." in html
    assert f"({storefront.code} #" not in html  # Oscar's internal offer name stays internal


def test_buyer_outside_the_audience_sees_no_promotion(
    five_percent, storefront, other_buyer, client_for, chair
):
    client = client_for(storefront, other_buyer)
    add(client, chair, 3)

    html = cart_html(client)

    assert "5% off orders over 1.5M" not in html
    assert "more to get" not in html
    assert currency(Decimal("1800000.00"), "RUB") in html


def test_multibuy_shows_in_the_cart(storefront, buyer_client):
    nails = factories.category(storefront, "Nails")
    red = factories.product(storefront, "Red", price="300.00", categories=[nails])
    item = OrderPromotion(
        storefront=storefront,
        name="3 for 2 on nails",
        kind=Kind.BUY_N_GET_M,
        buy_quantity=3,
        free_quantity=1,
    )
    item.scope_categories = [OrderPromotionCategory(category=nails)]
    services.publish(item)
    add(buyer_client, red, 3)

    html = cart_html(buyer_client)

    assert "3 for 2 on nails" in html
    assert f"−{currency(Decimal('360.00'), 'RUB')}" in html


def test_checkout_summary_names_the_promotion(five_percent, buyer_client, chair):
    add(buyer_client, chair, 3)

    response = buyer_client.get(reverse("checkout:index"), follow=True)

    assert "5% off orders over 1.5M" in response.content.decode()


# -- queries -----------------------------------------------------------------------------------


def cart_queries(client) -> int:
    client.get(reverse("basket:summary"))  # warm the per-storefront caches
    with CaptureQueriesContext(connection) as queries:
        cart_html(client)
    return len(queries)


def fill(client, storefront, n: int, category=None) -> None:
    for i in range(n):
        product = factories.product(
            storefront,
            f"Line product {i}",
            price="100000.00",
            categories=[category] if category else None,
        )
        add(client, product, 1)


def test_hint_and_applied_promotions_cost_no_query_on_a_warm_cache(
    storefront, company, five_percent, client_for
):
    without = client_for(storefront, factories.buyer(factories.company(storefront)))
    fill(without, storefront, 3)
    hinted = client_for(storefront, factories.buyer(company))  # a regular customer
    fill(hinted, storefront, 3)
    applied = client_for(storefront, factories.buyer(company))
    fill(applied, storefront, 14)

    assert "more to get" in cart_html(hinted)
    assert "5% off orders over 1.5M" in cart_html(applied)
    assert cart_queries(hinted) == cart_queries(applied) == cart_queries(without)


def test_cart_queries_do_not_grow_with_lines_under_stacked_promotions(
    storefront, company, five_percent, client_for
):
    nails = factories.category(storefront, "Nails")
    item = OrderPromotion(
        storefront=storefront,
        name="3 for 2 on nails",
        kind=Kind.BUY_N_GET_M,
        buy_quantity=3,
        free_quantity=1,
    )
    item.scope_categories = [OrderPromotionCategory(category=nails)]
    services.publish(item)
    small = client_for(storefront, factories.buyer(company))
    fill(small, storefront, 3, nails)
    large = client_for(storefront, factories.buyer(company))
    fill(large, storefront, 18, nails)

    assert "3 for 2 on nails" in cart_html(large) and "5% off orders over" in cart_html(large)
    # One query more than the plain cart: which of the lines the multi-buy's range covers.
    assert cart_queries(small) == cart_queries(large)


# -- API ---------------------------------------------------------------------------------------


def test_api_cart_lists_applied_promotions_and_the_next_threshold(
    storefront, buyer, five_percent, chair
):
    api = token_client(storefront, buyer)
    cart = api.post("/api/v1/cart/lines/", {"product": chair.pk, "quantity": 2}, format="json")
    body = cart.json()

    assert body["promotions"] == []
    assert body["next_threshold"] == {
        "name": "5% off orders over 1.5M",
        "missing_amount": "300000.00",
        "currency": "RUB",
        "message": f"Add {currency(Decimal('300000.00'), 'RUB')} more to get 5% off the order",
    }

    body = api.post(
        "/api/v1/cart/lines/", {"product": chair.pk, "quantity": 1}, format="json"
    ).json()

    assert body["promotions"] == [
        {
            "name": "5% off orders over 1.5M",
            "description": "For regular customers.",
            "discount": "90000.00",
            "currency": "RUB",
        }
    ]
    assert body["next_threshold"] is None
    assert body["totals"]["discount"] == "90000.00"
    assert body["totals"]["incl_tax"] == "1710000.00"


def test_api_order_records_the_discount_and_the_total(
    storefront, buyer, company, five_percent, chair
):
    api = token_client(storefront, buyer)
    api.post("/api/v1/cart/lines/", {"product": chair.pk, "quantity": 3}, format="json")

    response = api.post(
        "/api/v1/orders/", {"shipping_address": company.addresses.get().pk}, format="json"
    )

    assert response.status_code == 201, response.content
    totals = response.json()["totals"]
    assert totals["discount"] == "90000.00"
    assert totals["incl_tax"] == "1710000.00"
