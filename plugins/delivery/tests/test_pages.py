"""What the buyer sees: delivery costs in the cart, methods at checkout, the charge on the order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pipit.oscar_apps.order.models import Order
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from pipit_delivery.demo import load_demo
from pipit_delivery.models import DeliveryMethod, DeliveryZone

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(buyer_client, heavy):
    """4 × 1000 excl. VAT = 4800 incl. VAT, 10 kg."""
    response = buyer_client.post(reverse("basket:add", kwargs={"pk": heavy.pk}), {"quantity": 4})
    assert response.status_code == 302


def test_cart_lists_the_costs_for_the_default_address_with_the_free_delivery_hint(
    switched_on, courier, transport, pickup, cart, buyer_client
):
    page = buyer_client.get(reverse("basket:summary")).content.decode()

    assert "Delivery costs" in page
    assert "To Main (Moscow)" in page
    assert "Moscow courier" in page and "600.00" in page
    assert "Transport company" in page and "912.00" in page  # 400 + 30 × 10 kg + 1500 × 0.04 m³
    assert "Pickup: Main warehouse" in page
    # Free from 30 000 incl. VAT: 25 200 missing.
    assert "Moscow courier is free from" in page and "30,000.00" in page and "25,200.00" in page
    # The cart's totals estimate the first method: 4800 + 600.
    assert "Delivery, estimate" in page and "5,400.00" in page


def test_hint_can_be_switched_off(storefront, courier, cart, buyer_client):
    enable_plugin(storefront, "delivery", keep_default_method=True, free_delivery_hint=False)

    page = buyer_client.get(reverse("basket:summary")).content.decode()

    assert "Moscow courier" in page and "is free from" not in page


def test_cart_page_queries_do_not_grow_with_lines(
    storefront, switched_on, courier, transport, pickup, buyer_client
):
    def queries_for_cart_of(n: int) -> int:
        for i in range(n):
            product = factories.product(storefront, f"Line {n}-{i}", stock={"main": 5})
            factories.attribute_value(product, "weight_kg", 1.5)
            buyer_client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
        buyer_client.get(reverse("basket:summary"))  # warm the per-storefront caches
        with CaptureQueriesContext(connection) as queries:
            assert buyer_client.get(reverse("basket:summary")).status_code == 200
        return len(queries)

    # Pipit's cart page (17) plus the default address for the totals' estimate, and the plugin's
    # rules, the weights of all lines and the address for its cost table: 4 in all.
    assert queries_for_cart_of(2) == queries_for_cart_of(10) == 21


def test_checkout_offers_the_methods_and_the_order_is_charged_the_chosen_one(
    switched_on, courier, transport, pickup, cart, company, buyer_client
):
    page = buyer_client.get(reverse("checkout:index")).content.decode()
    assert 'value="courier-moscow" checked' in page
    for name in ("Moscow courier", "Transport company", "Pickup: Main warehouse"):
        assert name in page
    assert "Delivery by the supplier" in page  # kept by the settings

    response = buyer_client.post(
        reverse("checkout:index"),
        {"shipping_address": str(company.addresses.get().pk), "shipping_method": "transport"},
    )

    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.shipping_code, order.shipping_method) == ("transport", "Transport company")
    assert order.shipping_incl_tax == Decimal("912.00")
    assert order.total_incl_tax == Decimal("5712.00")


def test_pickup_costs_nothing_on_the_order(switched_on, pickup, cart, company, buyer_client):
    buyer_client.post(
        reverse("checkout:index"),
        {"shipping_address": str(company.addresses.get().pk), "shipping_method": "pickup-main"},
    )

    order = Order.objects.get()
    assert order.shipping_method == "Pickup: Main warehouse"
    assert order.shipping_incl_tax == 0


def test_without_the_default_a_far_address_cannot_order(
    storefront, courier, cart, company, buyer_client
):
    enable_plugin(storefront, "delivery", keep_default_method=False)
    far = company.addresses.create(label="Far", city="Kazan", postcode="420000", line1="Baumana 1")

    page = buyer_client.post(
        reverse("checkout:index"), {"shipping_address": str(far.pk), "update_delivery": "1"}
    ).content.decode()
    response = buyer_client.post(reverse("checkout:index"), {"shipping_address": str(far.pk)})

    assert "This cart cannot be delivered to this address." in page
    assert "Delivery by the supplier" not in page
    assert "This cart cannot be delivered to this address." in response.content.decode()
    assert not Order.objects.exists()


def test_switched_off_the_buyer_sees_only_the_supplier_delivery(
    storefront, courier, transport, cart, buyer_client
):
    enable_plugin(storefront, "delivery", enabled=False)

    cart_page = buyer_client.get(reverse("basket:summary")).content.decode()
    checkout = buyer_client.get(reverse("checkout:index")).content.decode()

    assert "Delivery costs" not in cart_page and "Moscow courier" not in cart_page
    assert "Moscow courier" not in checkout and "Delivery by the supplier" in checkout


def test_russian_storefront_shows_the_costs_in_russian(client_for):
    shop = factories.storefront("gamma", language="ru")
    enable_plugin(shop, "delivery")
    DeliveryMethod.objects.create(storefront=shop, code="courier", name="Курьер", base_cost="100")
    buyer = factories.buyer(factories.company(shop))
    product = factories.product(shop, "Крем", price="1000.00")
    client = client_for(shop, buyer)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})

    page = client.get(reverse("basket:summary")).content.decode()
    translation.activate("en")  # the request left Russian active in this thread

    assert "Стоимость доставки" in page
    assert "Курьер" in page


def test_demo_rules_load_once_for_russian_storefronts(other_storefront):
    shop = factories.storefront("delta", language="ru")
    shop.warehouses.filter(code="delta-main").update(city="Москва")

    load_demo(shop)
    load_demo(shop)  # idempotent
    load_demo(other_storefront)  # English: nothing

    codes = set(DeliveryMethod.objects.filter(storefront=shop).values_list("code", flat=True))
    assert codes == {
        "courier-moscow",
        "courier-spb",
        "transport-company",
        "pickup-delta-main",
        "pickup-delta-north",
    }
    assert DeliveryZone.objects.filter(storefront=shop).count() == 2
    assert not DeliveryMethod.objects.filter(storefront=other_storefront).exists()
    pickup = DeliveryMethod.objects.get(code="pickup-delta-main")
    for method in DeliveryMethod.objects.all():
        method.full_clean()
    with translation.override("ru"):
        assert str(pickup.display_name) == "Самовывоз: Main warehouse, Москва"
