"""Ordering's reactions to Oscar's order signals: a reservation ends when the order ships or is
cancelled, whichever comes first (see :class:`~pipit.ordering.models.LineAllocation`); plugins
hear of every status change."""

from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from pipit.plugins.dispatch import emit_event

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


@receiver(order_status_changed, dispatch_uid="pipit.ordering.plugins_hear_status_change")
def tell_plugins_of_status_change(sender, order, old_status, new_status, **kwargs):
    # emit_event waits for the commit: a status change rolled back is never announced.
    if order.storefront_id is None or old_status == new_status:
        return
    emit_event(
        "order_status_changed",
        {
            "order_number": order.number,
            "storefront_id": order.storefront_id,
            "company_id": order.company_id,
            "old_status": old_status or "",
            "new_status": new_status,
        },
        storefront_id=order.storefront_id,
    )
