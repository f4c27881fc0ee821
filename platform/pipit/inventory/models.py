"""Warehouses and stock per warehouse.

Oscar's ``StockRecord`` is the partner's offer for a product (SKU and base price). Pipit keeps the
physical stock beside it, one row per warehouse, because buyers order against the stock of several
warehouses and want to see each. ``StockRecord.num_in_stock`` is not used.
"""

from __future__ import annotations

from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    partner = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="warehouses",
        verbose_name=_("partner"),
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=120, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=10, help_text=_("Orders take stock from lower numbers first.")
    )

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return self.name


class WarehouseStockQuerySet(models.QuerySet):
    def with_available(self) -> WarehouseStockQuerySet:
        """Annotate ``available_units``: units in stock not reserved by placed orders."""
        return self.annotate(
            available_units=ExpressionWrapper(
                F("num_in_stock") - F("num_allocated"), output_field=models.IntegerField()
            )
        )

    def free(self) -> WarehouseStockQuerySet:
        """Rows with at least one unit a new order can take."""
        return self.with_available().filter(available_units__gt=0)


class WarehouseStock(models.Model):
    stockrecord = models.ForeignKey(
        "partner.StockRecord",
        on_delete=models.CASCADE,
        related_name="warehouse_stocks",
        verbose_name=_("stock record"),
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, related_name="stocks", verbose_name=_("warehouse")
    )
    num_in_stock = models.PositiveIntegerField(_("in stock"), default=0)
    num_allocated = models.PositiveIntegerField(
        _("allocated"),
        default=0,
        help_text=_("Reserved by placed orders; shipping takes the units out of stock."),
    )
    restock_date = models.DateField(
        _("expected restock date"),
        null=True,
        blank=True,
        help_text=_("Shown to buyers when nothing is available."),
    )

    objects = WarehouseStockQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse stock")
        verbose_name_plural = _("warehouse stocks")
        constraints = [
            models.UniqueConstraint(
                fields=["stockrecord", "warehouse"], name="inventory_one_row_per_warehouse"
            ),
            models.CheckConstraint(
                condition=Q(num_allocated__lte=F("num_in_stock")),
                name="inventory_allocated_within_stock",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stockrecord.partner_sku} @ {self.warehouse}: {self.available}"

    @property
    def available(self) -> int:
        return max(self.num_in_stock - self.num_allocated, 0)
