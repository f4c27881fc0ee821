"""Stock allocation across a storefront's warehouses, and staff edits of the stock.

Placed orders reserve stock by raising ``WarehouseStock.num_allocated`` (:func:`allocate`).
Shipping consumes the reservation: the units leave the warehouse, so ``num_in_stock`` and
``num_allocated`` both drop (:func:`consume`). Cancelling before shipping gives it back
(:func:`release`). Staff change the stock level only through :func:`set_stock`, which never
writes ``num_allocated``. Everything here locks the rows it changes, so two orders racing for the
last unit cannot both get it, and a stock edit cannot undo or undercut a concurrent reservation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from pipit.catalog.listing_cache import catalog_changed
from pipit.oscar_apps.partner.models import StockRecord

from .models import WarehouseStock


@dataclass(frozen=True)
class Allocation:
    warehouse_id: int
    quantity: int


class InsufficientStock(Exception):  # noqa: N818  (reads better at the raise site)
    """Fewer units are available in the allowed warehouses than were asked for."""

    def __init__(self, stockrecord: StockRecord, requested: int, available: int):
        self.stockrecord = stockrecord
        self.requested = requested
        self.available = available
        super().__init__(self.message)

    @property
    def message(self) -> str:
        title = self.stockrecord.product.get_title()
        if self.available <= 0:
            return _("'%(product)s' is out of stock") % {"product": title}
        return _("Only %(available)d of '%(product)s' are available (you asked for %(n)d)") % {
            "available": self.available,
            "product": title,
            "n": self.requested,
        }


def _ordered(rows: Iterable[WarehouseStock], warehouse_ids: Sequence[int]) -> list[WarehouseStock]:
    rank = {wid: i for i, wid in enumerate(warehouse_ids)}
    return sorted(rows, key=lambda row: rank[row.warehouse_id])


def lock_available(stockrecord_ids: Iterable[int], warehouse_ids: Sequence[int]) -> dict[int, int]:
    """Lock the stock rows of ``stockrecord_ids`` in ``warehouse_ids``; units available per record.

    Rows are locked in stock-record order, the same order :func:`allocate` is called in by order
    placement, so concurrent placements queue up instead of deadlocking.
    """
    available = dict.fromkeys(stockrecord_ids, 0)
    rows = (
        WarehouseStock.objects.select_for_update()
        .filter(stockrecord_id__in=list(available), warehouse_id__in=list(warehouse_ids))
        .with_available()  # every row, not just free ones: allocate() must find them all locked
        .order_by("stockrecord_id", "warehouse_id")
        .values_list("stockrecord_id", "available_units")
    )
    for stockrecord_id, units in rows:
        available[stockrecord_id] += max(units, 0)
    return available


def allocate(
    stockrecord: StockRecord, quantity: int, warehouse_ids: Sequence[int]
) -> list[Allocation]:
    """Reserve ``quantity`` units of ``stockrecord``, taking from ``warehouse_ids`` in their order.

    ``warehouse_ids`` is the storefront's warehouses by priority (``Storefront.warehouse_ids``).
    Takes greedily: the first warehouse gives all it has, then the next. Raises
    :class:`InsufficientStock` and writes nothing if the warehouses together hold too little.
    Must run inside a transaction (the rows stay locked until it commits).
    """
    if quantity <= 0:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate() must run inside transaction.atomic()")
    rows = _ordered(
        WarehouseStock.objects.select_for_update().filter(
            stockrecord=stockrecord, warehouse_id__in=list(warehouse_ids)
        ),
        warehouse_ids,
    )
    total = sum(row.available for row in rows)
    if total < quantity:
        raise InsufficientStock(stockrecord, quantity, total)

    allocations: list[Allocation] = []
    remaining = quantity
    with transaction.atomic():  # a savepoint: a refusal undoes this call's own updates
        for row in rows:
            take = min(row.available, remaining)
            if take <= 0:
                continue
            # The guard in the filter keeps this correct even where rows cannot be locked (SQLite):
            # if another transaction took the units meanwhile, nothing is updated and we refuse.
            updated = WarehouseStock.objects.filter(
                pk=row.pk, num_in_stock__gte=F("num_allocated") + take
            ).update(num_allocated=F("num_allocated") + take)
            if not updated:
                now = lock_available([stockrecord.pk], warehouse_ids)[stockrecord.pk]
                raise InsufficientStock(stockrecord, quantity, now)
            allocations.append(Allocation(row.warehouse_id, take))
            remaining -= take
            if not remaining:
                break
    catalog_changed()  # fewer free units: "in stock" listings may change
    return allocations


def release(stockrecord_id: int, allocations: Iterable[Allocation]) -> None:
    """Give back units reserved by :func:`allocate` (an order cancelled before shipping)."""
    for allocation in allocations:
        WarehouseStock.objects.filter(
            stockrecord_id=stockrecord_id,
            warehouse_id=allocation.warehouse_id,
            num_allocated__gte=allocation.quantity,
        ).update(num_allocated=F("num_allocated") - allocation.quantity)
    catalog_changed()  # units free again: "in stock" listings may change


def consume(stockrecord_id: int, allocations: Iterable[Allocation]) -> None:
    """Take units reserved by :func:`allocate` out of their warehouses (the order shipped).

    Both counters drop by the same amount, so what is available to other orders is unchanged.
    The caller marks its allocations consumed in the same transaction so this runs once.
    """
    for allocation in allocations:
        # The guard keeps the check constraint and the unsigned columns intact even if a row was
        # edited by hand; such a row is left as it is rather than failing the status change.
        WarehouseStock.objects.filter(
            stockrecord_id=stockrecord_id,
            warehouse_id=allocation.warehouse_id,
            num_allocated__gte=allocation.quantity,
            num_in_stock__gte=allocation.quantity,
        ).update(
            num_in_stock=F("num_in_stock") - allocation.quantity,
            num_allocated=F("num_allocated") - allocation.quantity,
        )


def _below_reserved(stock: WarehouseStock, reserved: int) -> ValidationError:
    return ValidationError(
        _("%(n)s are reserved by placed orders in %(warehouse)s; stock cannot be lower.")
        % {"n": reserved, "warehouse": stock.warehouse.name},
        code="below_reserved",
    )


def set_stock(
    stock_id: int, *, num_in_stock: int, restock_date: datetime.date | None
) -> WarehouseStock:
    """Set a warehouse row's stock level and restock date (a staff edit); the row afterwards.

    Locks the row and checks the new level against the reservations as they are *now*, not as
    the edit form saw them, so an order placed meanwhile is neither undercut nor overwritten:
    ``num_allocated`` is never written here. Raises :class:`ValidationError` (code
    ``below_reserved``) when fewer units would be in stock than placed orders have reserved.
    """
    with transaction.atomic():
        stock = (
            WarehouseStock.objects.select_for_update(of=("self",))
            .select_related("warehouse")
            .get(pk=stock_id)
        )
        if num_in_stock < stock.num_allocated:
            raise _below_reserved(stock, stock.num_allocated)
        stock.num_in_stock, stock.restock_date = num_in_stock, restock_date
        try:
            with transaction.atomic():
                stock.save(update_fields=["num_in_stock", "restock_date"])
        except IntegrityError:
            # Where rows cannot be locked (SQLite) an order may still have reserved units
            # between the check and the write; the check constraint refuses the write then.
            stock.refresh_from_db(fields=["num_in_stock", "num_allocated", "restock_date"])
            raise _below_reserved(stock, stock.num_allocated) from None
    return stock
