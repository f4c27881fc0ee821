"""Published price lists and rules compiled into effective prices, read through the strategy."""

from __future__ import annotations

import datetime
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pipit.catalog.queries import products_for_storefront, with_purchase_info
from pipit.pricing.compiler import Scope, compile_prices
from pipit.pricing.engine import (
    ListRow,
    RuleSpec,
    breakpoints,
    compute,
    compute_prepared,
    prepare,
    price_at,
)
from pipit.pricing.models import (
    CustomerGroup,
    EffectivePrice,
    PriceList,
    PriceListItem,
    PriceRule,
    PriceRuleTier,
)
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db(transaction=False)


def publish(obj):
    obj.save()
    obj.save_revision().publish()
    return obj


def price(sf, user, product, quantity=1) -> Decimal:
    strategy = StorefrontStrategy(storefront=sf, user=user)
    return strategy.fetch_for_product(product, quantity=quantity).price.excl_tax


@pytest.fixture
def world(storefront):
    sf = storefront
    regular = CustomerGroup.objects.create(storefront=sf, name="Regular", code="regular")
    acme = factories.company(sf, "Acme")
    other = factories.company(sf, "Other")
    regular.companies.add(acme)
    buyer = factories.buyer(acme)
    other_buyer = factories.buyer(other)
    product = factories.product(sf, "Drill", price="100.00")
    return sf, regular, acme, other, buyer, other_buyer, product


def test_the_chain_company_over_group_over_storefront_with_tiers(
    world, django_capture_on_commit_callbacks
):
    sf, regular, acme, other, buyer, other_buyer, product = world
    with django_capture_on_commit_callbacks(execute=True):
        base = publish(
            PriceList(storefront=sf, name="Base", kind="storefront", currency=sf.currency)
        )
        PriceListItem.objects.create(price_list=base, product=product, price="95.00")
        group = PriceList(storefront=sf, name="Regulars", kind="group", currency=sf.currency)
        group.save()
        group.groups.add(regular)
        publish(group)
        PriceListItem.objects.create(price_list=group, product=product, price="90.00")
        contract = publish(
            PriceList(storefront=sf, name="Contracts", kind="company", currency=sf.currency)
        )
        PriceListItem.objects.create(
            price_list=contract, product=product, company=acme, min_quantity=10, price="80.00"
        )

    assert price(sf, other_buyer, product) == Decimal("95.00")
    assert price(sf, buyer, product) == Decimal("90.00")
    assert price(sf, buyer, product, 10) == Decimal("80.00")
    strategy = StorefrontStrategy(storefront=sf, user=buyer)
    info = strategy.fetch_for_product(product)
    assert [(q, p) for q, p, _incl in info.price.tiers] == [
        (1, Decimal("90.00")),
        (10, Decimal("80.00")),
    ]


def test_rules_stack_best_first_and_cumulative(world, django_capture_on_commit_callbacks):
    sf, regular, acme, other, buyer, other_buyer, product = world
    with django_capture_on_commit_callbacks(execute=True):
        ten = PriceRule(storefront=sf, name="10% off", action="percent_off", value=10, priority=5)
        publish(ten)
        fixed = PriceRule(
            storefront=sf,
            name="Fixed 95",
            action="fixed_price",
            value=95,
            priority=1,
            stacking="best",
        )
        publish(fixed)
    # 100 → 90 (best, lower); the fixed 95 is not lower: skipped.
    assert price(sf, other_buyer, product) == Decimal("90.00")

    with django_capture_on_commit_callbacks(execute=True):
        rounding = PriceRule(
            storefront=sf,
            name="Round to 5",
            action="round",
            value=5,
            rounding="up",
            priority=0,
            stacking="cumulative",
            customer_scope="groups",
        )
        rounding.save()
        rounding.groups.add(regular)
        publish(rounding)
        tiered = PriceRule(
            storefront=sf,
            name="Volume",
            action="percent_off",
            value=None,
            priority=10,
            stacking="cumulative",
            customer_scope="companies",
        )
        tiered.save()
        tiered.companies.add(acme)
        PriceRuleTier.objects.create(rule=tiered, min_quantity=50, value=20)
        publish(tiered)

    assert price(sf, other_buyer, product) == Decimal("90.00")
    assert price(sf, buyer, product) == Decimal("90.00")
    # 50+: 100 → 80 (volume) → 72 (10% best) → 75 (round up to 5, cumulative)
    assert price(sf, buyer, product, 50) == Decimal("75.00")
    assert price(sf, other_buyer, product, 50) == Decimal("90.00")


