"""Ordering's reactions to Oscar's order signals: a reservation ends when the order ships or is
cancelled, whichever comes first (see :class:`~pipit.ordering.models.LineAllocation`)."""

from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from .services import consume_order_stock, release_order_stock

CANCELLED = "cancelled"
#: Statuses in which the goods have left the warehouse ("delivered" only follows "shipped" in
#: the pipeline, but a status set directly must not skip the consumption).
SHIPPED = frozenset({"shipped", "delivered"})


@receiver(order_status_changed, dispatch_uid="pipit.ordering.release_stock_on_cancel")
def release_stock_on_cancel(sender, order, old_status, new_status, **kwargs):
    # A cancelled order no longer needs its reservation; the units are sellable again at once.
    if new_status == CANCELLED and old_status != CANCELLED:
        release_order_stock(order)


@receiver(order_status_changed, dispatch_uid="pipit.ordering.consume_stock_on_shipping")
def consume_stock_on_shipping(sender, order, old_status, new_status, **kwargs):
    # The units left the warehouse: they come off its stock and its reservations together.
    if new_status in SHIPPED:
        consume_order_stock(order)
