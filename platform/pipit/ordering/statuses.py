"""Human names of the order statuses in ``OSCAR_ORDER_STATUS_PIPELINE``."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

LABELS = {
    "new": pgettext_lazy("order status", "New"),
    "confirmed": pgettext_lazy("order status", "Confirmed"),
    "picking": pgettext_lazy("order status", "Being picked"),
    "shipped": pgettext_lazy("order status", "Shipped"),
    "delivered": pgettext_lazy("order status", "Delivered"),
    "cancelled": pgettext_lazy("order status", "Cancelled"),
}


def label(status: str) -> str:
    return str(LABELS.get(status, status))


def choices() -> list[tuple[str, str]]:
    """(status, label) in pipeline order, for filters and forms."""
    return [(status, LABELS.get(status, status)) for status in settings.OSCAR_ORDER_STATUS_PIPELINE]


PLACED = _("Placed")
