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

import json
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

LEVELS = ("company", "group", "storefront")

# Step kinds in a compiled row's ``steps`` (compact: rows are many).
BASE, LIST, RULE, CAP = "b", "l", "r", "c"


@dataclass(slots=True)
class ListRow:
    """One price list row as the engine sees it (read-only by convention: not ``frozen``, which
    makes building one three times dearer, and a compile builds 600,000)."""

    list_id: int
    priority: int
    min_quantity: int
    price: Decimal
    #: This row's step in a compiled row's JSON steps, once worked out (see _steps_head).
    step: str = field(default="", init=False, repr=False, compare=False)


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


_STEPS = Tier.__dict__["steps"]  # the slot holding a tier's steps


class StoredTier(Tier):
    """A tier read from the effective-price table, its steps kept as the stored JSON text and
    decoded when first read: a listing prices dozens of products and reads no steps."""

    __slots__ = ("_steps_text",)

    def __init__(self, min_quantity: int, price: Decimal, base_price: Decimal, steps_text: str):
        self._steps_text = steps_text
        super().__init__(min_quantity, price, base_price, None)

    @property
    def steps(self) -> list:
        value = _STEPS.__get__(self)
        if value is None:
            value = json.loads(self._steps_text) if self._steps_text else []
            _STEPS.__set__(self, value)
        return value

    @steps.setter
    def steps(self, value) -> None:
        _STEPS.__set__(self, value)

    def __eq__(self, other) -> bool:
        # Equal to a Tier with the same figures and steps (the dataclass's own __eq__ wants the
        # same class on both sides).
        if not isinstance(other, Tier):
            return NotImplemented
        return (self.min_quantity, self.price, self.base_price, self.steps) == (
            other.min_quantity,
            other.price,
            other.base_price,
            other.steps,
        )

    __hash__ = None


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

# How the hot loop applies a rule value, in whole kopecks (cents), exactly as apply_action()
# followed by "never negative, rounded half up to a kopeck" would with decimals:
(_SKIP, _PERCENT, _FIXED, _MARKUP, _NEAREST, _UP, _DOWN, _KEEP, _DECIMAL) = range(9)
_ROUNDING = {"up": _UP, "down": _DOWN}


def _integer_form(action: str, value: Decimal | None, rounding: str) -> tuple[int, int | None]:
    """``(kind, parameter)`` for a rule value. A value with at most two decimals becomes an
    integer: percent off ``p`` → ``10000 - 100·min(p, 100)``, a fixed price → its kopecks,
    markup ``m`` → ``10000 + 100·m``, a rounding step → its kopecks; anything else is applied
    with decimals."""
    if value is None:
        return _SKIP, None
    key = (action, value, rounding)
    form = _FORMS.get(key)
    if form is None:
        if not value.is_finite() or value.as_tuple().exponent < -2:
            form = (_DECIMAL, None)
        else:
            hundredths = int(value.scaleb(2))
            if action == "percent_off":
                form = (_PERCENT, 10000 - min(hundredths, 10000))
            elif action == "fixed_price":
                form = (_FIXED, hundredths)
            elif action == "markup":
                form = (_MARKUP, 10000 + hundredths)
            elif action == "round":
                form = (
                    (_ROUNDING.get(rounding, _NEAREST), hundredths)
                    if hundredths > 0
                    else (
                        _KEEP,
                        None,
                    )
                )
            else:
                form = (_DECIMAL, None)
        if len(_FORMS) > 4096:
            _FORMS.clear()
        # Keyed by value: equal values (7 and 7.00) have the same integer form.
        _FORMS[key] = form
    return form


_FORMS: dict[tuple[str, Decimal, str], tuple[int, int | None]] = {}


class PreparedRule:
    """A :class:`RuleSpec` made ready for the compiler's hot loop: stacking as a small int and
    its value (and each tier's) in integer form (see :func:`_integer_form`)."""

    __slots__ = (
        "spec",
        "id",
        "order",
        "stacking",
        "action",
        "value",
        "kind",
        "param",
        "tiers",
        "step",
    )

    def __init__(self, spec: RuleSpec):
        self.spec = spec
        self.id = spec.id
        self.step = f',["{RULE}",{spec.id},"'  # its step in the stored JSON, up to the price
        self.order = (-spec.priority, spec.id)
        self.stacking = _STACKING.get(spec.stacking, 2)
        self.action = spec.action
        self.value = spec.value
        self.kind, self.param = _integer_form(spec.action, spec.value, spec.rounding)
        # (from quantity, value, kind, parameter), ascending
        self.tiers = tuple(
            (min_quantity, value, *_integer_form(spec.action, value, spec.rounding))
            for min_quantity, value in spec.tiers
        )


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


