"""Shipping takes reserved units out of the warehouse once; staff stock edits respect reservations."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from oscar.apps.basket.models import Basket
from oscar.apps.order.signals import order_status_changed

from pipit.catalog.admin_views import PriceStockForm
from pipit.inventory.models import WarehouseStock
from pipit.inventory.services import set_stock
from pipit.inventory.wagtail_hooks import StockForm
from pipit.ordering.models import LineAllocation
from pipit.ordering.services import consume_order_stock, place_order, release_order_stock
from pipit.oscar_apps.order.models import Order
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def order_of(storefront, user, company, product, quantity) -> Order:
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    basket.add_product(product, quantity)
    return place_order(
        storefront=storefront, user=user, basket=basket, shipping_address=company.addresses.get()
    )


def levels(product) -> dict[str, tuple[int, int]]:
    """(in stock, allocated) per warehouse code suffix."""
    rows = WarehouseStock.objects.filter(stockrecord__product=product).select_related("warehouse")
    return {
        row.warehouse.code.split("-", 1)[1]: (row.num_in_stock, row.num_allocated) for row in rows
    }


def ship(order):
    for status in ("confirmed", "picking", "shipped"):
        order.set_status(status)


def states(order) -> set[str]:
    return set(LineAllocation.objects.filter(line__order=order).values_list("state", flat=True))


def test_shipping_takes_the_reserved_units_out_of_each_warehouse(storefront, company, buyer):
    serum = factories.product(storefront, "Serum", stock={"main": 2, "north": 5})
    order = order_of(storefront, buyer, company, serum, 4)
    assert levels(serum) == {"main": (2, 2), "north": (5, 2)}

    ship(order)

    assert levels(serum) == {"main": (0, 0), "north": (3, 0)}
    assert states(order) == {LineAllocation.State.CONSUMED}
    # What other buyers can order did not change: 3 units in north, before and after.
    free = WarehouseStock.objects.filter(stockrecord__product=serum).free()
    assert [(row.warehouse.code, row.available_units) for row in free] == [("alpha-north", 3)]


def test_shipping_is_consumed_once_even_when_delivered_or_repeated(storefront, company, buyer):
    serum = factories.product(storefront, "Serum", stock={"main": 10})
    order = order_of(storefront, buyer, company, serum, 3)
    ship(order)

    order.set_status("delivered")
    assert consume_order_stock(order) == 0

    assert levels(serum) == {"main": (7, 0)}


def test_cancelling_after_shipping_gives_nothing_back(storefront, company, buyer, colleague):
    serum = factories.product(storefront, "Serum", stock={"main": 5})
    shipped = order_of(storefront, buyer, company, serum, 3)
    ship(shipped)
    pending = order_of(storefront, colleague, company, serum, 1)
    assert levels(serum)["main"] == (2, 1)

    # A status forced past the pipeline (or a late cancel) must not release consumed units.
    order_status_changed.send(
        sender=Order, order=shipped, old_status="shipped", new_status="cancelled"
    )
    assert release_order_stock(shipped) == 0

    assert levels(serum)["main"] == (2, 1)  # the other order's reservation is intact
    assert states(shipped) == {LineAllocation.State.CONSUMED}
    assert states(pending) == {LineAllocation.State.RESERVED}


def test_a_cancelled_order_shipped_later_takes_nothing(storefront, company, buyer):
    serum = factories.product(storefront, "Serum", stock={"main": 5})
    order = order_of(storefront, buyer, company, serum, 2)
    order.set_status("cancelled")

    assert consume_order_stock(order) == 0

    assert levels(serum)["main"] == (5, 0)
    assert states(order) == {LineAllocation.State.RELEASED}


def test_set_stock_never_drops_below_the_reserved_units(storefront, company, buyer):
    serum = factories.product(storefront, "Serum", stock={"main": 10})
    order_of(storefront, buyer, company, serum, 6)
    row = WarehouseStock.objects.get(stockrecord__product=serum, warehouse__code="alpha-main")

    with pytest.raises(ValidationError) as refused:
        set_stock(row.pk, num_in_stock=5, restock_date=None)
    assert refused.value.messages == [
        "6 are reserved by placed orders in Main warehouse; stock cannot be lower."
    ]

    updated = set_stock(row.pk, num_in_stock=6, restock_date=datetime.date(2030, 3, 1))
    assert (updated.num_in_stock, updated.num_allocated) == (6, 6)


def stock_form(row, data):
    form_class = forms.modelform_factory(
        WarehouseStock, form=StockForm, fields=["num_in_stock", "restock_date"]
    )
    return form_class(data, instance=row)


def test_stock_edit_keeps_an_allocation_made_while_the_form_was_open(storefront, company, buyer):
    serum = factories.product(storefront, "Serum", stock={"main": 10})
    row = WarehouseStock.objects.get(stockrecord__product=serum, warehouse__code="alpha-main")
    form = stock_form(row, {"num_in_stock": "12", "restock_date": ""})  # row loaded: 0 allocated
    order_of(storefront, buyer, company, serum, 4)  # meanwhile a buyer reserves 4

    assert form.is_valid(), form.errors
    form.save()

    row.refresh_from_db()
    assert (row.num_in_stock, row.num_allocated) == (12, 4)


def test_stock_edit_below_an_allocation_made_meanwhile_is_refused(storefront, company, buyer):
    serum = factories.product(storefront, "Serum", stock={"main": 10})
    row = WarehouseStock.objects.get(stockrecord__product=serum, warehouse__code="alpha-main")
    form = stock_form(row, {"num_in_stock": "3", "restock_date": ""})
    order_of(storefront, buyer, company, serum, 8)

    assert form.is_valid(), form.errors  # the form saw 0 reserved
    with pytest.raises(ValidationError) as refused:
        form.save()

    assert "8 are reserved by placed orders" in refused.value.messages[0]
    row.refresh_from_db()
    assert (row.num_in_stock, row.num_allocated) == (10, 8)


def test_price_and_stock_form_refuses_stock_below_an_allocation_made_meanwhile(
    storefront, company, buyer
):
    serum = factories.product(storefront, "Serum", price="100.00", stock={"main": 10})
    record = serum.stockrecords.prefetch_related("warehouse_stocks").get()
    main = storefront.warehouses.get(code="alpha-main")
    data = {
        f"price_{record.pk}": "120.00",
        f"stock_{record.pk}_{main.pk}": "3",
        f"restock_{record.pk}_{main.pk}": "",
    }
    form = PriceStockForm(data, records=[record], warehouses=[main], can_price=True, can_stock=True)
    order_of(storefront, buyer, company, serum, 8)  # the form still sees 0 reserved

    assert form.is_valid(), form.errors
    assert form.save(can_price=True, can_stock=True) is False

    assert "8 are reserved by placed orders" in form.errors[f"stock_{record.pk}_{main.pk}"][0]
    record.refresh_from_db()
    assert str(record.price) == "100.00"  # nothing of the refused edit was saved
    assert levels(serum)["main"] == (10, 8)
