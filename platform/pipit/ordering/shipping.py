"""The shipping method of B2B orders: the supplier delivers, priced separately (or not at all)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import Free


class SupplierDelivery(Free):
    """Delivery by the supplier at no charge on the order.

    A delivery-cost plugin can replace it with a priced method; the order keeps the method's
    name and code, as Oscar does.
    """

    code = "supplier-delivery"
    name = _("Delivery by the supplier")
