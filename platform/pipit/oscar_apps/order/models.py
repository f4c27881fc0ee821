"""Oscar's order, forked to carry the storefront, the buyer's company and the B2B checkout fields."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.abstract_models import AbstractOrder


class OrderQuerySet(models.QuerySet):
    def for_storefront(self, storefront):
        return self.filter(storefront=storefront)

    def for_company(self, storefront, company):
        """Orders a buyer may see: their company's, on this storefront."""
        if company is None:
            return self.none()
        return self.filter(storefront=storefront, company=company)


class Order(AbstractOrder):
    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("storefront"),
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("company"),
    )
    po_number = models.CharField(_("PO number"), max_length=64, blank=True)
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    buyer_comment = models.TextField(_("comment"), blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta(AbstractOrder.Meta):
        app_label = "order"


from oscar.apps.order.models import *  # noqa: E402,F403,I001
