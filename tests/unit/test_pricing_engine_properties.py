"""Properties of the price calculation over thousands of generated cases (hypothesis).

The engine is pure Python, so these run without a database: every list, rule and quantity mix
the admin allows must give a price that is never negative, a tier table that never rises with
quantity, and the same answer whether asked for a whole table or for one quantity.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pipit.pricing.engine import ListRow, RuleSpec, compute, price_at, tier_for

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("2000000"), places=2)
percent = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
quantity = st.integers(min_value=1, max_value=1000)

list_rows = st.lists(
    st.builds(
        ListRow,
        list_id=st.integers(1, 6),
        priority=st.integers(-3, 3),
        min_quantity=quantity,
        price=money,
    ),
    max_size=6,
)


@st.composite
def rules(draw):
    action = draw(st.sampled_from(["percent_off", "fixed_price", "markup", "round"]))
    value_strategy = {
        "percent_off": percent,
        "fixed_price": money,
        "markup": st.decimals(min_value=Decimal("0"), max_value=Decimal("300"), places=2),
        "round": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
    }[action]
    tiers = draw(
        st.lists(st.tuples(quantity, value_strategy), max_size=3, unique_by=lambda t: t[0])
    )
    return RuleSpec(
        id=draw(st.integers(1, 10_000)),
        priority=draw(st.integers(-5, 5)),
        stacking=draw(st.sampled_from(["best", "first", "cumulative"])),
        action=action,
        value=draw(st.none() | value_strategy),
        rounding=draw(st.sampled_from(["nearest", "up", "down"])),
        tiers=tuple(sorted(tiers)),
    )


cases = st.fixed_dictionaries(
    {
        "base": money,
        "cost": st.none() | money,
        "levels": st.fixed_dictionaries(
            {"company": list_rows, "group": list_rows, "storefront": list_rows}
        ),
        "rules": st.lists(rules(), max_size=5, unique_by=lambda r: r.id),
    }
)


@settings(max_examples=2000, deadline=None)
@given(case=cases)
def test_prices_are_never_negative_and_tiers_never_rise(case):
    tiers = compute(case["base"], case["cost"], case["levels"], case["rules"])
    assert tiers, "a product with a base price always has a price"
    assert tiers[0].min_quantity == 1
    assert all(t.price >= 0 for t in tiers)
    assert all(t.price == t.price.quantize(Decimal("0.01")) for t in tiers)
    quantities = [t.min_quantity for t in tiers]
    assert quantities == sorted(set(quantities))
    prices = [t.price for t in tiers]
    assert all(a > b for a, b in zip(prices, prices[1:], strict=False)), prices


@settings(max_examples=1000, deadline=None)
@given(case=cases, q=quantity)
def test_a_quantity_costs_what_its_tier_says_and_never_more_than_fewer_units(case, q):
    tiers = compute(case["base"], case["cost"], case["levels"], case["rules"])
    chosen = tier_for(tiers, q)
    # Buying more never costs more per unit.
    assert chosen.price <= tier_for(tiers, max(q - 1, 1)).price
    # The table's price at q is the lowest price computed at any break up to q.
    direct = [
        price_at(t.min_quantity, case["base"], case["cost"], case["levels"], sorted_rules(case))
        for t in tiers
        if t.min_quantity <= q
    ]
    assert chosen.price <= direct[-1][0]


def sorted_rules(case):
    return sorted(case["rules"], key=RuleSpec.sort_key)


@settings(max_examples=300, deadline=None)
@given(case=cases)
def test_a_company_row_wins_over_group_and_storefront_rows_at_its_quantity(case):
    levels = case["levels"]
    if not levels["company"]:
        return
    first = min(levels["company"], key=lambda r: r.min_quantity)
    price, steps = price_at(first.min_quantity, case["base"], case["cost"], levels, [])
    assert steps[1][0] == "l"
    assert steps[1][1] in {r.list_id for r in levels["company"]}
    assert price == price.quantize(Decimal("0.01"))
