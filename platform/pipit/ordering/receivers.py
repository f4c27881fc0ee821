"""Ordering's reactions to Oscar's order signals."""

from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from .services import release_order_stock

CANCELLED = "cancelled"


@receiver(order_status_changed, dispatch_uid="pipit.ordering.release_stock_on_cancel")
def release_stock_on_cancel(sender, order, old_status, new_status, **kwargs):
    # A cancelled order no longer needs its reservation; the units are sellable again at once.
    if new_status == CANCELLED and old_status != CANCELLED:
        release_order_stock(order)
