"""A buyer company's own names for products: its SKU aliases."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .parsing import normalise_sku


class SkuAliasQuerySet(models.QuerySet):
    def for_company(self, company) -> SkuAliasQuerySet:
        return self.filter(company=company)


class SkuAlias(models.Model):
    """A code a buyer company uses for a product (its own article number, an old SKU…).

    Quick order matches the storefront's SKUs first, then the aliases of the buyer's company;
    another company never sees or matches them. Compared like SKUs: case, spaces and dashes do
    not count (``normalised``).
    """

    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        related_name="quick_order_aliases",
        verbose_name=_("company"),
    )
    alias = models.CharField(
        _("alias"), max_length=100, help_text=_("The code the company uses for the product.")
    )
    normalised = models.CharField(_("normalised alias"), max_length=100, editable=False)
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="quick_order_aliases",
        verbose_name=_("product"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = SkuAliasQuerySet.as_manager()

    class Meta:
        verbose_name = _("SKU alias")
        verbose_name_plural = _("SKU aliases")
        ordering = ["normalised"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "normalised"],
                name="quick_order_one_alias_per_company",
                violation_error_message=_("The company already has this alias."),
            )
        ]

    def __str__(self) -> str:
        return self.alias

    def save(self, *args, **kwargs) -> None:
        self.normalised = normalise_sku(self.alias)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.alias = " ".join(self.alias.split())
        self.normalised = normalise_sku(self.alias)
        if not self.normalised:
            raise ValidationError({"alias": _("Enter the alias.")})