def test_a_draft_changes_nothing_until_published(world, django_capture_on_commit_callbacks):
    sf, regular, acme, other, buyer, other_buyer, product = world
    with django_capture_on_commit_callbacks(execute=True):
        rule = PriceRule(storefront=sf, name="Half", action="percent_off", value=50)
        rule.save()
        rule.save_revision()
    assert price(sf, buyer, product) == Decimal("100.00")
    with django_capture_on_commit_callbacks(execute=True):
        rule.save_revision().publish()
    assert price(sf, buyer, product) == Decimal("50.00")
    with django_capture_on_commit_callbacks(execute=True):
        rule.unpublish()
    assert price(sf, buyer, product) == Decimal("100.00")


def test_narrowing_a_rule_gives_the_left_out_products_their_price_back(
    world, django_capture_on_commit_callbacks
):
    sf, regular, acme, other, buyer, other_buyer, product = world
    second = factories.product(sf, "Saw", price="200.00")
    with django_capture_on_commit_callbacks(execute=True):
        rule = publish(PriceRule(storefront=sf, name="Half", action="percent_off", value=50))
    assert price(sf, buyer, second) == Decimal("100.00")
    with django_capture_on_commit_callbacks(execute=True):
        rule.product_scope = "products"
        rule.save()
        rule.products.set([product])
        rule.save_revision().publish()
    assert price(sf, buyer, product) == Decimal("50.00")
    assert price(sf, buyer, second) == Decimal("200.00")


def test_validity_windows_roll_over_by_day(world, django_capture_on_commit_callbacks):
    sf, regular, acme, other, buyer, other_buyer, product = world
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            PriceRule(
                storefront=sf,
                name="From tomorrow",
                action="percent_off",
                value=10,
                valid_from=tomorrow,
            )
        )
    compile_prices(sf)
    assert price(sf, buyer, product) == Decimal("100.00")
    from pipit.pricing.rollover import roll_over_storefront

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
        assert roll_over_storefront(sf) > 0
    assert price(sf, buyer, product) == Decimal("90.00")


def test_a_page_of_prices_is_one_query_and_companies_store_only_differences(world):
    sf, regular, acme, other, buyer, other_buyer, product = world
    products = [factories.product(sf, f"P{n}", price="10.00") for n in range(30)]
    contract = publish(
        PriceList(storefront=sf, name="Contracts", kind="company", currency=sf.currency)
    )
    for p in products[:5]:
        PriceListItem.objects.create(price_list=contract, product=p, company=acme, price="9.00")
    compile_prices(sf, Scope())
    assert EffectivePrice.objects.filter(company_id=acme.pk).count() == 5
    assert EffectivePrice.objects.filter(company_id=other.pk).count() == 0

    loaded = {p.pk: p for p in with_purchase_info(products_for_storefront(sf), sf)}
    products = [loaded[p.pk] for p in products]
    strategy = StorefrontStrategy(storefront=sf, user=buyer)
    strategy.prices.segment  # noqa: B018  (read once per company, then cached)
    strategy.fetch_for_product(product)  # the storefront's plugin switches, read once
    with CaptureQueriesContext(connection) as queries:
        strategy.prime(products)
        got = [strategy.fetch_for_product(p).price.excl_tax for p in products]
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert got[:5] == [Decimal("9.00")] * 5
    assert got[5:] == [Decimal("10.00")] * 25


