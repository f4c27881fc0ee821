"""The price calculation itself: pure Python over plain values, no database.

One function, :func:`compute`, turns a product's base price, the list rows that reach a buyer and
the rules that apply to them into a tier table. The compiler runs it for every product and
audience; "explain" runs it for one with a trace. Both therefore give the same answer.

The chain at each quantity break:

1. the list price: the company level's rows, else the customer groups', else the storefront's,
   else the partner's base price. Within a level the list with the highest priority that has a
   row for the quantity wins, and within that list the row with the largest "from quantity";
2. the rules, from the highest priority down: a *cumulative* rule applies on top of the running
   price, a *best price* rule applies only if it lowers it, a *first match* rule applies and stops
   the rules after it;
3. the price is rounded to kopecks, never negative, and never above the price for a smaller
   quantity (a tier table never rises).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

LEVELS = ("company", "group", "storefront")

# Step kinds in a compiled row's ``steps`` (compact: rows are many).
BASE, LIST, RULE, CAP = "b", "l", "r", "c"


@dataclass(frozen=True, slots=True)
class ListRow:
    """One price list row as the engine sees it."""

    list_id: int
    priority: int
    min_quantity: int
    price: Decimal


@dataclass(slots=True)
class RuleSpec:
    """A published rule, reduced to what the calculation needs."""

    id: int
    priority: int
    stacking: str  # best | first | cumulative
    action: str  # percent_off | fixed_price | markup | round
    value: Decimal | None
    rounding: str = "nearest"
    tiers: tuple[tuple[int, Decimal], ...] = ()

    def value_at(self, quantity: int) -> Decimal | None:
        value = self.value
        for min_quantity, tier_value in self.tiers:  # sorted ascending
            if min_quantity <= quantity:
                value = tier_value
        return value

    def sort_key(self):
        return (-self.priority, self.id)


@dataclass(slots=True)
class Tier:
    """The price from ``min_quantity`` units up, with how it was reached."""

    min_quantity: int
    price: Decimal
    base_price: Decimal
    steps: list = field(default_factory=list)


@dataclass(slots=True)
class TraceEvent:
    """One line of an explanation (only built when tracing)."""

    kind: str  # base | list | list_skipped | rule | rule_skipped | cap | final
    price: Decimal | None = None
    list_id: int | None = None
    rule_id: int | None = None
    level: str = ""
    reason: str = ""
    before: Decimal | None = None
    min_quantity: int | None = None


def apply_action(
    action: str, value: Decimal, price: Decimal, cost: Decimal | None, rounding: str = "nearest"
) -> Decimal | None:
    """The price after one rule action, or ``None`` when it cannot apply (markup, no cost)."""
    if action == "percent_off":
        return price * (HUNDRED - min(value, HUNDRED)) / HUNDRED
    if action == "fixed_price":
        return value
    if action == "markup":
        if cost is None:
            return None
        return cost * (HUNDRED + value) / HUNDRED
    if action == "round":
        if value <= 0:
            return price
        mode = {"up": ROUND_CEILING, "down": ROUND_FLOOR}.get(rounding, ROUND_HALF_UP)
        return (price / value).quantize(Decimal("1"), rounding=mode) * value
    raise ValueError(f"unknown price rule action {action!r}")


def _pick_row(rows: list[ListRow], quantity: int) -> ListRow | None:
    best = None
    for row in rows:
        if row.min_quantity > quantity:
            continue
        if best is None or (row.priority, -row.list_id, row.min_quantity) > (
            best.priority,
            -best.list_id,
            best.min_quantity,
        ):
            best = row
    return best


def breakpoints(levels: dict[str, list[ListRow]], rules: list[RuleSpec]) -> list[int]:
    points = {1}
    for rows in levels.values():
        points.update(row.min_quantity for row in rows)
    for rule in rules:
        points.update(q for q, _v in rule.tiers)
    return sorted(points)


def price_at(
    quantity: int,
    base: Decimal | None,
    cost: Decimal | None,
    levels: dict[str, list[ListRow]],
    rules: list[RuleSpec],
    trace: list[TraceEvent] | None = None,
) -> tuple[Decimal, list] | None:
    """The price at one quantity and its compact steps; ``None`` when nothing prices it."""
    steps: list = []
    price = None
    if base is not None:
        steps.append([BASE, str(base)])
        if trace is not None:
            trace.append(TraceEvent("base", price=base))
    for level in LEVELS:
        row = _pick_row(levels.get(level, ()), quantity)
        if row is None:
            continue
        price = row.price
        steps.append([LIST, row.list_id, str(row.price)])
        if trace is not None:
            trace.append(
                TraceEvent(
                    "list",
                    price=row.price,
                    list_id=row.list_id,
                    level=level,
                    min_quantity=row.min_quantity,
                )
            )
            for other in levels.get(level, ()):
                if other is not row and other.min_quantity <= quantity:
                    trace.append(
                        TraceEvent(
                            "list_skipped",
                            price=other.price,
                            list_id=other.list_id,
                            level=level,
                            min_quantity=other.min_quantity,
                            reason="lower_priority" if other.list_id != row.list_id else "tier",
                        )
                    )
        break
    if price is None:
        price = base
    if price is None:
        return None

    for rule in rules:
        value = rule.value_at(quantity)
        if value is None:
            if trace is not None:
                trace.append(TraceEvent("rule_skipped", rule_id=rule.id, reason="quantity"))
            continue
        new = apply_action(rule.action, value, price, cost, rule.rounding)
        if new is None:
            if trace is not None:
                trace.append(TraceEvent("rule_skipped", rule_id=rule.id, reason="no_cost"))
            continue
        new = max(new, ZERO).quantize(CENT, rounding=ROUND_HALF_UP)
        if rule.stacking == "best" and new >= price:
            if trace is not None:
                trace.append(
                    TraceEvent(
                        "rule_skipped", rule_id=rule.id, price=new, before=price, reason="not_lower"
                    )
                )
            continue
        if trace is not None:
            trace.append(TraceEvent("rule", rule_id=rule.id, price=new, before=price))
        price = new
        steps.append([RULE, rule.id, str(new)])
        if rule.stacking == "first":
            break
    price = max(price, ZERO).quantize(CENT, rounding=ROUND_HALF_UP)
    return price, steps


def _rule_order(rule: RuleSpec) -> tuple[int, int]:
    return (-rule.priority, rule.id)


_STACKING = {"best": 0, "first": 1, "cumulative": 2}
_NOTHING = object()


class PreparedRule:
    """A :class:`RuleSpec` made ready for the hot loop: stacking as a small int and, for a
    percentage whose value has at most two decimals, the factor ``(100 - value) / 100``.

    ``price * factor`` is exactly ``price * (100 - value) / 100`` (both are exact decimals for
    any price under 10^20), so the result is the one :func:`apply_action` gives.
    """

    __slots__ = ("spec", "id", "order", "stacking", "action", "value", "tiers", "factor")

    def __init__(self, spec: RuleSpec):
        self.spec = spec
        self.id = spec.id
        self.order = (-spec.priority, spec.id)
        self.stacking = _STACKING.get(spec.stacking, 2)
        self.action = spec.action
        self.value = spec.value
        percent = spec.action == "percent_off"
        self.factor = _percent_factor(spec.value) if percent else None
        # (from quantity, value, factor) ascending, the factor as for ``value``
        self.tiers = tuple(
            (min_quantity, value, _percent_factor(value) if percent else None)
            for min_quantity, value in spec.tiers
        )


def _percent_factor(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    factor = _FACTORS.get(value, _NOTHING)
    if factor is _NOTHING:
        if not value.is_finite() or value.as_tuple().exponent < -2:
            factor = None
        else:
            factor = (HUNDRED - min(value, HUNDRED)) / HUNDRED
        if len(_FACTORS) > 4096:
            _FACTORS.clear()
        # Keyed by value: equal values (7 and 7.00) give equal products.
        _FACTORS[value] = factor
    return factor


_FACTORS: dict[Decimal, Decimal | None] = {}


def prepare(rules: list[RuleSpec]) -> list[PreparedRule]:
    """Rules in the order they run (highest priority first), ready for :func:`compute_prepared`."""
    prepared = [PreparedRule(rule) for rule in rules]
    prepared.sort(key=run_order)
    return prepared


def run_order(rule: PreparedRule) -> tuple[int, int]:
    """Highest priority first, then the older rule (the order :func:`compute` runs rules in)."""
    return rule.order


def _list_row_at(levels: dict[str, list[ListRow]], quantity: int) -> ListRow | None:
    """The row :func:`price_at` takes its list price from at ``quantity``."""
    for level in LEVELS:
        rows = levels.get(level)
        if rows:
            row = _pick_row(rows, quantity)
            if row is not None:
                return row
    return None


def _price_from(
    quantity: int,
    base: Decimal | None,
    cost: Decimal | None,
    row: ListRow | None,
    rules: list[PreparedRule],
) -> tuple[Decimal, list] | None:
    """:func:`price_at` without the trace, once the list row is known: the same steps in the
    same order (the compiler's hot loop)."""
    if row is not None:
        price = row.price
    elif base is not None:
        price = base
    else:
        return None
    applied = []
    for rule in rules:
        value = rule.value
        factor = rule.factor
        if rule.tiers:
            for min_quantity, tier_value, tier_factor in rule.tiers:  # sorted ascending
                if min_quantity <= quantity:
                    value, factor = tier_value, tier_factor
        if value is None:
            continue
        if factor is not None:
            new = price * factor
        else:
            new = apply_action(rule.action, value, price, cost, _rounding(rule))
            if new is None:
                continue
        if new < ZERO:
            new = ZERO
        new = new.quantize(CENT, ROUND_HALF_UP)
        stacking = rule.stacking
        if stacking == 0 and new >= price:  # best price: only if it lowers the price
            continue
        price = new
        applied.append((rule.id, new))
        if stacking == 1:  # first match: stops the rules after it
            break
    if price < ZERO:
        price = ZERO
    price = price.quantize(CENT, ROUND_HALF_UP)
    steps: list = [[BASE, str(base)]] if base is not None else []
    if row is not None:
        steps.append([LIST, row.list_id, str(row.price)])
    for rule_id, new in applied:
        steps.append([RULE, rule_id, str(new)])
    return price, steps


def _rounding(rule: PreparedRule) -> str:
    return rule.spec.rounding


def _breaks(levels: dict[str, list[ListRow]], rules: list[PreparedRule]) -> list[int]:
    """:func:`breakpoints`, for prepared rules."""
    points = {1}
    for rows in levels.values():
        for row in rows:
            points.add(row.min_quantity)
    for rule in rules:
        if rule.tiers:
            for min_quantity, _value, _factor in rule.tiers:
                points.add(min_quantity)
    return sorted(points) if len(points) > 1 else [1]


def compute(
    base: Decimal | None,
    cost: Decimal | None,
    levels: dict[str, list[ListRow]],
    rules: list[RuleSpec],
) -> list[Tier]:
    """The tier table for one product and audience; empty when nothing prices the product.

    ``rules`` must already be the rules that apply to this product and audience, in any order.
    The table is :func:`price_at` at every quantity break, keeping only breaks that lower the
    price.
    """
    return compute_prepared(base, cost, levels, prepare(rules))


def compute_prepared(
    base: Decimal | None,
    cost: Decimal | None,
    levels: dict[str, list[ListRow]],
    rules: list[PreparedRule],
) -> list[Tier]:
    """:func:`compute` for rules already prepared and in order (see :func:`prepare`): the
    compiler prepares a snapshot's rules once for its million tables."""
    if not rules and not any(levels.values()):
        if base is None:
            return []
        price = base if base >= ZERO else ZERO
        price = price.quantize(CENT, ROUND_HALF_UP)
        return [Tier(1, price, base, [[BASE, str(base)]])]
    tiered = [rule for rule in rules if rule.tiers]
    tiers: list[Tier] = []
    seen_row: object = _NOTHING
    seen_values: list | None = None
    for quantity in _breaks(levels, rules):
        # A break where the list row and every rule's value are those of the break before
        # prices the same, so it cannot lower the price: skipped without computing it.
        row = _list_row_at(levels, quantity)
        values = [rule.spec.value_at(quantity) for rule in tiered] if tiered else None
        if row is seen_row and values == seen_values:
            continue
        seen_row, seen_values = row, values
        result = _price_from(quantity, base, cost, row, rules)
        if result is None:
            continue
        price, steps = result
        if tiers and price >= tiers[-1].price:
            # Not cheaper than for fewer units: no new tier. A dearer price for more units (a
            # list tier above a lower rule price, say) is capped this way: the buyer is never
            # charged more for buying more.
            continue
        tiers.append(Tier(quantity, price, base if base is not None else price, steps))
    return tiers


def tier_for(tiers: list[Tier], quantity: int) -> Tier | None:
    """The tier a quantity falls into (tables are sorted by ``min_quantity``)."""
    chosen = None
    for tier in tiers:
        if tier.min_quantity <= quantity:
            chosen = tier
        else:
            break
    if chosen is None and tiers:
        # Below the first tier (a company list that starts at 10, nothing for 1): the first
        # tier's price is the best known; the compiler always starts tables at 1 when it can.
        return tiers[0]
    return chosen


def same_tiers(a: list[Tier], b: list[Tier]) -> bool:
    """Equal prices at equal breaks (how a company row is told apart from its segment's)."""
    return len(a) == len(b) and all(
        x.min_quantity == y.min_quantity and x.price == y.price and x.steps == y.steps
        for x, y in zip(a, b, strict=True)
    )
