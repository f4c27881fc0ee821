"""A buyer fills a cart, checks out on account and finds the order in the company's history."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pipit.inventory.models import WarehouseStock
from pipit.oscar_apps.order.models import Order
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shampoo(storefront):
    return factories.product(storefront, "Argan Shampoo", price="250.00", stock={"main": 40})


@pytest.fixture
def mask(storefront):
    return factories.product(storefront, "Clay Mask", price="400.00", stock={"main": 2, "north": 5})


def add_to_cart(client, product, quantity):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302, response.content.decode()[:2000]


def checkout_data(company, **overrides):
    data = {
        "shipping_address": str(company.addresses.get().pk),
        "po_number": "PO-2024-117",
        "requested_delivery_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "comment": "Gate 4, after 10:00",
    }
    data.update(overrides)
    return data


def test_buyer_checks_out_and_the_company_sees_the_order(
    storefront,
    company,
    buyer_client,
    client_for,
    colleague,
    other_buyer,
    shampoo,
    mask,
    django_capture_on_commit_callbacks,
):
    add_to_cart(buyer_client, shampoo, 4)
    add_to_cart(buyer_client, mask, 3)

    cart = buyer_client.get(reverse("basket:summary")).content.decode()
    assert "Argan Shampoo" in cart and "Clay Mask" in cart
    assert "2,200.00" in cart  # 4 × 250 + 3 × 400 excl. VAT
    assert "2,640.00" in cart  # incl. 20% VAT

    page = buyer_client.get(reverse("checkout:index")).content.decode()
    assert "On account — pay by invoice" in page
    assert "Tverskaya" in page  # the company's delivery address is offered

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(reverse("checkout:index"), checkout_data(company))
    assert response.status_code == 302
    assert response.url == reverse("checkout:thank-you")

    order = Order.objects.get()
    thanks = buyer_client.get(response.url).content.decode()
    assert order.number in thanks
    assert "PO-2024-117" in thanks
    assert "Clay Mask" in thanks
    assert "2,640.00" in thanks

    # The mask came from both warehouses, main first.
    stock = {
        row.warehouse.code: row.num_allocated
        for row in WarehouseStock.objects.filter(stockrecord__product=mask)
    }
    assert stock == {"alpha-main": 2, "alpha-north": 1}

    # The confirmation reached the buyer, in text and HTML.
    assert [m.to for m in mail.outbox] == [["anna@alpha-salon.test"]]
    assert order.number in mail.outbox[0].subject
    assert "PO-2024-117" in mail.outbox[0].body
    assert order.number in mail.outbox[0].alternatives[0][0]

    # The cart is empty after the order.
    assert "Your cart is empty" in buyer_client.get(reverse("basket:summary")).content.decode()

    for who in (buyer_client, client_for(storefront, colleague)):
        history = who.get(reverse("customer:order-list")).content.decode()
        assert order.number in history and "PO-2024-117" in history
        detail = who.get(reverse("customer:order", kwargs={"order_number": order.number}))
        assert detail.status_code == 200
        text = detail.content.decode()
        assert "Gate 4, after 10:00" in text
        assert "anna@alpha-salon.test" in text or "Anna Buyer" in text
        assert "Tverskaya" in text

    rival = client_for(storefront, other_buyer)
    assert order.number not in rival.get(reverse("customer:order-list")).content.decode()
    assert (
        rival.get(reverse("customer:order", kwargs={"order_number": order.number})).status_code
        == 404
    )


def test_out_of_stock_at_placement_names_the_line_and_keeps_the_cart(
    storefront, company, buyer, buyer_client, shampoo, mask
):
    add_to_cart(buyer_client, shampoo, 2)
    add_to_cart(buyer_client, mask, 6)
    # A colleague's order took most masks meanwhile.
    WarehouseStock.objects.filter(stockrecord__product=mask).update(num_allocated=1)

    response = buyer_client.post(reverse("checkout:index"), checkout_data(company))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The order was not placed." in page
    assert "Only 5 of &#x27;Clay Mask&#x27; are available (you asked for 6)" in page
    assert not Order.objects.exists()
    cart = buyer_client.get(reverse("basket:summary")).content.decode()
    assert "Clay Mask" in cart
    assert "Only 5 available" in cart  # the per-line stock warning


def test_requested_date_in_the_past_is_refused_with_a_field_error(company, buyer_client, shampoo):
    add_to_cart(buyer_client, shampoo, 1)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    response = buyer_client.post(
        reverse("checkout:index"), checkout_data(company, requested_delivery_date=yesterday)
    )

    assert response.status_code == 200
    assert "The requested delivery date is in the past." in response.content.decode()
    assert not Order.objects.exists()


def test_buyer_adds_a_new_delivery_address_at_checkout(company, buyer_client, shampoo):
    add_to_cart(buyer_client, shampoo, 1)
    data = checkout_data(
        company,
        shipping_address="new",
        **{
            "address-label": "Salon on Arbat",
            "address-postcode": "119002",
            "address-city": "Moscow",
            "address-line1": "Arbat 10",
            "address-contact_name": "Olga",
            "address-contact_phone": "+7 495 123-45-67",
        },
    )

    response = buyer_client.post(reverse("checkout:index"), data)

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.shipping_address.line1 == "Arbat 10"
    assert company.addresses.filter(label="Salon on Arbat", kind="delivery").exists()


def test_new_address_is_not_kept_when_the_order_is_refused(company, buyer_client, shampoo):
    add_to_cart(buyer_client, shampoo, 1)
    WarehouseStock.objects.filter(stockrecord__product=shampoo).update(num_allocated=40)
    data = checkout_data(
        company,
        shipping_address="new",
        **{"address-postcode": "119002", "address-city": "Moscow", "address-line1": "Arbat 10"},
    )

    response = buyer_client.post(reverse("checkout:index"), data)

    assert "out of stock" in response.content.decode()
    assert company.addresses.count() == 1


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(buyer_client):
    response = buyer_client.get(reverse("checkout:index"))

    assert response.status_code == 302
    assert response.url == reverse("basket:summary")


def test_anonymous_visitor_is_asked_to_log_in(anon_client):
    response = anon_client.get(reverse("checkout:index"))

    assert response.status_code == 302
    assert reverse("customer:login") in response.url


def test_staff_without_a_company_cannot_check_out(storefront, client_for):
    staff = factories.staff(storefront)

    response = client_for(storefront, staff).get(reverse("checkout:index"))

    assert response.status_code == 403
    assert "Checkout is for company buyers" in response.content.decode()