# -- the engine's fast path ----------------------------------------------------------------------

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("2000000"), places=2)
percent = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
quantities = st.integers(min_value=1, max_value=200)
list_rows = st.lists(
    st.builds(
        ListRow,
        list_id=st.integers(1, 4),
        priority=st.integers(-2, 2),
        min_quantity=quantities,
        price=money,
    ),
    max_size=5,
)


@st.composite
def rule_specs(draw):
    action = draw(st.sampled_from(["percent_off", "fixed_price", "markup", "round"]))
    values = {
        "percent_off": percent,
        "fixed_price": money,
        "markup": st.decimals(min_value=Decimal("0"), max_value=Decimal("300"), places=2),
        "round": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
    }[action]
    tiers = draw(st.lists(st.tuples(quantities, values), max_size=3, unique_by=lambda t: t[0]))
    return RuleSpec(
        id=draw(st.integers(1, 10_000)),
        priority=draw(st.integers(-3, 3)),
        stacking=draw(st.sampled_from(["best", "first", "cumulative"])),
        action=action,
        value=draw(st.none() | values),
        rounding=draw(st.sampled_from(["nearest", "up", "down"])),
        tiers=tuple(sorted(tiers)),
    )


def table_from_price_at(base, cost, levels, rules):
    """The tier table as the engine defines it: price_at at every break, kept where it lowers
    the price (the compiler's fast path must give exactly this, steps included)."""
    rules = sorted(rules, key=RuleSpec.sort_key)
    if not rules and not any(levels.values()):
        if base is None:
            return []
        price = max(base, Decimal("0")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return [(1, price, base, [["b", str(base)]])]
    table = []
    for quantity in breakpoints(levels, rules):
        result = price_at(quantity, base, cost, levels, rules)
        if result is None or (table and result[0] >= table[-1][1]):
            continue
        table.append((quantity, result[0], base if base is not None else result[0], result[1]))
    return table


@hypothesis_settings(max_examples=3000, deadline=None)
@given(
    base=st.none() | money,
    cost=st.none() | money,
    company=list_rows,
    group=list_rows,
    store=list_rows,
    rules=st.lists(rule_specs(), max_size=6, unique_by=lambda r: r.id),
)
def test_compute_gives_the_price_at_every_break_steps_and_all(
    base, cost, company, group, store, rules
):
    levels = {"company": company, "group": group, "storefront": store}
    expected = table_from_price_at(base, cost, levels, rules)
    tiers = compute(base, cost, levels, rules)
    assert [(t.min_quantity, t.price, t.base_price, t.steps) for t in tiers] == expected
    # The compiler's form: prepared rules, steps as the JSON text it stores.
    stored = compute_prepared(base, cost, levels, prepare(rules), steps_as_json=True)
    assert [(t.min_quantity, t.price, json.loads(t.steps)) for t in stored] == [
        (quantity, price, steps) for quantity, price, _base, steps in expected
    ]


odd_amounts = st.decimals(min_value=Decimal("-5"), max_value=Decimal("5000"), places=4)


@hypothesis_settings(max_examples=1000, deadline=None)
@given(
    base=st.none() | odd_amounts,
    cost=st.none() | odd_amounts,
    rows=st.lists(
        st.builds(
            ListRow,
            list_id=st.integers(1, 3),
            priority=st.integers(-1, 1),
            min_quantity=quantities,
            price=odd_amounts,
        ),
        max_size=4,
    ),
    rules=st.lists(rule_specs(), max_size=5, unique_by=lambda r: r.id),
    value=odd_amounts,
)
def test_compute_agrees_with_price_at_for_amounts_beyond_whole_kopecks(
    base, cost, rows, rules, value
):
    # Values and prices with more decimals (or below zero) than the admin allows take the
    # decimal path; the answer is the same.
    if rules:
        rules[0].value = value
    levels = {"storefront": rows}
    tiers = compute(base, cost, levels, rules)
    assert [(t.min_quantity, t.price, t.base_price, t.steps) for t in tiers] == (
        table_from_price_at(base, cost, levels, rules)
    )
