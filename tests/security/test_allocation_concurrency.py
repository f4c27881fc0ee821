"""Orders racing for the same stock on PostgreSQL: no unit is sold twice, no basket ordered twice."""

import threading

import pytest
from django.db import connection
from oscar.apps.basket.models import Basket

from pipit.inventory.models import WarehouseStock
from pipit.ordering.services import OrderPlacementError, place_order
from pipit.oscar_apps.order.models import Order
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.postgres


def basket_of(storefront, user, product, quantity):
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    basket.add_product(product, quantity)
    return basket


def race(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # the outcome under test
            results[i] = error
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_buyers_race_for_the_last_unit_and_only_one_gets_it(
    transactional_db, on_postgres, storefront, company, buyer, colleague
):
    last = factories.product(storefront, "Last Serum", stock={"main": 0, "north": 1})
    address = company.addresses.get()
    baskets = {user: basket_of(storefront, user, last, 1) for user in (buyer, colleague)}

    results = race(
        *(
            lambda user=user: place_order(
                storefront=storefront, user=user, basket=baskets[user], shipping_address=address
            )
            for user in (buyer, colleague)
        )
    )

    orders = [r for r in results if isinstance(r, Order)]
    refusals = [r for r in results if isinstance(r, OrderPlacementError)]
    assert len(orders) == 1 and len(refusals) == 1, results
    assert refusals[0].message_dict == {"lines": ["'Last Serum' is out of stock"]}
    assert Order.objects.count() == 1
    assert (
        WarehouseStock.objects.get(
            stockrecord__product=last, warehouse__code="alpha-north"
        ).num_allocated
        == 1
    )


def test_the_same_basket_submitted_twice_at_once_makes_one_order(
    transactional_db, on_postgres, storefront, company, buyer
):
    serum = factories.product(storefront, "Serum", stock={"main": 10})
    basket = basket_of(storefront, buyer, serum, 2)
    address = company.addresses.get()

    def submit():
        fresh = Basket.objects.get(pk=basket.pk)  # each request loads its own copy
        return place_order(
            storefront=storefront, user=buyer, basket=fresh, shipping_address=address
        )

    results = race(submit, submit)

    orders = [r for r in results if isinstance(r, Order)]
    refusals = [r for r in results if isinstance(r, OrderPlacementError)]
    assert len(orders) == 1 and len(refusals) == 1, results
    assert refusals[0].order == orders[0]
    assert Order.objects.count() == 1
    assert WarehouseStock.objects.get(stockrecord__product=serum).num_allocated == 2