def _kopecks(amount: Decimal | None) -> int | None:
    """``amount`` in kopecks when its value is a whole number of them and not negative, else
    None."""
    if amount is None:
        return None
    kopecks = _KOPECKS.get(amount, _NOTHING)
    if kopecks is _NOTHING:
        kopecks = None
        if amount.is_finite() and amount >= ZERO:
            scaled = amount.scaleb(2)
            if scaled == scaled.to_integral_value():
                kopecks = int(scaled)
        if len(_KOPECKS) > 200_000:
            _KOPECKS.clear()
        # Keyed by value, so the answer must depend on the value only: 95, 95.00 and 95.0000
        # are all 9,500 kopecks (an answer by exponent made 249.48 and 249.4800 collide).
        _KOPECKS[amount] = kopecks
    return kopecks


_KOPECKS: dict[Decimal, int | None] = {}


def _amount(kopecks: int) -> Decimal:
    """Kopecks as a decimal with two places (what ``quantize(CENT)`` gives)."""
    return Decimal(kopecks).scaleb(-2)


def _kopecks_text(kopecks: int) -> str:
    """``str()`` of :func:`_amount`, without making the decimal."""
    if kopecks >= 100:
        digits = str(kopecks)
        return digits[:-2] + "." + digits[-2:]
    return f"0.{kopecks:02d}"


def _rule_steps(base: Decimal | None, row: ListRow | None, applied: list[tuple[int, str]]) -> list:
    steps: list = [[BASE, str(base)]] if base is not None else []
    if row is not None:
        steps.append([LIST, row.list_id, str(row.price)])
    for rule_id, text in applied:
        steps.append([RULE, rule_id, text])
    return steps


def base_step_json(base: Decimal) -> str:
    """The base price's step in the stored JSON, after a comma (see :func:`_steps_head`)."""
    return f',["{BASE}","{base}"]'


def _steps_head(base: Decimal | None, row: ListRow | None, base_step: str | None = None) -> str:
    """The start of the stored JSON of the steps :func:`_rule_steps` gives: ``[`` and the base
    and list steps, each after a comma (see :func:`_steps_json`). ``base_step`` is
    :func:`base_step_json` of ``base`` when the caller keeps it."""
    head = (base_step or base_step_json(base)) if base is not None else ""
    if row is not None:
        step = row.step
        if not step:
            step = row.step = f',["{LIST}",{row.list_id},"{row.price}"]'
        head += step
    return head


def _steps_json(head: str, applied: list[tuple[PreparedRule, int]]) -> str:
    """The steps as compact JSON (``json.dumps`` with ``separators=(",", ":")`` writes the
    same): the head from :func:`_steps_head`, then each applied rule's step (the price as
    :func:`_kopecks_text` writes it, inline: a compile writes millions)."""
    parts = [head]
    for rule, new in applied:
        if new >= 100:
            digits = str(new)
            parts.append(f'{rule.step}{digits[:-2]}.{digits[-2:]}"]')
        else:
            parts.append(f'{rule.step}0.{new:02d}"]')
    text = "".join(parts)
    return "[" + text[1:] + "]"


