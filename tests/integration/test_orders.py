"""place_order: what it records, what it refuses, what it sends."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from oscar.apps.basket.models import Basket
from oscar.apps.order.signals import order_placed

from pipit.inventory.models import WarehouseStock
from pipit.ordering.services import OrderPlacementError, place_order
from pipit.oscar_apps.order.models import Order
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def basket_of(storefront, user, *items):
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


@pytest.fixture
def serum(storefront):
    return factories.product(storefront, "Serum", price="1000.00", stock={"main": 10})


def place(storefront, user, basket, address, **kwargs):
    return place_order(
        storefront=storefront, user=user, basket=basket, shipping_address=address, **kwargs
    )


def test_order_carries_the_b2b_fields_totals_and_an_on_account_payment(
    storefront, company, buyer, serum
):
    received = []
    order_placed.connect(lambda sender, order, user, **kw: received.append(order), weak=False)
    basket = basket_of(storefront, buyer, (serum, 3))
    date = timezone.localdate() + datetime.timedelta(days=5)

    order = place(
        storefront,
        buyer,
        basket,
        company.addresses.get(),
        po_number=" PO-7 ",
        requested_delivery_date=date,
        comment="Call before delivery",
    )

    order.refresh_from_db()
    assert (order.storefront, order.company, order.user) == (storefront, company, buyer)
    assert (order.po_number, order.requested_delivery_date, order.buyer_comment) == (
        "PO-7",
        date,
        "Call before delivery",
    )
    assert order.status == "new"
    assert order.total_excl_tax == Decimal("3000.00")
    assert order.total_incl_tax == Decimal("3600.00")
    assert order.currency == "RUB"
    assert order.shipping_method == "Delivery by the supplier"
    assert order.shipping_incl_tax == 0
    assert order.shipping_address.line1 == company.addresses.get().line1
    assert order.shipping_address.line3 == "Alpha Salon LLC"
    source = order.sources.get()
    assert source.source_type.name == "On account"
    assert (source.amount_allocated, source.amount_debited) == (Decimal("3600.00"), 0)
    basket.refresh_from_db()
    assert basket.status == Basket.SUBMITTED
    assert received == [order]


def test_confirmation_goes_to_the_buyer_and_a_copy_to_the_order_desk(
    storefront, company, buyer, serum, django_capture_on_commit_callbacks
):
    storefront.order_email = "orders@alpha.test"
    storefront.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = place(
            storefront,
            buyer,
            basket_of(storefront, buyer, (serum, 1)),
            company.addresses.get(),
            po_number="PO-9",
        )

    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["anna@alpha-salon.test"], ["orders@alpha.test"]]
    confirmation = mail.outbox[0]
    assert order.number in confirmation.subject and "Alpha" in confirmation.subject
    assert "PO-9" in confirmation.body and "Serum" in confirmation.body
    link = "http://alpha.test" + reverse("customer:order", kwargs={"order_number": order.number})
    assert link in confirmation.body
    html, mimetype = confirmation.alternatives[0]
    assert mimetype == "text/html" and link in html and "1,200.00" in html


def test_confirmation_is_rendered_in_the_storefronts_language(company, buyer, serum, storefront):
    from django.utils import translation

    from pipit.ordering import tasks

    storefront.language = "ru"
    storefront.save()
    order = place(
        storefront, buyer, basket_of(storefront, buyer, (serum, 1)), company.addresses.get()
    )
    seen = []
    original = tasks.render_to_string

    def spy(name, context):
        seen.append(translation.get_language())
        return original(name, context)

    tasks.render_to_string = spy
    try:
        with translation.override("en"):
            assert tasks.send_order_placed_notifications(order.pk, storefront.pk) == 1
    finally:
        tasks.render_to_string = original

    assert set(seen) == {"ru"}


def test_placing_the_same_basket_twice_makes_one_order(storefront, company, buyer, serum):
    basket = basket_of(storefront, buyer, (serum, 2))
    first = place(storefront, buyer, basket, company.addresses.get())

    with pytest.raises(OrderPlacementError) as error:
        place(storefront, buyer, basket, company.addresses.get())

    assert error.value.order == first
    assert error.value.message_dict == {
        "basket": [f"This cart has already been ordered as order {first.number}."]
    }
    assert Order.objects.count() == 1
    assert WarehouseStock.objects.get(stockrecord__product=serum).num_allocated == 2


def test_double_click_on_place_order_shows_the_first_order(
    storefront, company, buyer_client, serum
):
    buyer_client.post(reverse("basket:add", kwargs={"pk": serum.pk}), {"quantity": 1})
    data = {"shipping_address": str(company.addresses.get().pk)}

    first = buyer_client.post(reverse("checkout:index"), data)
    second = buyer_client.post(reverse("checkout:index"), data)

    assert first.url == second.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.number in buyer_client.get(second.url).content.decode()


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("empty", "basket"),
        ("someone_elses_basket", "basket"),
        ("address_of_other_company", "shipping_address"),
        ("date_in_the_past", "requested_delivery_date"),
        ("po_too_long", "po_number"),
        ("product_of_other_storefront", "lines"),
        ("inactive_company", "basket"),
    ],
)
def test_bad_input_is_refused_with_a_field_error_and_nothing_written(
    case, field, storefront, other_storefront, company, buyer, colleague, other_company, serum
):
    basket = basket_of(storefront, buyer, (serum, 1))
    address = company.addresses.get()
    kwargs = {}
    user = buyer
    if case == "empty":
        basket = basket_of(storefront, buyer)
    elif case == "someone_elses_basket":
        user = colleague
    elif case == "address_of_other_company":
        address = other_company.addresses.get()
    elif case == "date_in_the_past":
        kwargs["requested_delivery_date"] = timezone.localdate() - datetime.timedelta(days=1)
    elif case == "po_too_long":
        kwargs["po_number"] = "P" * 65
    elif case == "product_of_other_storefront":
        # Added while browsing beta (a basket belongs to the user, not to a storefront).
        foreign = factories.product(other_storefront, "Beta Cream", stock={"main": 5})
        basket.strategy = StorefrontStrategy(storefront=other_storefront, user=buyer)
        basket.add_product(foreign, 1)
    elif case == "inactive_company":
        company.is_active = False
        company.save()

    with pytest.raises(OrderPlacementError) as error:
        place(storefront, user, basket, address, **kwargs)

    assert list(error.value.message_dict) == [field]
    assert not Order.objects.exists()
    assert WarehouseStock.objects.get(stockrecord__product=serum).num_allocated == 0


def test_buyer_of_another_storefront_cannot_order_here(storefront, other_storefront, serum):
    beta_company = factories.company(other_storefront)
    beta_buyer = factories.buyer(beta_company)

    with pytest.raises(OrderPlacementError) as error:
        place(
            storefront,
            beta_buyer,
            basket_of(storefront, beta_buyer, (serum, 1)),
            beta_company.addresses.get(),
        )

    assert "Only buyers of a company registered on this storefront" in str(error.value)


def test_all_short_lines_are_named_at_once(storefront, company, buyer):
    a = factories.product(storefront, "Shampoo", stock={"main": 1})
    b = factories.product(storefront, "Balm", stock={})

    with pytest.raises(OrderPlacementError) as error:
        place(
            storefront, buyer, basket_of(storefront, buyer, (a, 2), (b, 1)), company.addresses.get()
        )

    assert sorted(error.value.message_dict["lines"]) == [
        "'Balm' is out of stock",
        "Only 1 of 'Shampoo' are available (you asked for 2)",
    ]
