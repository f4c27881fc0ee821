"""A staff stock edit racing an order on PostgreSQL: the reservation survives, the edit is refused
with a form error when it would undercut it, and nobody gets a 500."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.models import F
from django.urls import reverse

from pipit.inventory.models import WarehouseStock
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.postgres


def waiting_for_a_lock(timeout: float = 10) -> bool:
    """True once another connection of this database waits for a row lock."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def edit_while_an_order_reserves(row, reserve: int, submit):
    """An order's transaction reserves ``reserve`` units of ``row`` and holds the row; the staff
    edit (``submit()``, run in a thread) reaches the row meanwhile; then the order commits."""
    holding, release = threading.Event(), threading.Event()
    outcome = {}

    def order():
        try:
            with transaction.atomic():
                WarehouseStock.objects.select_for_update().filter(pk=row.pk).update(
                    num_allocated=F("num_allocated") + reserve
                )
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    def edit():
        try:
            outcome["response"] = submit()
        except Exception as error:  # a 500 in the view surfaces here
            outcome["response"] = error
        finally:
            connection.close()

    order_thread = threading.Thread(target=order)
    order_thread.start()
    assert holding.wait(timeout=10)
    edit_thread = threading.Thread(target=edit)
    edit_thread.start()
    assert waiting_for_a_lock(), "the stock edit never reached the row held by the order"
    release.set()
    order_thread.join(timeout=20)
    edit_thread.join(timeout=20)
    return outcome["response"]


@pytest.fixture
def pricing_client(storefront, client_for):
    return client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.PRICING))


def test_stock_screen_edit_keeps_a_reservation_made_meanwhile(
    transactional_db, on_postgres, storefront, pricing_client
):
    serum = factories.product(storefront, "Serum", stock={"main": 10})
    row = WarehouseStock.objects.get(stockrecord__product=serum, warehouse__code="alpha-main")
    url = reverse("commerce_stock:edit", args=[row.pk])

    response = edit_while_an_order_reserves(
        row, 4, lambda: pricing_client.post(url, {"num_in_stock": "12", "restock_date": ""})
    )

    assert getattr(response, "status_code", response) == 302
    row.refresh_from_db()
    assert (row.num_in_stock, row.num_allocated) == (12, 4)


def test_stock_screen_edit_below_a_reservation_made_meanwhile_is_a_form_error(
    transactional_db, on_postgres, storefront, pricing_client
):
    serum = factories.product(storefront, "Serum", stock={"main": 10})
    row = WarehouseStock.objects.get(stockrecord__product=serum, warehouse__code="alpha-main")
    url = reverse("commerce_stock:edit", args=[row.pk])

    response = edit_while_an_order_reserves(
        row, 8, lambda: pricing_client.post(url, {"num_in_stock": "3", "restock_date": ""})
    )

    assert getattr(response, "status_code", response) == 200
    assert "8 are reserved by placed orders in Main warehouse" in response.content.decode()
    row.refresh_from_db()
    assert (row.num_in_stock, row.num_allocated) == (10, 8)


def test_product_price_and_stock_edit_below_a_reservation_made_meanwhile_is_a_form_error(
    transactional_db, on_postgres, storefront, pricing_client
):
    serum = factories.product(storefront, "Serum", price="100.00", stock={"main": 10})
    record = serum.stockrecords.get()
    main, north = storefront.warehouses.order_by("priority")
    row = WarehouseStock.objects.get(stockrecord=record, warehouse=main)
    data = {
        f"price_{record.pk}": "120.00",
        f"stock_{record.pk}_{main.pk}": "3",
        f"restock_{record.pk}_{main.pk}": "",
        f"stock_{record.pk}_{north.pk}": "0",
        f"restock_{record.pk}_{north.pk}": "",
    }
    url = reverse("commerce_products:edit", args=[serum.pk])

    response = edit_while_an_order_reserves(row, 8, lambda: pricing_client.post(url, data))

    assert getattr(response, "status_code", response) == 200
    assert "8 are reserved by placed orders in Main warehouse" in response.content.decode()
    row.refresh_from_db()
    record.refresh_from_db()
    assert (row.num_in_stock, row.num_allocated) == (10, 8)
    assert str(record.price) == "100.00"
