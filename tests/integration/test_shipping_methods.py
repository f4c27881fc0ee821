"""Delivery methods come from the storefront's shipping_methods plugins; the order is charged the
method the buyer chose, and a broken plugin leaves the supplier's own delivery on offer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from oscar.apps.basket.models import Basket
from oscar.core.prices import Price

from pipit.companies.models import CompanyAddress
from pipit.ordering.services import OrderPlacementError, place_order
from pipit.ordering.shipping import SupplierDelivery, quote, shipping_methods
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db


class Courier:
    code = "courier"
    name = "City courier"
    description = "Next working day"

    def calculate(self, basket):
        return Price(basket.currency, excl_tax=Decimal("500.00"), incl_tax=Decimal("600.00"))


class CourierPlugin(Plugin):
    """Offers a courier first; nothing at all to the town of Nowhere."""

    id = "courier_test"
    name = "Courier (test)"

    @hook("shipping_methods")
    def couriers(self, methods, *, storefront, settings, basket, user, company, address):
        if address is not None and address.city == "Nowhere":
            return []
        return [Courier(), *methods]


class BrokenPlugin(Plugin):
    id = "broken_shipping"
    name = "Broken shipping"

    @hook("shipping_methods")
    def explode(self, methods, **kwargs):
        raise RuntimeError("rate service down")


class WrongTypePlugin(Plugin):
    id = "wrong_type_shipping"
    name = "Returns garbage"

    @hook("shipping_methods")
    def garbage(self, methods, **kwargs):
        return "courier"


@pytest.fixture(autouse=True)
def plugins(monkeypatch):
    install_plugins(
        monkeypatch,
        {
            "courier_test": f"{__name__}:CourierPlugin",
            "broken_shipping": f"{__name__}:BrokenPlugin",
            "wrong_type_shipping": f"{__name__}:WrongTypePlugin",
        },
    )
    yield
    registry.reload()


def basket_for(storefront, user, price="1000.00", quantity=2):
    product = factories.product(storefront, "Serum", price=price, stock={"main": 10})
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    basket.add_product(product, quantity)
    return basket


def place(storefront, company, user, basket, **kwargs):
    return place_order(
        storefront=storefront,
        user=user,
        basket=basket,
        shipping_address=company.addresses.get(),
        **kwargs,
    )


def test_without_plugins_the_supplier_delivers_at_no_charge_on_the_order(
    storefront, company, buyer
):
    basket = basket_for(storefront, buyer)

    methods = shipping_methods(storefront, basket, buyer, company, company.addresses.get())
    order = place(storefront, company, buyer, basket)

    assert [m.code for m in methods] == [SupplierDelivery.code]
    assert order.shipping_code == SupplierDelivery.code
    assert order.shipping_incl_tax == 0


def test_plugin_method_comes_first_and_the_order_is_charged_its_price(storefront, company, buyer):
    enable_plugin(storefront, "courier_test")
    basket = basket_for(storefront, buyer)  # 2 × 1000 excl. VAT, 2400 incl. 20% VAT

    offered = quote(storefront, basket, buyer, company, company.addresses.get())
    order = place(storefront, company, buyer, basket)  # no choice: the first, preselected

    assert [o.code for o in offered.options] == ["courier", SupplierDelivery.code]
    assert offered.total.incl_tax == Decimal("3000.00")
    assert (order.shipping_code, order.shipping_method) == ("courier", "City courier")
    assert order.shipping_excl_tax == Decimal("500.00")
    assert order.shipping_incl_tax == Decimal("600.00")
    assert order.total_excl_tax == Decimal("2500.00")
    assert order.total_incl_tax == Decimal("3000.00")
    assert order.sources.get().amount_allocated == Decimal("3000.00")


def test_buyer_may_choose_the_supplier_delivery_instead(storefront, company, buyer):
    enable_plugin(storefront, "courier_test")

    order = place(
        storefront,
        company,
        buyer,
        basket_for(storefront, buyer),
        shipping_method_code=SupplierDelivery.code,
    )

    assert order.shipping_code == SupplierDelivery.code
    assert order.total_incl_tax == Decimal("2400.00")


def test_method_not_offered_is_a_field_error_and_nothing_is_written(storefront, company, buyer):
    enable_plugin(storefront, "courier_test")
    basket = basket_for(storefront, buyer)

    with pytest.raises(OrderPlacementError) as refused:
        place(storefront, company, buyer, basket, shipping_method_code="drone")

    assert refused.value.message_dict == {
        "shipping_method": ["This delivery method is not available for this cart and address."]
    }
    assert not buyer.orders.exists()
    assert Basket.objects.get(pk=basket.pk).status == Basket.OPEN


def test_address_nobody_delivers_to_refuses_the_basket(storefront, company, buyer):
    enable_plugin(storefront, "courier_test")
    CompanyAddress.objects.filter(company=company).update(city="Nowhere")

    with pytest.raises(OrderPlacementError) as refused:
        place(storefront, company, buyer, basket_for(storefront, buyer))

    assert refused.value.message_dict == {
        "basket": ["This cart cannot be delivered to this address."]
    }


def test_a_raising_plugin_leaves_the_default_method_on_offer(storefront, company, buyer, caplog):
    enable_plugin(storefront, "broken_shipping")
    basket = basket_for(storefront, buyer)

    methods = shipping_methods(storefront, basket, buyer, company, company.addresses.get())
    order = place(storefront, company, buyer, basket)

    assert [m.code for m in methods] == [SupplierDelivery.code]
    assert order.shipping_code == SupplierDelivery.code
    assert "broken_shipping failed in value hook shipping_methods" in caplog.text


def test_a_plugin_returning_no_list_of_methods_is_ignored(storefront, company, buyer, caplog):
    enable_plugin(storefront, "wrong_type_shipping")
    basket = basket_for(storefront, buyer)

    methods = shipping_methods(storefront, basket, buyer, company, company.addresses.get())

    assert [m.code for m in methods] == [SupplierDelivery.code]
    assert "not a list of shipping methods" in caplog.text


def test_methods_of_one_storefront_are_not_offered_on_another(
    storefront, other_storefront, company, buyer
):
    enable_plugin(storefront, "courier_test")
    other_company = factories.company(other_storefront)
    other_buyer = factories.buyer(other_company)
    basket = basket_for(other_storefront, other_buyer)

    methods = shipping_methods(
        other_storefront, basket, other_buyer, other_company, other_company.addresses.get()
    )

    assert [m.code for m in methods] == [SupplierDelivery.code]
