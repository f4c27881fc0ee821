"""Which delivery methods a basket can take to an address, and what each costs.

Weight and volume come from product attributes, read for the whole basket in one query:

* weight: ``weight_kg``; for a liquid sold by volume without a weight (``volume_l`` or
  ``volume_ml``, as in the autoparts and cosmetics catalogs), 1 kg per litre; otherwise 0;
* volume: ``volume_m3``; otherwise 0.

A variant without the attribute takes its parent's. A product counting 0 makes a rule priced by
weight or volume cheaper, and weight limits let it through: give heavy goods a ``weight_kg``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from oscar.apps.catalogue.models import ProductAttributeValue
from oscar.apps.shipping.methods import Base
from oscar.core.prices import Price

from .models import DeliveryMethod

WEIGHT = "weight_kg"
VOLUME = "volume_m3"
LITRES = {"volume_l": Decimal("1"), "volume_ml": Decimal("0.001")}
CENT = Decimal("0.01")

# Read once per basket and request: the cart runs the hook for its estimate and again in its slot,
# checkout and placement run it on the same basket object.
_MEASURES_ATTR = "_pipit_delivery_measures"
_RULES_ATTR = "_pipit_delivery_rules"


@dataclass(frozen=True)
class Measures:
    weight_kg: Decimal
    volume_m3: Decimal


class DeliveryOption(Base):
    """One :class:`~pipit_delivery.models.DeliveryMethod` as the Oscar shipping method Pipit's
    checkout offers: its code and name are kept on the order, its price is charged."""

    def __init__(self, rule: DeliveryMethod, storefront, measures: Measures):
        self.rule = rule
        self.storefront = storefront
        self.measures = measures
        self.code = rule.code
        self.name = str(rule.display_name)
        self.description = rule.description
        if not self.description and rule.kind == DeliveryMethod.Kind.PICKUP and rule.warehouse:
            self.description = rule.warehouse.city

    def calculate(self, basket) -> Price:
        excl_tax = cost_excl_tax(self.rule, basket, self.measures)
        tax = (excl_tax * self.storefront.vat_rate / 100).quantize(CENT)
        return Price(currency=basket.currency, excl_tax=excl_tax, tax=tax)

    def __repr__(self) -> str:
        return f"<DeliveryOption {self.code}>"


def cost_excl_tax(rule: DeliveryMethod, basket, measures: Measures) -> Decimal:
    """The rule's price for the basket before VAT: free above the threshold, else base cost plus
    the weight and volume rates."""
    if is_free(rule, basket):
        return Decimal("0.00")
    cost = (
        rule.base_cost
        + rule.cost_per_kg * measures.weight_kg
        + rule.cost_per_m3 * measures.volume_m3
    )
    return cost.quantize(CENT)


def is_free(rule: DeliveryMethod, basket) -> bool:
    return (
        rule.free_above is not None
        and basket.is_tax_known
        and basket.total_incl_tax >= rule.free_above
    )


def takes(rule: DeliveryMethod, address, measures: Measures) -> bool:
    """Whether the rule delivers this basket (by its measures) to ``address``."""
    if rule.zone_id is not None and not rule.zone.matches(address):
        return False
    if rule.min_weight_kg is not None and measures.weight_kg < rule.min_weight_kg:
        return False
    if rule.max_weight_kg is not None and measures.weight_kg > rule.max_weight_kg:
        return False
    return rule.max_volume_m3 is None or measures.volume_m3 <= rule.max_volume_m3


def active_rules(storefront, basket) -> list[DeliveryMethod]:
    """The storefront's active methods, with zone and warehouse, in their order (one query)."""
    memo = basket.__dict__.setdefault(_RULES_ATTR, {})
    if storefront.pk not in memo:
        memo[storefront.pk] = list(
            DeliveryMethod.objects.filter(storefront=storefront, active=True)
            .select_related("zone", "warehouse")
            .order_by("sort_order", "pk")
        )
    return memo[storefront.pk]


def options_for(storefront, basket, address) -> list[DeliveryOption] | None:
    """The storefront's methods that take ``basket`` to ``address``, in order; None when the
    storefront has no active method at all (nothing set up yet)."""
    rules = active_rules(storefront, basket)
    if not rules:
        return None
    measures = basket_measures(basket)
    return [
        DeliveryOption(rule, storefront, measures)
        for rule in rules
        if takes(rule, address, measures)
    ]


def basket_measures(basket) -> Measures:
    """Total weight (kg) and volume (m³) of the basket's lines; see the module documentation."""
    lines = [line for line in basket.all_lines() if line.product_id]
    key = tuple((line.product_id, line.quantity) for line in lines)
    cached = basket.__dict__.get(_MEASURES_ATTR)
    if cached is not None and cached[0] == key:
        return cached[1]
    product_ids = {line.product_id for line in lines}
    product_ids |= {line.product.parent_id for line in lines if line.product.parent_id}
    values: dict[int, dict[str, Decimal]] = {}
    rows = ProductAttributeValue.objects.filter(
        product_id__in=product_ids, attribute__code__in=[WEIGHT, VOLUME, *LITRES]
    ).values_list("product_id", "attribute__code", "value_float", "value_integer", "value_text")
    for product_id, code, as_float, as_integer, as_text in rows:
        number = _number(as_float, as_integer, as_text)
        if number is not None:
            values.setdefault(product_id, {})[code] = number
    weight = volume = Decimal("0")
    for line in lines:
        own = values.get(line.product_id, {})
        inherited = values.get(line.product.parent_id, {}) if line.product.parent_id else {}
        merged = {**inherited, **own}
        weight += _weight(merged) * line.quantity
        volume += merged.get(VOLUME, Decimal("0")) * line.quantity
    measures = Measures(weight_kg=weight, volume_m3=volume)
    basket.__dict__[_MEASURES_ATTR] = (key, measures)
    return measures


def _weight(values: dict[str, Decimal]) -> Decimal:
    if WEIGHT in values:
        return values[WEIGHT]
    for code, kg_per_unit in LITRES.items():
        if code in values:
            return values[code] * kg_per_unit
    return Decimal("0")


def _number(as_float, as_integer, as_text) -> Decimal | None:
    for value in (as_float, as_integer):
        if value is not None:
            return Decimal(str(value))
    if as_text:
        try:
            number = Decimal(as_text.strip().replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            return None
        return number if number.is_finite() and number >= 0 else None
    return None
