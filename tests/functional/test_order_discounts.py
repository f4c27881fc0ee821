"""A promotion taken off an order shows by name on the buyer's order page and in the order API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pipit.promotions import services
from pipit.testing import factories
from tests.integration.test_promotions import basket_of, place, threshold_promotion

pytestmark = pytest.mark.django_db


def test_the_order_names_its_promotion_and_its_lines_before_the_discount(
    storefront, buyer, buyer_client
):
    chair = factories.product(storefront, "Salon chair", price="500000.00", stock={"main": 50})
    services.publish(threshold_promotion(storefront, name="Big order 5%"))
    order = place(storefront, buyer, basket_of(storefront, buyer, (chair, 3)))

    page = buyer_client.get(reverse("customer:order", args=[order.number])).content.decode()
    assert "Big order 5%" in page
    assert "1,800,000.00" in page or "1 800 000,00" in page  # the lines before the discount
    assert "90,000.00" in page or "90 000,00" in page

    api = factories.token_client(storefront, buyer)
    body = api.get(f"/api/v1/orders/{order.number}/").json()
    assert body["discounts"] == [{"name": "Big order 5%", "amount": "90000.00", "currency": "RUB"}]
    assert Decimal(body["totals"]["incl_tax"]) == Decimal("1710000.00")
