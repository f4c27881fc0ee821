"""Placing an order reserves stock per warehouse in priority order, or reserves nothing."""

import pytest
from oscar.apps.basket.models import Basket

from pipit.inventory.models import WarehouseStock
from pipit.ordering.models import LineAllocation
from pipit.ordering.services import OrderPlacementError, place_order, release_order_stock
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


def allocated(product, storefront) -> dict[str, int]:
    rows = WarehouseStock.objects.filter(stockrecord__product=product).select_related("warehouse")
    return {
        row.warehouse.code.removeprefix(f"{storefront.code}-"): row.num_allocated for row in rows
    }


def place(storefront, buyer, company, basket):
    return place_order(
        storefront=storefront,
        user=buyer,
        basket=basket,
        shipping_address=company.addresses.get(),
    )


def test_order_takes_stock_from_the_first_warehouse_then_the_next(storefront, company, buyer):
    shampoo = factories.product(storefront, "Shampoo", stock={"main": 3, "north": 10})

    order = place(storefront, buyer, company, basket_of(storefront, buyer, (shampoo, 5)))

    assert allocated(shampoo, storefront) == {"main": 3, "north": 2}
    line = order.lines.get()
    assert {(a.warehouse.code, a.quantity) for a in line.allocations.all()} == {
        ("alpha-main", 3),
        ("alpha-north", 2),
    }


def test_warehouse_priority_decides_not_the_creation_order(storefront, company, buyer):
    storefront.warehouses.filter(code="alpha-north").update(priority=0)
    storefront.warehouses.filter(code="alpha-main").update(priority=5)
    storefront = type(storefront).objects.get(pk=storefront.pk)  # drop cached warehouse order
    mask = factories.product(storefront, "Mask", stock={"main": 10, "north": 4})

    place(storefront, buyer, company, basket_of(storefront, buyer, (mask, 6)))

    assert allocated(mask, storefront) == {"main": 2, "north": 4}


def test_out_of_stock_line_names_the_product_and_writes_nothing(storefront, company, buyer):
    shampoo = factories.product(storefront, "Shampoo", stock={"main": 5})
    serum = factories.product(storefront, "Serum", stock={"main": 1, "north": 2})
    basket = basket_of(storefront, buyer, (shampoo, 2), (serum, 4))

    with pytest.raises(OrderPlacementError) as error:
        place(storefront, buyer, company, basket)

    assert error.value.message_dict == {
        "lines": ["Only 3 of 'Serum' are available (you asked for 4)"]
    }
    assert not Order.objects.exists()
    assert not LineAllocation.objects.exists()
    assert allocated(shampoo, storefront) == {"main": 0}
    assert allocated(serum, storefront) == {"main": 0, "north": 0}
    basket.refresh_from_db()
    assert basket.status == Basket.OPEN


def test_stock_of_another_storefronts_warehouse_is_not_used(
    storefront, other_storefront, company, buyer
):
    serum = factories.product(storefront, "Serum", stock={"main": 1})
    # A warehouse of beta holds plenty of the same stock record; alpha may not sell from it.
    beta_warehouse = other_storefront.warehouses.first()
    WarehouseStock.objects.create(
        stockrecord=serum.stockrecords.get(), warehouse=beta_warehouse, num_in_stock=100
    )

    with pytest.raises(OrderPlacementError) as error:
        place(storefront, buyer, company, basket_of(storefront, buyer, (serum, 2)))

    assert "Only 1 of 'Serum'" in error.value.message_dict["lines"][0]


def test_already_allocated_units_are_not_sold_again(storefront, company, buyer, colleague):
    serum = factories.product(storefront, "Serum", stock={"main": 3})
    place(storefront, buyer, company, basket_of(storefront, buyer, (serum, 2)))

    with pytest.raises(OrderPlacementError) as error:
        place(storefront, colleague, company, basket_of(storefront, colleague, (serum, 2)))

    assert error.value.message_dict["lines"] == [
        "Only 1 of 'Serum' are available (you asked for 2)"
    ]
    assert Order.objects.count() == 1


def test_cancelling_an_order_gives_its_stock_back_once(storefront, company, buyer, colleague):
    serum = factories.product(storefront, "Serum", stock={"main": 1, "north": 2})
    order = place(storefront, buyer, company, basket_of(storefront, buyer, (serum, 3)))
    assert allocated(serum, storefront) == {"main": 1, "north": 2}

    order.set_status("cancelled")

    assert allocated(serum, storefront) == {"main": 0, "north": 0}
    assert all(a.released for a in LineAllocation.objects.filter(line__order=order))
    # The units can be ordered again, and a repeated release changes nothing.
    place(storefront, colleague, company, basket_of(storefront, colleague, (serum, 3)))
    assert release_order_stock(order) == 0
    assert allocated(serum, storefront) == {"main": 1, "north": 2}
