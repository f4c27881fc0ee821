"""The company's order history: filters, pages and the status timeline."""

import pytest
from django.urls import reverse
from oscar.apps.basket.models import Basket

from pipit.ordering.services import place_order
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def soap(storefront):
    return factories.product(storefront, "Soap", price="10.00", stock={"main": 1000})


def order(storefront, company, user, product, po_number=""):
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    basket.add_product(product, 1)
    return place_order(
        storefront=storefront,
        user=user,
        basket=basket,
        shipping_address=company.addresses.get(),
        po_number=po_number,
    )


def test_history_filters_by_status_and_po_number(
    storefront, company, buyer, colleague, buyer_client, soap
):
    confirmed = order(storefront, company, colleague, soap, po_number="PO-A-1")
    confirmed.set_status("confirmed")
    fresh = order(storefront, company, buyer, soap, po_number="PO-B-2")
    url = reverse("customer:order-list")

    by_status = buyer_client.get(url, {"status": "confirmed"}).content.decode()
    by_po = buyer_client.get(url, {"po_number": "b-2"}).content.decode()
    nothing = buyer_client.get(url, {"po_number": "nope"}).content.decode()

    assert confirmed.number in by_status and fresh.number not in by_status
    assert "Confirmed" in by_status
    assert fresh.number in by_po and confirmed.number not in by_po
    assert "No orders match the filter." in nothing


def test_history_is_paginated_newest_first(storefront, company, buyer, buyer_client, soap):
    numbers = [order(storefront, company, buyer, soap).number for _ in range(21)]

    first = buyer_client.get(reverse("customer:order-list")).content.decode()
    second = buyer_client.get(reverse("customer:order-list"), {"page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert numbers[-1] in first and numbers[0] not in first
    assert numbers[0] in second and numbers[-1] not in second


def test_detail_shows_the_status_timeline_with_human_labels(
    storefront, company, buyer, buyer_client, soap
):
    placed = order(storefront, company, buyer, soap, po_number="PO-T")
    for status in ("confirmed", "picking", "shipped"):
        placed.set_status(status)

    page = buyer_client.get(
        reverse("customer:order", kwargs={"order_number": placed.number})
    ).content.decode()

    timeline = page[page.index("Status history") :]
    positions = [
        timeline.index(label) for label in ("Placed", "Confirmed", "Being picked", "Shipped")
    ]
    assert positions == sorted(positions)
    assert "by Anna Buyer" in timeline
    assert 'class="status status-shipped"' in page


def test_buyer_without_orders_sees_an_empty_history(buyer_client):
    page = buyer_client.get(reverse("customer:order-list")).content.decode()

    assert "Your company has no orders on this storefront yet." in page
