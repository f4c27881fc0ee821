"""Why a buyer pays what they pay: the chain behind one price, step by step.

:func:`explain` loads the same :class:`~pipit.pricing.compiler.Snapshot` a compile would for one
product and day, and re-runs :func:`pipit.pricing.engine.price_at` with a trace. Around the trace
it adds what the engine never sees: list rows that were not loaded at all (a draft list, a row
outside its dates, a group the buyer is not in) and rules that did not reach the product or the
buyer, each with its reason. The final price is taken from :func:`pipit.pricing.engine.compute`'s
tier table, as the compiled table is, so it is the price the storefront shows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .compiler import Snapshot, rule_products
from .engine import LEVELS, Tier, TraceEvent, compute, price_at, tier_for
from .models import CustomerGroup, PriceList, PriceListItem, PriceRule

CENT = Decimal("0.01")

LEVEL_LABELS = {
    "company": _("Company contract prices"),
    "group": _("Customer group lists"),
    "storefront": _("Storefront base list"),
}

LIST_REASONS = {
    "used": _("Used"),
    "draft": _("The list is not published"),
    "currency": _("The list is in another currency than the storefront"),
    "list_dates": _("The list is not valid on this date"),
    "row_dates": _("The row is not valid on this date"),
    "no_groups": _("The list names no customer group"),
    "not_in_groups": _("The buyer is in none of the list's customer groups"),
    "variant_rows": _("The variant has rows of its own at this level; the parent's do not count"),
    "above_quantity": _("Starts at a larger quantity"),
    "level": _("A more specific level priced the product (company, then group, then storefront)"),
    "lower_priority": _("Another list of this level wins (higher priority, or older at equal)"),
    "tier": _("A row of the same list for more units applies"),
}

RULE_REASONS = {
    "applied": _("Applied"),
    "not_valid": _("Not valid on this date"),
    "product_scope": _("The product is not in the rule's products"),
    "buyer_scope": _("The buyer is not in the rule's buyers"),
    "quantity": _("Below the rule's first quantity tier"),
    "no_cost": _("Markup over cost, but the offer has no cost price"),
    "not_lower": _("Best-price rule, and its price is not lower"),
    "stopped": _("Stopped by an earlier first-match rule"),
}


@dataclass
class ListCandidate:
    """A price list row that could price the product for this buyer, used or not."""

    price_list: PriceList
    level: str
    min_quantity: int
    price: Decimal
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    for_parent: bool
    reason: str = ""

    @property
    def used(self) -> bool:
        return self.reason == "used"

    @property
    def reason_text(self) -> str:
        return LIST_REASONS.get(self.reason, self.reason)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def key(self) -> tuple:
        return (self.price_list.pk, self.min_quantity, self.price)


@dataclass
class RuleStep:
    """One in-force (or dated-out) rule of the storefront, in the order rules run."""

    rule: PriceRule
    reason: str
    value: Decimal | None = None
    before: Decimal | None = None
    after: Decimal | None = None

    @property
    def applied(self) -> bool:
        return self.reason == "applied"

    @property
    def reason_text(self) -> str:
        return RULE_REASONS.get(self.reason, self.reason)


@dataclass
class TierLine:
    min_quantity: int
    price: Decimal
    price_incl_tax: Decimal
    current: bool


@dataclass
class Explanation:
    """The chain behind the price of ``product`` for ``company`` at ``quantity`` on ``on``."""

    storefront: object
    company: object | None
    product: object
    quantity: int
    on: datetime.date
    sold: bool = True
    groups: list[CustomerGroup] = field(default_factory=list)
    offer: object | None = None  # the partner's StockRecord the price starts from
    base_price: Decimal | None = None
    cost: Decimal | None = None
    lists: list[ListCandidate] = field(default_factory=list)
    list_price: Decimal | None = None
    rules: list[RuleStep] = field(default_factory=list)
    chain_price: Decimal | None = None  # after lists and rules, before the tier cap
    cap: Tier | None = None  # a smaller quantity's lower tier that caps the chain's price
    final: Decimal | None = None
    vat_rate: Decimal = Decimal("0")
    tax: Decimal | None = None
    final_incl_tax: Decimal | None = None
    tiers: list[TierLine] = field(default_factory=list)
    compiled_final: Decimal | None = None  # what the compiled table says (today only)
    compiled_checked: bool = False

    @property
    def priced(self) -> bool:
        return self.final is not None

    @property
    def chosen_list(self) -> ListCandidate | None:
        return next((c for c in self.lists if c.used), None)

    @property
    def lists_by_level(self) -> list[tuple[str, str, list[ListCandidate]]]:
        return [
            (level, LEVEL_LABELS[level], [c for c in self.lists if c.level == level])
            for level in LEVELS
            if any(c.level == level for c in self.lists)
        ]

    @property
    def matches_compiled(self) -> bool | None:
        """``None`` when not checked (another day than today)."""
        if not self.compiled_checked:
            return None
        return self.compiled_final == self.final


def explain(
    storefront,
    company,
    product,
    quantity: int,
    on: datetime.date,
    *,
    check_compiled: bool | None = None,
) -> Explanation:
    """Explain the price of ``product`` (a purchasable product: standalone or a variant) for
    ``company`` (``None``: the storefront's price for anonymous buyers and companies without
    groups or prices of their own) at ``quantity`` on the day ``on``.

    ``check_compiled`` (default: when ``on`` is today) also reads the compiled table, so the page
    can say whether the storefront shows the same price (a recompile may be pending).
    """
    if company is not None and company.storefront_id != storefront.pk:
        raise ValueError("the company belongs to another storefront")
    quantity = max(int(quantity), 1)
    result = Explanation(storefront, company, product, quantity, on)
    result.vat_rate = storefront.vat_rate
    snapshot = Snapshot(storefront, on, [product.pk])
    if product.pk not in snapshot.products_in_scope:
        result.sold = False
        return result

    company_id = company.pk if company is not None else None
    group_ids = snapshot.company_groups.get(company_id, frozenset()) if company else frozenset()
    result.groups = list(CustomerGroup.objects.filter(pk__in=group_ids).order_by("name"))
    result.base_price, result.cost = snapshot.offers.get(product.pk, (None, None))
    result.offer = _offer(storefront, product)

    levels = snapshot.levels(product.pk, group_ids, company_id)
    specs = snapshot.rules_for(product.pk, group_ids, company_id)
    ordered = sorted(specs, key=lambda spec: spec.sort_key())

    trace: list[TraceEvent] = []
    computed = None
    if result.base_price is not None:
        computed = price_at(quantity, result.base_price, result.cost, levels, ordered, trace)
    result.lists = _list_candidates(snapshot, product, group_ids, company, on, quantity, trace)
    chosen = result.chosen_list
    result.list_price = chosen.price if chosen else result.base_price
    result.rules = _rule_steps(snapshot, product, group_ids, company_id, specs, trace, quantity)

    if computed is None:
        return result  # no offer with a price from the storefront's partners: not for sale
    result.chain_price = computed[0]
    tiers = compute(result.base_price, result.cost, levels, specs)
    tier = tier_for(tiers, quantity)
    result.final = tier.price
    if tier.price < result.chain_price:
        result.cap = tier
    rate = storefront.vat_rate / 100
    result.tax = (result.final * rate).quantize(CENT)
    result.final_incl_tax = result.final + result.tax
    result.tiers = [
        TierLine(t.min_quantity, t.price, t.price + (t.price * rate).quantize(CENT), t is tier)
        for t in tiers
    ]

    if check_compiled is None:
        from django.utils import timezone

        check_compiled = on == timezone.localdate()
    if check_compiled:
        from .resolver import PriceResolver

        compiled = PriceResolver(storefront, company).tiers(product.pk)
        result.compiled_checked = True
        if compiled is None:
            # Not compiled (yet): the storefront shows the offer's base price.
            result.compiled_final = result.offer.price if result.offer is not None else None
        else:
            chosen_tier = tier_for(compiled, quantity)
            result.compiled_final = chosen_tier.price if chosen_tier else None
    return result


def _offer(storefront, product):
    from pipit.oscar_apps.partner.models import StockRecord

    # The snapshot prices from the storefront partners' offer with the lowest id.
    return (
        StockRecord.objects.filter(product=product, partner_id__in=storefront.partner_ids)
        .select_related("partner")
        .order_by("pk")
        .first()
    )


def _list_candidates(
    snapshot: Snapshot,
    product,
    group_ids: frozenset[int],
    company,
    on: datetime.date,
    quantity: int,
    trace: list[TraceEvent],
) -> list[ListCandidate]:
    """Every row of the storefront's published or draft lists for the product (or its parent)
    that could reach this buyer, with why it was or was not used."""
    storefront = snapshot.storefront
    parent_id = snapshot.products_in_scope.get(product.pk)
    product_ids = [product.pk] + ([parent_id] if parent_id else [])
    audience = Q(price_list__kind__in=[PriceList.Kind.STOREFRONT, PriceList.Kind.GROUP])
    if company is not None:
        audience |= Q(price_list__kind=PriceList.Kind.COMPANY, company=company)
    items = (
        PriceListItem.objects.filter(
            audience, price_list__storefront=storefront, product_id__in=product_ids
        )
        .select_related("price_list")
        .prefetch_related("price_list__groups")
        .order_by("price_list__kind", "-price_list__priority", "price_list_id", "min_quantity")
    )
    candidates: list[ListCandidate] = []
    for item in items:
        price_list = item.price_list
        candidate = ListCandidate(
            price_list=price_list,
            level=price_list.kind,
            min_quantity=item.min_quantity,
            price=item.price,
            valid_from=item.valid_from,
            valid_to=item.valid_to,
            for_parent=item.product_id != product.pk,
        )
        list_groups = {g.pk for g in price_list.groups.all()}
        if not price_list.live:
            candidate.reason = "draft"
        elif price_list.currency != storefront.currency:
            candidate.reason = "currency"
        elif not price_list.valid_on(on):
            candidate.reason = "list_dates"
        elif not item.valid_on(on):
            candidate.reason = "row_dates"
        elif price_list.kind == PriceList.Kind.GROUP and not list_groups:
            candidate.reason = "no_groups"
        elif price_list.kind == PriceList.Kind.GROUP and not list_groups & group_ids:
            candidate.reason = "not_in_groups"
        candidates.append(candidate)

    # A level's rows of the product itself hide its parent's rows at that level.
    own_levels = {c.level for c in candidates if not c.reason and not c.for_parent}
    for c in candidates:
        if not c.reason and c.for_parent and c.level in own_levels:
            c.reason = "variant_rows"

    chosen = next((e for e in trace if e.kind == "list"), None)
    skipped = {
        (e.list_id, e.min_quantity, e.price): e.reason for e in trace if e.kind == "list_skipped"
    }
    for c in candidates:
        if c.reason:
            continue
        if c.min_quantity > quantity:
            c.reason = "above_quantity"
        elif chosen is None or c.level != chosen.level:
            c.reason = "level"
        elif (chosen.list_id, chosen.min_quantity, chosen.price) == c.key():
            c.reason = "used"
        else:
            c.reason = skipped.get(c.key(), "lower_priority")
    level_order = {level: n for n, level in enumerate(LEVELS)}
    candidates.sort(
        key=lambda c: (level_order[c.level], not c.used, -c.price_list.priority, c.min_quantity)
    )
    return candidates


def _rule_steps(
    snapshot: Snapshot,
    product,
    group_ids: frozenset[int],
    company_id: int | None,
    specs,
    trace: list[TraceEvent],
    quantity: int,
) -> list[RuleStep]:
    """Every live rule of the storefront in the order rules run, applied or with its reason."""
    reaching = {spec.id: spec for spec in specs}
    events = {e.rule_id: e for e in trace if e.kind in ("rule", "rule_skipped")}
    in_force = snapshot.rule_objects
    dated_out = (
        PriceRule.objects.filter(storefront=snapshot.storefront, live=True)
        .exclude(pk__in=list(in_force))
        .prefetch_related("tiers")
    )
    rules = [*in_force.values(), *dated_out]
    rules.sort(key=lambda r: (-r.priority, r.pk))
    steps: list[RuleStep] = []
    for rule in rules:
        spec = reaching.get(rule.pk)
        if rule.pk not in in_force:
            steps.append(RuleStep(rule, "not_valid", value=_value_at(rule, quantity)))
            continue
        if spec is None:
            reason = _scope_reason(snapshot, rule, product, group_ids, company_id)
            steps.append(RuleStep(rule, reason, value=_value_at(rule, quantity)))
            continue
        value = spec.value_at(quantity)
        event = events.get(rule.pk)
        if event is None:
            steps.append(RuleStep(rule, "stopped", value=value))
        elif event.kind == "rule":
            steps.append(RuleStep(rule, "applied", value, event.before, event.price))
        else:
            steps.append(RuleStep(rule, event.reason, value, event.before, event.price))
    return steps


def _value_at(rule: PriceRule, quantity: int) -> Decimal | None:
    """The rule's value at a quantity (its tiers over its own value), as the engine reads it."""
    value = rule.value
    for tier in sorted(rule.tiers.all(), key=lambda t: t.min_quantity):
        if tier.min_quantity <= quantity:
            value = tier.value
    return value


def _scope_reason(snapshot, rule: PriceRule, product, group_ids, company_id) -> str:
    """Why a rule in force does not reach this product and buyer."""
    if rule.product_scope != PriceRule.ProductScope.ALL:
        matched = rule_products(rule, snapshot.universe, restrict=[product.pk])
        if matched is not None and product.pk not in matched:
            return "product_scope"
    return "buyer_scope"
