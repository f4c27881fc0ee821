"""Order promotions: discounts on the whole cart from a threshold, and multi-buys.

Sales ops edit an :class:`OrderPromotion` in the admin as a Wagtail draft (revisions, scheduled
publishing, workflows); nothing takes effect until it is published. Publishing turns it into an
Oscar site offer (:mod:`pipit.promotions.services`): a ``ConditionalOffer`` whose condition is
:class:`~pipit.promotions.conditions.PromotionCondition` (storefront, buyer, dates, threshold or
item count) and whose benefit is one of :mod:`pipit.promotions.benefits`; an Oscar ``Range``
holds a multi-buy's products. :class:`PromotionOffer` links the two and keeps the published terms
the cart reads, so the Oscar rows stay an implementation detail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import CharField, Exists, OuterRef, Prefetch
from django.db.models.functions import Cast
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Revision,
    RevisionMixin,
    WorkflowMixin,
    WorkflowState,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class OrderPromotionQuerySet(models.QuerySet):
    def for_storefront(self, storefront) -> OrderPromotionQuerySet:
        return self.filter(storefront=storefront)

    def for_staff(self, user) -> OrderPromotionQuerySet:
        """Promotions of the storefronts a staff user administers (all for superusers)."""
        from pipit.tenancy.models import Storefront

        return self.filter(storefront__in=Storefront.objects.for_staff(user))

    def with_admin_status(self) -> OrderPromotionQuerySet:
        """Load what the admin listing's status column reads, for the whole page at once."""
        approved_schedule = Revision.objects.filter(
            base_content_type=ContentType.objects.get_for_model(self.model),
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            approved_go_live_at__isnull=False,
        )
        active_workflows = WorkflowState.objects.active().select_related("current_task_state__task")
        return self.annotate(_approved_schedule=Exists(approved_schedule)).prefetch_related(
            Prefetch("_workflow_states", active_workflows, to_attr="_current_workflow_states")
        )


