"""A company's saved lists (requisition lists): named products and quantities to order again.

A list belongs to one buyer company on one storefront; every member of that company sees and
uses it. Items keep a snapshot of the SKU and title, so a product that is deleted later (the
foreign key is set to NULL) or no longer sold still shows in the list as what it was.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 100


class SavedList(models.Model):
    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("storefront"),
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        related_name="saved_lists",
        verbose_name=_("company"),
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved list")
        verbose_name_plural = _("saved lists")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            # "Monthly restock" and "monthly restock" are the same list to the buyers.
            models.UniqueConstraint(
                Lower("name"), "company", name="pipit_saved_lists_unique_name_per_company"
            ),
        ]
        indexes = [models.Index(fields=["storefront", "company", "-updated_at"])]

    def __str__(self) -> str:
        return self.name


class SavedListItem(models.Model):
    saved_list = models.ForeignKey(
        SavedList, on_delete=models.CASCADE, related_name="items", verbose_name=_("list")
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    sku = models.CharField(_("SKU"), max_length=128, blank=True)
    title = models.CharField(_("title"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved list item")
        verbose_name_plural = _("saved list items")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="pipit_saved_lists_item_quantity_positive"
            ),
            # A product is in a list once; adding it again adds to its quantity.
            models.UniqueConstraint(
                "saved_list",
                "product",
                condition=models.Q(product__isnull=False),
                name="pipit_saved_lists_item_product_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} × {self.quantity}"
