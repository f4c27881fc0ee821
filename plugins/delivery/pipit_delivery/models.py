"""Delivery rules sales ops keep per storefront: zones (where) and methods (how, for how much)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Pipit's own "delivery by the supplier" method code; a rule may not take it.
RESERVED_CODES = frozenset({"supplier-delivery"})

_CITY_PREFIX = re.compile(r"^(г|гор|город|city|c)\.?\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\s\-‐–—_.,]+")


def normalise_city(value: str) -> str:
    """A city name as zones compare it: case, "ё", hyphens and spaces and a leading "г." or
    "город" do not matter ("г. Санкт Петербург" is "Санкт-Петербург")."""
    value = (value or "").strip().casefold().replace("ё", "е")
    value = _CITY_PREFIX.sub("", value)
    return _NON_WORD.sub(" ", value).strip()


def postcode_digits(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def split_list(value: str) -> list[str]:
    """Entries of a textarea list: one per line, or separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[\n,;]+", value or "") if part.strip()]


class DeliveryZone(models.Model):
    """Where a method delivers: addresses whose city is listed or whose postcode starts with one
    of the prefixes."""

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("storefront"),
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. 'Moscow and region'"))
    cities = models.TextField(
        _("cities"),
        blank=True,
        help_text=_(
            "One per line (or separated by commas). Case, 'ё' and a leading 'г.' do not matter."
        ),
    )
    postcode_prefixes = models.TextField(
        _("postcode prefixes"),
        blank=True,
        help_text=_(
            "Postcodes starting with these digits belong to the zone, one per line or separated "
            "by commas: e.g. 10, 11, 12, 140, 141, 142, 143, 144 for Moscow and its region."
        ),
    )

    class Meta:
        verbose_name = _("delivery zone")
        verbose_name_plural = _("delivery zones")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["storefront", "name"],
                name="pipit_delivery_unique_zone_name",
                violation_error_message=_("This storefront already has a zone of that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        prefixes = split_list(self.postcode_prefixes)
        wrong = [p for p in prefixes if not p.isdigit()]
        if wrong:
            raise ValidationError(
                {
                    "postcode_prefixes": _("Postcode prefixes are digits only: %(wrong)s")
                    % {"wrong": ", ".join(wrong)}
                }
            )
        if not prefixes and not split_list(self.cities):
            raise ValidationError(_("List at least one city or postcode prefix."))

    @property
    def city_keys(self) -> frozenset[str]:
        return frozenset(normalise_city(city) for city in split_list(self.cities))

    @property
    def prefix_list(self) -> tuple[str, ...]:
        return tuple(postcode_digits(p) for p in split_list(self.postcode_prefixes))

    def matches(self, address) -> bool:
        """Whether ``address`` (a company address, possibly unsaved, or None) lies in the zone."""
        if address is None:
            return False
        if normalise_city(address.city) in self.city_keys:
            return True
        postcode = postcode_digits(address.postcode)
        return bool(postcode) and any(p and postcode.startswith(p) for p in self.prefix_list)


class DeliveryMethod(models.Model):
    """A way to get an order to the buyer, with its price rule and the limits it takes."""

    class Kind(models.TextChoices):
        COURIER = "courier", _("Courier")
        TRANSPORT = "transport", _("Transport company")
        PICKUP = "pickup", _("Pickup from a warehouse")

    storefront = models.ForeignKey(
        "tenancy.Storefront",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("storefront"),
    )
    code = models.SlugField(
        _("code"),
        max_length=60,
        help_text=_(
            "Short machine name kept on orders and used by the API, e.g. 'courier-moscow'."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=120,
        blank=True,
        help_text=_("Shown to buyers. Left empty for a pickup, it names the warehouse and city."),
    )
    description = models.CharField(
        _("description"),
        max_length=255,
        blank=True,
        help_text=_("Shown under the name, e.g. 'Next working day, 10:00–18:00'."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COURIER)
    zone = models.ForeignKey(
        DeliveryZone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="methods",
        verbose_name=_("zone"),
        help_text=_("Offered only for addresses in this zone; empty: everywhere."),
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pickup warehouse"),
        help_text=_("For a pickup: the storefront's warehouse where the buyer collects the order."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"), default=10, help_text=_("Lower first; the first offered is preselected.")
    )
    base_cost = models.DecimalField(
        _("base cost excl. VAT"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    cost_per_kg = models.DecimalField(
        _("cost per kg excl. VAT"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    cost_per_m3 = models.DecimalField(
        _("cost per m³ excl. VAT"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    free_above = models.DecimalField(
        _("free from order total incl. VAT"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Delivery costs nothing when the order total reaches this; empty: never free."),
    )
    min_weight_kg = models.DecimalField(
        _("minimum weight, kg"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    max_weight_kg = models.DecimalField(
        _("maximum weight, kg"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    max_volume_m3 = models.DecimalField(
        _("maximum volume, m³"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("delivery method")
        verbose_name_plural = _("delivery methods")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["storefront", "code"],
                name="pipit_delivery_unique_method_code",
                violation_error_message=_("This storefront already has a method with this code."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.kind == self.Kind.PICKUP and self.warehouse_id:
            warehouse = self.warehouse
            if warehouse.city:
                return _("Pickup: %(warehouse)s, %(city)s") % {
                    "warehouse": warehouse.name,
                    "city": warehouse.city,
                }
            return _("Pickup: %(warehouse)s") % {"warehouse": warehouse.name}
        return self.get_kind_display()

    def clean(self):
        errors: dict[str, list] = {}
        if self.code in RESERVED_CODES:
            errors["code"] = [_("This code is Pipit's own delivery method; choose another.")]
        if self.kind == self.Kind.PICKUP:
            if self.warehouse_id is None:
                errors["warehouse"] = [_("Choose the warehouse the buyer collects from.")]
            elif (
                self.storefront_id
                and not self.warehouse.storefronts.filter(pk=self.storefront_id).exists()
            ):
                errors["warehouse"] = [_("Choose one of the storefront's warehouses.")]
        elif self.warehouse_id is not None:
            errors["warehouse"] = [_("Only a pickup has a warehouse.")]
        if self.zone_id and self.storefront_id and self.zone.storefront_id != self.storefront_id:
            errors["zone"] = [_("Choose a zone of the same storefront.")]
        if (
            self.min_weight_kg is not None
            and self.max_weight_kg is not None
            and self.min_weight_kg > self.max_weight_kg
        ):
            errors["max_weight_kg"] = [_("The maximum weight is below the minimum.")]
        if errors:
            raise ValidationError(errors)