class OrderPromotion(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, ClusterableModel
):
    """A discount on the buyer's whole cart from a threshold, or a multi-buy on chosen products."""

    class Kind(models.TextChoices):
        PERCENT_OFF = "percent_off", _("Percent off the order from a threshold")
        AMOUNT_OFF = "amount_off", _("Fixed amount off the order from a threshold")
        BUY_N_GET_M = "buy_n_get_m", _("Multi-buy: of every N items, the cheapest M free")
        # xgettext:no-python-format
        NTH_ITEM_PERCENT = "nth_percent", _("Multi-buy: every N-th item X% off")

    class CustomerScope(models.TextChoices):
        ALL = "all", _("All buyers of the storefront")
        GROUPS = "groups", _("Customer groups")
        COMPANIES = "companies", _("Companies")

    THRESHOLD_KINDS = (Kind.PERCENT_OFF, Kind.AMOUNT_OFF)
    MULTIBUY_KINDS = (Kind.BUY_N_GET_M, Kind.NTH_ITEM_PERCENT)

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="order_promotions",
        verbose_name=_("storefront"),
    )
    name = models.CharField(
        _("name"),
        max_length=120,
        # xgettext:no-python-format
        help_text=_("Buyers see it in the cart and on the order, e.g. '5% off orders over 1.5M'."),
    )
    description = models.TextField(
        _("description for buyers"),
        blank=True,
        help_text=_("Optional conditions in a sentence or two, shown in the cart."),
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.PERCENT_OFF
    )
    threshold = models.DecimalField(
        _("threshold, incl. VAT"),
        null=True,
        blank=True,
        help_text=_(
            "For threshold promotions: the cart total the buyer must reach, as the buyer sees "
            "it — the cart's products at the buyer's prices including VAT, before promotion "
            "discounts, without delivery."
        ),
        **MONEY,
    )
    value = models.DecimalField(
        _("discount"),
        null=True,
        blank=True,
        help_text=_(
            "Percent for 'percent off' and 'every N-th item'; the amount including VAT for "
            "'fixed amount off'. Not used by 'the cheapest M free'."
        ),
        **MONEY,
    )
    buy_quantity = models.PositiveSmallIntegerField(
        _("N: items in a set"),
        null=True,
        blank=True,
        help_text=_("Multi-buy: every N items of the products below make a set."),
    )
    free_quantity = models.PositiveSmallIntegerField(
        _("M: free items per set"),
        null=True,
        blank=True,
        help_text=_("'The cheapest M free': how many of the cheapest items of a set are free."),
    )
    customer_scope = models.CharField(
        _("buyers"), max_length=12, choices=CustomerScope.choices, default=CustomerScope.ALL
    )
    groups = ParentalManyToManyField(
        "pricing.CustomerGroup",
        blank=True,
        related_name="order_promotions",
        verbose_name=_("customer groups"),
    )
    companies = ParentalManyToManyField(
        "companies.Company",
        blank=True,
        related_name="order_promotions",
        verbose_name=_("companies"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Inclusive. Empty means open-ended.")
    )
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("Promotions apply from the highest priority down.")
    )
    exclusive = models.BooleanField(
        _("exclusive"),
        default=False,
        help_text=_(
            "An exclusive promotion does not combine with others: items it discounts get no "
            "other promotion, and it skips items another promotion already discounted."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrderPromotionQuerySet.as_manager()

    class Meta:
        verbose_name = _("order promotion")
        verbose_name_plural = _("order promotions")
        ordering = ["storefront", "-priority", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_threshold(self) -> bool:
        return self.kind in self.THRESHOLD_KINDS

    @property
    def is_multibuy(self) -> bool:
        return self.kind in self.MULTIBUY_KINDS

    @property
    def approved_schedule(self) -> bool:
        # Annotated on admin listings (see OrderPromotionQuerySet.with_admin_status).
        if hasattr(self, "_approved_schedule"):
            return self._approved_schedule
        return super().approved_schedule

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity is before its start.")
        if self.value is not None and self.value <= 0:
            errors["value"] = _("The discount must be above zero.")
        if self.is_threshold:
            if self.threshold is None or self.threshold <= 0:
                errors["threshold"] = _("Set the cart total from which the discount applies.")
            if self.value is None:
                errors.setdefault("value", _("Set the discount."))
            elif self.kind == self.Kind.PERCENT_OFF and self.value > 100:
                errors["value"] = _("A discount cannot exceed 100%.")
            elif (
                self.kind == self.Kind.AMOUNT_OFF
                and self.threshold is not None
                and self.value >= self.threshold
            ):
                errors["value"] = _("The discount must be smaller than the threshold.")
        else:
            if not self.buy_quantity or self.buy_quantity < 2:
                errors["buy_quantity"] = _("A set has at least 2 items.")
            if self.kind == self.Kind.BUY_N_GET_M:
                if not self.free_quantity:
                    errors["free_quantity"] = _("Set how many items of a set are free.")
                elif self.buy_quantity and self.free_quantity >= self.buy_quantity:
                    errors["free_quantity"] = _("Fewer items must be free than a set has.")
            else:
                if self.value is None:
                    errors.setdefault("value", _("Set the discount."))
                elif self.value > 100:
                    errors["value"] = _("A discount cannot exceed 100%.")
        if errors:
            raise ValidationError(errors)

    def valid_on(self, on: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )

    @property
    def discount_percent(self) -> Decimal:
        """The percent a multi-buy takes off the discounted items (100: free)."""
        if self.kind == self.Kind.BUY_N_GET_M:
            return Decimal("100")
        return self.value or Decimal("0")

    @property
    def terms_label(self) -> str:
        """What it gives, in a few words, for admin listings."""
        from oscar.templatetags.currency_filters import currency

        money = self.storefront.currency if self.storefront_id else None
        if self.kind == self.Kind.PERCENT_OFF:
            return gettext("%(value)s%% off from %(threshold)s") % {
                "value": _number(self.value),
                "threshold": currency(self.threshold, money),
            }
        if self.kind == self.Kind.AMOUNT_OFF:
            return gettext("%(value)s off from %(threshold)s") % {
                "value": currency(self.value, money),
                "threshold": currency(self.threshold, money),
            }
        if self.kind == self.Kind.BUY_N_GET_M:
            return gettext("%(free)s of every %(n)s free") % {
                "free": self.free_quantity,
                "n": self.buy_quantity,
            }
        return gettext("every %(n)s-th item %(value)s%% off") % {
            "n": self.buy_quantity,
            "value": _number(self.value),
        }

    @property
    def audience_label(self) -> str:
        if self.customer_scope == self.CustomerScope.GROUPS:
            names = [g.name for g in self.groups.all()]
            return ", ".join(names) or gettext("No group chosen")
        if self.customer_scope == self.CustomerScope.COMPANIES:
            count = len(self.companies.all())
            return ngettext("%(n)d company", "%(n)d companies", count) % {"n": count}
        return gettext("All buyers")


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


class OrderPromotionCategory(models.Model):
    """A category (with its subcategories) whose products count for a multi-buy."""

    promotion = ParentalKey(
        OrderPromotion, on_delete=models.CASCADE, related_name="scope_categories"
    )
    category = models.ForeignKey(
        "catalogue.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return str(self.category)


class OrderPromotionProduct(models.Model):
    """A product (a parent covers its variants) that counts for a multi-buy."""

    promotion = ParentalKey(OrderPromotion, on_delete=models.CASCADE, related_name="scope_products")
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return str(self.product)


class PromotionOffer(models.Model):
    """The Oscar offer a published promotion runs as, with the terms it was published with.

    Written only by :mod:`pipit.promotions.services`. ``terms`` is what the condition, the
    benefits and the cart hint read (one cached row per promotion, see
    :mod:`pipit.promotions.terms`); ``active`` is false while the promotion is unpublished.
    """

    promotion = models.OneToOneField(
        OrderPromotion, on_delete=models.CASCADE, related_name="oscar_offer"
    )
    offer = models.OneToOneField(
        "offer.ConditionalOffer", on_delete=models.CASCADE, related_name="pipit_promotion"
    )
    storefront = models.ForeignKey("tenancy.Storefront", on_delete=models.CASCADE, related_name="+")
    terms = models.JSONField(default=dict)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("promotion offer")
        indexes = [models.Index(fields=["storefront", "active"], name="promotions_offer_live")]

    def __str__(self) -> str:
        return f"{self.promotion_id} → {self.offer_id}"


# Oscar instantiates condition and benefit proxies by their dotted path; as proxy models they
# must be registered with the app, so they are imported here.
from . import benefits, conditions  # noqa: E402,F401
