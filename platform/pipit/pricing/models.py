"""Price lists, customer groups, price rules and the compiled effective-price table.

Sources (what sales ops edit):

- :class:`CustomerGroup`: companies of a storefront grouped for pricing ("regular", "distributor").
- :class:`PriceList` with :class:`PriceListItem` rows: a storefront's base list, lists for customer
  groups, and company lists whose rows each name a company (contract prices, usually imported).
  Lists chain company → group → storefront → the partner's base price, the way OroCommerce
  chains them; within a level the list with the highest priority that has a price wins.
- :class:`PriceRule` with :class:`PriceRuleTier` rows: low-code rules applied over the list price.

Lists and rules are Wagtail drafts with revisions, scheduled publishing and workflows; nothing
takes effect until published. Publishing compiles the change into :class:`EffectivePrice`
(see :mod:`pipit.pricing.compiler`), which the storefront reads with one indexed query per page.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index

CURRENCIES = [("RUB", "RUB"), ("EUR", "EUR"), ("USD", "USD"), ("KZT", "KZT"), ("BYN", "BYN")]
MONEY = {"max_digits": 14, "decimal_places": 2}


class StorefrontScopedQuerySet(models.QuerySet):
    def for_storefront(self, storefront):
        return self.filter(storefront=storefront)

    def for_staff(self, user):
        from pipit.tenancy.models import Storefront

        return self.filter(storefront__in=Storefront.objects.for_staff(user))


class PublishableQuerySet(StorefrontScopedQuerySet):
    def in_force(self, on: datetime.date):
        """Published and inside the validity window on ``on``."""
        return self.filter(live=True).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )


class ValidityMixin(models.Model):
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Inclusive. Empty means open-ended.")
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})

    def valid_on(self, on: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )


class CustomerGroup(models.Model):
    """Companies of one storefront priced alike: lists and rules can target the group."""

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="customer_groups",
        verbose_name=_("storefront"),
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, help_text=_("e.g. 'regular', 'distributor'."))
    description = models.TextField(_("description"), blank=True)
    companies = models.ManyToManyField(
        "companies.Company",
        blank=True,
        related_name="customer_groups",
        verbose_name=_("companies"),
    )

    objects = StorefrontScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["storefront", "name"]
        constraints = [
            models.UniqueConstraint(fields=["storefront", "code"], name="pricing_group_code")
        ]

    def __str__(self) -> str:
        return self.name


class PriceList(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel
):
    """A set of prices for a level of the chain: the storefront, customer groups, or companies.

    The list's own fields (level, groups, validity, priority) are versioned and take effect on
    publish. Its rows (:class:`PriceListItem`) are edited and imported with a dry run; rows of a
    list that was never published do not count yet.
    """

    class Kind(models.TextChoices):
        STOREFRONT = "storefront", _("Storefront base list")
        GROUP = "group", _("Customer group list")
        COMPANY = "company", _("Company contract prices")

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="price_lists",
        verbose_name=_("storefront"),
    )
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(
        _("applies to"),
        max_length=12,
        choices=Kind.choices,
        default=Kind.STOREFRONT,
        help_text=_(
            "A company list's rows each name their company; a group list applies to the "
            "companies of its groups; a storefront list to every buyer."
        ),
    )
    groups = ParentalManyToManyField(
        CustomerGroup, blank=True, related_name="price_lists", verbose_name=_("customer groups")
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="RUB")
    priority = models.IntegerField(
        _("priority"),
        default=0,
        help_text=_("Where several lists of one level price a product, the highest priority wins."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Inclusive. Empty means open-ended.")
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishableQuerySet.as_manager()

    search_fields = [index.SearchField("name"), index.FilterField("storefront")]

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["storefront", "kind", "-priority", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        if self.storefront_id and self.currency != self.storefront.currency:
            raise ValidationError(
                {
                    "currency": _("This storefront sells in %(currency)s.")
                    % {"currency": self.storefront.currency}
                }
            )

    def valid_on(self, on: datetime.date) -> bool:
        return ValidityMixin.valid_on(self, on)


class PriceListItem(ValidityMixin):
    """One price of a list: a product (a parent's price covers its variants) from a quantity."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="price_list_items",
        verbose_name=_("product"),
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contract_prices",
        verbose_name=_("company"),
        help_text=_("Rows of a company list name the company they are for."),
    )
    min_quantity = models.PositiveIntegerField(
        _("from quantity"), default=1, validators=[MinValueValidator(1)]
    )
    price = models.DecimalField(
        _("price before tax"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("price list row")
        verbose_name_plural = _("price list rows")
        ordering = ["price_list", "product", "company", "min_quantity"]
        indexes = [
            models.Index(fields=["product", "price_list"], name="pricing_item_product"),
            models.Index(fields=["company", "product"], name="pricing_item_company"),
        ]
        constraints = [
            # One row per list, product, company, quantity and start date; "no company" and "no
            # start" count as values (coalesced), on every database (SQLite has no NULLS NOT
            # DISTINCT).
            models.UniqueConstraint(
                F("price_list"),
                F("product"),
                Coalesce(F("company"), Value(0)),
                F("min_quantity"),
                Coalesce(
                    F("valid_from"), Value(datetime.date(1, 1, 1), output_field=models.DateField())
                ),
                name="pricing_item_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ≥{self.min_quantity}: {self.price}"


class PriceRule(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel
):
    """A low-code price rule: which products, for whom, what it does, when, and how it stacks."""

    class ProductScope(models.TextChoices):
        ALL = "all", _("All products")
        CATEGORIES = "categories", _("Categories (with subcategories)")
        BRANDS = "brands", _("Brands")
        ATTRIBUTE = "attribute", _("Attribute value")
        PRODUCTS = "products", _("Chosen products")

    class CustomerScope(models.TextChoices):
        ALL = "all", _("All buyers")
        GROUPS = "groups", _("Customer groups")
        COMPANIES = "companies", _("Companies")

    class Action(models.TextChoices):
        PERCENT_OFF = "percent_off", _("Percent off")
        FIXED_PRICE = "fixed_price", _("Fixed price")
        MARKUP = "markup", _("Markup over cost, %")
        ROUND = "round", _("Round to a step")

    class Stacking(models.TextChoices):
        BEST = "best", _("Best price for the buyer")
        FIRST = "first", _("First match (stops later rules)")
        CUMULATIVE = "cumulative", _("Cumulative (on top of earlier rules)")

    class Rounding(models.TextChoices):
        NEAREST = "nearest", _("Nearest")
        UP = "up", _("Up")
        DOWN = "down", _("Down")

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="price_rules",
        verbose_name=_("storefront"),
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)

    product_scope = models.CharField(
        _("products"), max_length=12, choices=ProductScope.choices, default=ProductScope.ALL
    )
    categories = ParentalManyToManyField(
        "catalogue.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    brands = models.TextField(_("brands"), blank=True, help_text=_("One brand per line."))
    attribute_code = models.SlugField(_("attribute code"), max_length=128, blank=True)
    attribute_value = models.CharField(_("attribute value"), max_length=255, blank=True)
    products = ParentalManyToManyField(
        "catalogue.Product",
        blank=True,
        related_name="+",
        verbose_name=_("chosen products"),
        help_text=_("A parent product covers all its variants."),
    )

    customer_scope = models.CharField(
        _("buyers"), max_length=12, choices=CustomerScope.choices, default=CustomerScope.ALL
    )
    groups = ParentalManyToManyField(
        CustomerGroup, blank=True, related_name="price_rules", verbose_name=_("customer groups")
    )
    companies = ParentalManyToManyField(
        "companies.Company", blank=True, related_name="price_rules", verbose_name=_("companies")
    )

    action = models.CharField(
        _("action"), max_length=12, choices=Action.choices, default=Action.PERCENT_OFF
    )
    value = models.DecimalField(
        _("value"),
        null=True,
        blank=True,
        help_text=_(
            "Percent for 'percent off' and 'markup', the price before tax for 'fixed price', "
            "the step for 'round'. Leave empty when only the quantity tiers below apply."
        ),
        **MONEY,
    )
    rounding = models.CharField(
        _("rounding"), max_length=8, choices=Rounding.choices, default=Rounding.NEAREST
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Inclusive. Empty means open-ended.")
    )
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("Rules run from the highest priority down.")
    )
    stacking = models.CharField(
        _("stacking"), max_length=12, choices=Stacking.choices, default=Stacking.BEST
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishableQuerySet.as_manager()

    search_fields = [index.SearchField("name"), index.FilterField("storefront")]

    class Meta:
        verbose_name = _("price rule")
        verbose_name_plural = _("price rules")
        ordering = ["storefront", "-priority", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity is before its start.")
        if self.value is not None:
            if self.value < 0:
                errors["value"] = _("The value cannot be negative.")
            elif self.action == self.Action.PERCENT_OFF and self.value > 100:
                errors["value"] = _("A discount cannot exceed 100%.")
            elif self.action == self.Action.ROUND and self.value == 0:
                errors["value"] = _("The rounding step must be above zero.")
        if errors:
            raise ValidationError(errors)

    def valid_on(self, on: datetime.date) -> bool:
        return ValidityMixin.valid_on(self, on)

    @property
    def brand_names(self) -> list[str]:
        return [b.strip() for b in self.brands.splitlines() if b.strip()]


class PriceRuleTier(models.Model):
    """From this quantity on, the rule uses this value instead of its own."""

    rule = ParentalKey(PriceRule, on_delete=models.CASCADE, related_name="tiers")
    min_quantity = models.PositiveIntegerField(
        _("from quantity"), validators=[MinValueValidator(1)]
    )
    value = models.DecimalField(_("value"), validators=[MinValueValidator(Decimal("0"))], **MONEY)

    class Meta:
        verbose_name = _("quantity tier")
        verbose_name_plural = _("quantity tiers")
        ordering = ["min_quantity"]

    def __str__(self) -> str:
        return f"≥{self.min_quantity}: {self.value}"


class JSONTextField(models.TextField):
    """JSON kept as compact text rather than ``jsonb``: the effective-price table holds a
    million rows whose steps are only ever read whole, and as text they take 170 bytes a row
    instead of 310 (a full rebuild writes half the data). Reads give the decoded value."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as error:
                raise ValidationError(str(error)) from error
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"))


class EffectivePrice(models.Model):
    """A compiled price: what a buyer pays for a product from a quantity, today.

    Rows are written only by :mod:`pipit.pricing.compiler`. ``segment`` is the buyer's set of
    customer groups ("" for none, "3.7" for groups 3 and 7); rows with a ``company`` hold that
    company's own prices and exist only where they differ from its segment's. The resolver reads
    company rows first, then its segment's, then the storefront's ("").

    Plain id columns without foreign-key constraints keep bulk rebuilds fast; the compiler
    removes rows of deleted products and companies.
    """

    storefront_id = models.IntegerField()
    product_id = models.IntegerField()
    segment = models.CharField(max_length=64, default="", blank=True)
    company_id = models.IntegerField(null=True)
    min_quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(**MONEY)
    base_price = models.DecimalField(**MONEY)
    steps = JSONTextField(default=list)

    class Meta:
        verbose_name = _("effective price")
        verbose_name_plural = _("effective prices")
        indexes = [
            # Every row of a product, company rows included: a publish's delete of the
            # products it touches (without it, a seq scan of the whole table: 13 s at the
            # benchmark's size), and the resolver's segment rows, ``company_id IS NULL`` in the
            # index condition (not a filter over every company's rows of the product).
            models.Index(
                fields=["storefront_id", "product_id", "segment", "company_id"],
                name="pricing_eff_product",
            ),
            models.Index(
                fields=["company_id", "product_id"],
                condition=Q(company_id__isnull=False),
                name="pricing_eff_company_rows",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ≥{self.min_quantity}: {self.price}"


class PricingState(models.Model):
    """Per storefront: when prices were compiled and for which day (rules and rows have dates)."""

    storefront = models.OneToOneField(
        "tenancy.Storefront", on_delete=models.CASCADE, related_name="pricing_state"
    )
    compiled_on = models.DateField(null=True)
    compiled_at = models.DateTimeField(null=True)
    rows = models.PositiveIntegerField(default=0)
    last_full_seconds = models.FloatField(null=True)
    segments = models.JSONField(default=list)

    class Meta:
        verbose_name = _("pricing state")

    def __str__(self) -> str:
        return f"{self.storefront_id}: {self.compiled_on}"


class PricingFootprint(models.Model):
    """What a published rule or list reached when it was last compiled.

    Publishing a new version recompiles the old footprint and the new one, so products a rule
    no longer covers get their prices back.
    """

    storefront = models.ForeignKey("tenancy.Storefront", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)  # rule | list
    object_id = models.PositiveBigIntegerField()
    scope = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="pricing_footprint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class LinePrice(models.Model):
    """How an order line's price was made, kept with the order (lists and rules change later)."""

    line = models.OneToOneField(
        "order.Line", on_delete=models.CASCADE, related_name="pricing", verbose_name=_("line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    base_price = models.DecimalField(_("base price before tax"), **MONEY)
    price = models.DecimalField(_("price before tax"), **MONEY)
    explanation = models.JSONField(_("explanation"), default=list)

    class Meta:
        verbose_name = _("order line price")
        verbose_name_plural = _("order line prices")

    def __str__(self) -> str:
        return f"{self.line_id}: {self.price}"


import uuid  # noqa: E402  (kept beside the model that needs them)

from django.conf import settings  # noqa: E402


def _import_upload_to(instance: PriceImport, filename: str) -> str:
    # A random folder per upload: uploaded price files are listed nowhere and their URLs cannot
    # be guessed (contract prices are confidential). Only the import screens read them.
    return f"private/price-imports/{instance.storefront_id}/{uuid.uuid4().hex}/{filename}"


class PriceImport(models.Model):
    """One upload of contract prices (CSV or XLSX) into a company list: its check and its apply.

    :mod:`pipit.pricing.imports` reads the file, fills the counts and the report, and writes the
    rows only when every row is accepted. Large files run in a Celery task that keeps
    ``processed_rows`` current, so the admin can show progress.
    """

    class Mode(models.TextChoices):
        DRY_RUN = "dry_run", _("Dry run")
        APPLY = "apply", _("Apply")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="price_imports",
        verbose_name=_("storefront"),
    )
    price_list = models.ForeignKey(
        PriceList,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("price list"),
    )
    creates_list = models.BooleanField(
        _("creates a new list"),
        default=False,
        help_text=_("Applying creates a draft company list named after the file."),
    )
    replace = models.BooleanField(
        _("replace the rows of the companies in the file"),
        default=False,
        help_text=_(
            "Rows of this list for the companies in the file that the file does not repeat are "
            "deleted."
        ),
    )
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=_import_upload_to, max_length=500)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.DRY_RUN)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    accepted = models.PositiveIntegerField(_("accepted rows"), default=0)
    rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = StorefrontScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract price import")
        verbose_name_plural = _("contract price imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["storefront", "-created_at"], name="pricing_import_recent")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.APPLYING)

    @property
    def can_apply(self) -> bool:
        """Checked, every row accepted, not applied yet."""
        return (
            self.status == self.Status.CHECKED
            and self.rejected == 0
            and self.accepted > 0
            and (self.price_list_id is not None or self.creates_list)
        )
