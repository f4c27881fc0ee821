"""What Pipit records about an order beyond Oscar's models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LineAllocation(models.Model):
    """Units of an order line reserved in one warehouse when the order was placed.

    A reservation ends exactly once: shipping consumes it (the units leave the warehouse),
    cancelling before shipping releases it (the units are sellable again).
    """

    class State(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        CONSUMED = "consumed", _("Shipped")
        RELEASED = "released", _("Released")

    line = models.ForeignKey(
        "order.Line", on_delete=models.CASCADE, related_name="allocations", verbose_name=_("line")
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        related_name="line_allocations",
        verbose_name=_("warehouse"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=State.choices,
        default=State.RESERVED,
        help_text=_(
            "Reserved: held for the order. Shipped: taken out of stock. "
            "Released: given back to the warehouse (order cancelled before shipping)."
        ),
    )

    class Meta:
        verbose_name = _("line allocation")
        verbose_name_plural = _("line allocations")
        ordering = ["line_id", "warehouse__priority", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "warehouse"], name="ordering_one_per_warehouse")
        ]

    def __str__(self) -> str:
        return f"{self.line_id} @ {self.warehouse_id}: {self.quantity} ({self.state})"

    @property
    def released(self) -> bool:
        return self.state == self.State.RELEASED

    @property
    def consumed(self) -> bool:
        return self.state == self.State.CONSUMED