def _price_in_kopecks(
    quantity: int,
    start: int,
    cost: Decimal | None,
    rules: list[PreparedRule],
) -> tuple[int, list[tuple[PreparedRule, int]]]:
    """The rules from a list price of ``start`` kopecks: the price and the rules applied, with
    the price after each. Integer arithmetic where the value allows (exactly what decimals give:
    every amount is a whole number of kopecks, rounded half up), decimals otherwise."""
    price = start
    applied = []
    cost_kopecks = _NOTHING
    for rule in rules:
        kind, param, value = rule.kind, rule.param, rule.value
        if rule.tiers:
            for min_quantity, tier_value, tier_kind, tier_param in rule.tiers:  # ascending
                if min_quantity <= quantity:
                    value, kind, param = tier_value, tier_kind, tier_param
        if kind == _PERCENT:
            new = (price * param + 5000) // 10000  # price ≥ 0, param ≥ 0: half up
        elif kind == _SKIP:
            continue
        elif kind == _FIXED:
            new = param if param > 0 else 0
        elif kind == _NEAREST:  # to a multiple of the step, half up
            new = (2 * price + param) // (2 * param) * param
        elif kind == _UP:
            new = -(-price // param) * param
        elif kind == _DOWN:
            new = price // param * param
        elif kind == _KEEP:  # a step of zero leaves the price as it is
            new = price
        else:
            if kind == _MARKUP:
                if cost_kopecks is _NOTHING:
                    cost_kopecks = _kopecks(cost)
                if cost_kopecks is None:
                    kind = _DECIMAL  # no cost (skipped below) or one with odd decimals
                else:
                    product = cost_kopecks * param
                    new = (product + 5000) // 10000 if product > 0 else 0
            if kind == _DECIMAL:
                result = apply_action(rule.action, value, _amount(price), cost, rule.spec.rounding)
                if result is None:
                    continue
                new = int(max(result, ZERO).quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))
        stacking = rule.stacking
        if stacking == 0 and new >= price:  # best price: only if it lowers the price
            continue
        price = new
        applied.append((rule, new))
        if stacking == 1:  # first match: stops the rules after it
            break
    return price, applied


def _breaks(levels: dict[str, list[ListRow]], rules: list[PreparedRule]) -> list[int]:
    """:func:`breakpoints`, for prepared rules."""
    points = {1}
    for rows in levels.values():
        for row in rows:
            points.add(row.min_quantity)
    for rule in rules:
        if rule.tiers:
            for min_quantity, *_value in rule.tiers:
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
    *,
    steps_as_json: bool = False,
    base_step: str | None = None,
) -> list[Tier]:
    """:func:`compute` for rules already prepared and in order (see :func:`prepare`): the
    compiler prepares a snapshot's rules once for its million tables. With ``steps_as_json``
    each tier's steps come as the compact JSON text the compiler stores (``base_step``: the
    base price's step in it, from :func:`base_step_json`, if the caller keeps it)."""
    if not rules and not any(levels.values()):
        if base is None:
            return []
        price = max(base, ZERO).quantize(CENT, rounding=ROUND_HALF_UP)
        steps = (
            _steps_json(_steps_head(base, None, base_step), [])
            if steps_as_json
            else [[BASE, str(base)]]
        )
        return [Tier(1, price, base, steps)]
    tiered = [rule for rule in rules if rule.tiers]
    tiers: list[Tier] = []
    last: int | Decimal | None = None  # the last tier's price (kopecks, or a decimal)
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
        start = row.price if row is not None else base
        if start is None:
            continue
        kopecks = _kopecks(start)
        if kopecks is not None:
            price, applied = _price_in_kopecks(quantity, kopecks, cost, rules)
            if last is not None and price >= (
                last if type(last) is int else _kopecks(last.quantize(CENT))
            ):
                continue
            last = price
            amount = _amount(price)
            if steps_as_json:
                steps = _steps_json(_steps_head(base, row, base_step), applied)
            else:
                texts = [(rule.id, _kopecks_text(new)) for rule, new in applied]
                steps = _rule_steps(base, row, texts)
        else:
            amount, steps = price_at(quantity, base, cost, levels, [r.spec for r in rules])
            if last is not None and amount >= (_amount(last) if type(last) is int else last):
                continue
            last = amount
            if steps_as_json:
                steps = json.dumps(steps, separators=(",", ":"))
        # Not cheaper than for fewer units: no new tier (skipped above). A dearer price for
        # more units (a list tier above a lower rule price, say) is capped this way: the buyer
        # is never charged more for buying more.
        tiers.append(Tier(quantity, amount, base if base is not None else amount, steps))
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
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=False):  # equal lengths (above)
        if x is not y and (
            x.min_quantity != y.min_quantity or x.price != y.price or x.steps != y.steps
        ):
            return False
    return True
