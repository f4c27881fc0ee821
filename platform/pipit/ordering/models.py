"""What Pipit records about an order beyond Oscar's models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LineAllocation(models.Model):
    """Units of an order line reserved in one warehouse when the order was placed."""

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
    released = models.BooleanField(
        _("released"), default=False, help_text=_("Given back to the warehouse (order cancelled).")
    )

    class Meta:
        verbose_name = _("line allocation")
        verbose_name_plural = _("line allocations")
        ordering = ["line_id", "warehouse__priority", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "warehouse"], name="ordering_one_per_warehouse")
        ]

    def __str__(self) -> str:
        return f"{self.line_id} @ {self.warehouse_id}: {self.quantity}"
