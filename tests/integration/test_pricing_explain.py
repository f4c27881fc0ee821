"""Explain: the chain behind a price, with the same numbers the storefront shows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from pipit.pricing.engine import tier_for
from pipit.pricing.explain import explain
from pipit.pricing.models import (
    CustomerGroup,
    PriceList,
    PriceListItem,
    PriceRule,
    PriceRuleTier,
)
from pipit.pricing.resolver import PriceResolver
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def publish(obj):
    obj.save()
    obj.save_revision().publish()
    return obj


def shown_price(sf, user, product, quantity=1) -> Decimal:
    strategy = StorefrontStrategy(storefront=sf, user=user)
    return strategy.fetch_for_product(product, quantity=quantity).price.excl_tax


@pytest.fixture
def world(storefront, django_capture_on_commit_callbacks):
    """Base 100 (cost 60); regulars' list 90; Acme's contract 85 from 1 and 70 from 20;
    rules: 'Volume' cumulative 5% off from 10 units (priority 10), 'Cosmetics -10%' best price
    on a category (priority 5), 'Round to 5' first match, rounding down (priority 1), and
    'Never here' for other companies."""
    sf = storefront
    hair = factories.category(sf, "Hair")
    tools = factories.category(sf, "Tools")
    shampoo = factories.product(sf, "Shampoo", price="100.00", categories=[hair])
    record = shampoo.stockrecords.get()
    record.cost_price = Decimal("60.00")
    record.save()
    drill = factories.product(sf, "Drill", price="200.00", categories=[tools])
    regular = CustomerGroup.objects.create(storefront=sf, name="Regular", code="regular")
    acme = factories.company(sf, "Acme")
    plain = factories.company(sf, "Plain")
    rival = factories.company(sf, "Rival")
    regular.companies.add(acme, plain)
    with django_capture_on_commit_callbacks(execute=True):
        regulars = PriceList(storefront=sf, name="Regulars", kind="group", currency=sf.currency)
        regulars.save()
        regulars.groups.add(regular)
        publish(regulars)
        PriceListItem.objects.create(price_list=regulars, product=shampoo, price="90.00")
        PriceListItem.objects.create(price_list=regulars, product=drill, price="180.00")
        contracts = publish(
            PriceList(storefront=sf, name="Contracts", kind="company", currency=sf.currency)
        )
        PriceListItem.objects.create(
            price_list=contracts, product=shampoo, company=acme, price="85.00"
        )
        PriceListItem.objects.create(
            price_list=contracts, product=shampoo, company=acme, min_quantity=20, price="70.00"
        )
        draft_list = PriceList(storefront=sf, name="Next year", kind="storefront", live=False)
        draft_list.save()
        draft_list.save_revision()  # never published: its rows do not count
        PriceListItem.objects.create(price_list=draft_list, product=shampoo, price="50.00")

        volume = PriceRule(
            storefront=sf,
            name="Volume",
            action="percent_off",
            value=None,
            priority=10,
            stacking="cumulative",
        )
        volume.save()
        PriceRuleTier.objects.create(rule=volume, min_quantity=10, value=5)
        publish(volume)
        category_rule = PriceRule(
            storefront=sf,
            name="Cosmetics -10%",
            action="percent_off",
            value=10,
            priority=5,
            stacking="best",
            product_scope="categories",
        )
        category_rule.save()
        category_rule.categories.add(hair)
        publish(category_rule)
        publish(
            PriceRule(
                storefront=sf,
                name="Round to 5",
                action="round",
                value=5,
                rounding="down",
                priority=1,
                stacking="first",
            )
        )
        never = PriceRule(
            storefront=sf,
            name="Never here",
            action="percent_off",
            value=50,
            priority=20,
            customer_scope="companies",
        )
        never.save()
        never.companies.add(rival)
        publish(never)
        publish(
            PriceRule(
                storefront=sf,
                name="Next month",
                action="percent_off",
                value=30,
                priority=2,
                valid_from=timezone.localdate() + datetime.timedelta(days=30),
            )
        )
    return {
        "sf": sf,
        "shampoo": shampoo,
        "drill": drill,
        "acme": acme,
        "plain": plain,
        "rival": rival,
        "buyers": {
            "acme": factories.buyer(acme),
            "plain": factories.buyer(plain),
            "rival": factories.buyer(rival),
        },
    }


def steps(explanation):
    return [(s.rule.name, s.reason, s.before, s.after) for s in explanation.rules]


def test_acme_chain_names_the_contract_row_and_every_rule_with_its_reason(world):
    sf, shampoo, acme = world["sf"], world["shampoo"], world["acme"]
    today = timezone.localdate()

    result = explain(sf, acme, shampoo, 12, today)

    assert result.base_price == Decimal("100.00")
    chosen = result.chosen_list
    assert (chosen.price_list.name, chosen.level, chosen.min_quantity, chosen.price) == (
        "Contracts",
        "company",
        1,
        Decimal("85.00"),
    )
    reasons = {(c.price_list.name, c.min_quantity): c.reason for c in result.lists}
    assert reasons == {
        ("Contracts", 1): "used",
        ("Contracts", 20): "above_quantity",
        ("Regulars", 1): "level",
        ("Next year", 1): "draft",
    }
    # 85 → 80.75 (volume: 5% from 10 units, cumulative) → 72.68 (category 10%, best price:
    # lower) → 70.00 (round down to 5, first match).
    assert steps(result) == [
        ("Never here", "buyer_scope", None, None),
        ("Volume", "applied", Decimal("85.00"), Decimal("80.75")),
        ("Cosmetics -10%", "applied", Decimal("80.75"), Decimal("72.68")),
        ("Next month", "not_valid", None, None),
        ("Round to 5", "applied", Decimal("72.68"), Decimal("70.00")),
    ]
    assert result.final == Decimal("70.00")
    assert result.final_incl_tax == Decimal("84.00")  # VAT 20%
    assert [(t.min_quantity, t.price, t.current) for t in result.tiers] == [
        (1, Decimal("75.00"), False),
        (10, Decimal("70.00"), True),
        (20, Decimal("55.00"), False),
    ]
    assert result.matches_compiled is True


def test_reasons_for_rules_below_their_tier_and_out_of_product_scope(world):
    sf, drill, plain = world["sf"], world["drill"], world["plain"]

    result = explain(sf, plain, drill, 1, timezone.localdate())

    assert result.chosen_list.price_list.name == "Regulars"
    assert steps(result) == [
        ("Never here", "buyer_scope", None, None),
        ("Volume", "quantity", None, None),
        ("Cosmetics -10%", "product_scope", None, None),
        ("Next month", "not_valid", None, None),
        ("Round to 5", "applied", Decimal("180.00"), Decimal("180.00")),
    ]
    assert result.final == Decimal("180.00")
    # A rule that does not reach still says what it does (for the action column).
    assert [s.value for s in result.rules[1:3]] == [None, Decimal("10")]


def test_a_best_price_rule_that_is_not_lower_and_rules_after_a_first_match_are_stopped(
    world, django_capture_on_commit_callbacks
):
    sf, shampoo, rival = world["sf"], world["shampoo"], world["rival"]
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            PriceRule(
                storefront=sf,
                name="Floor 95",
                action="fixed_price",
                value=95,
                priority=3,
                stacking="best",
            )
        )
        publish(
            PriceRule(
                storefront=sf,
                name="Markup 10",
                action="markup",
                value=10,
                priority=0,
                stacking="cumulative",
            )
        )

    result = explain(sf, rival, shampoo, 1, timezone.localdate())

    by_name = {s.rule.name: s for s in result.rules}
    # 100 → 50 (Rival's 50% off, best) → 45 (category 10%) → the fixed 95 is not lower
    # → 45 rounded down to 5 (first match) → the markup after it never runs.
    assert by_name["Never here"].after == Decimal("50.00")
    assert by_name["Floor 95"].reason == "not_lower"
    assert by_name["Floor 95"].after == Decimal("95.00")
    assert by_name["Round to 5"].applied
    assert by_name["Markup 10"].reason == "stopped"
    assert result.final == Decimal("45.00") == shown_price(sf, world["buyers"]["rival"], shampoo)


def test_markup_without_a_cost_is_not_applied(world, django_capture_on_commit_callbacks):
    sf, drill = world["sf"], world["drill"]
    with django_capture_on_commit_callbacks(execute=True):
        publish(PriceRule(storefront=sf, name="Cost plus", action="markup", value=10, priority=30))

    result = explain(sf, None, drill, 1, timezone.localdate())

    assert result.rules[0].rule.name == "Cost plus"
    assert result.rules[0].reason == "no_cost"
    assert result.final == Decimal("200.00")


@pytest.mark.parametrize("who", ["acme", "plain", "rival", None])
def test_explain_gives_the_price_the_storefront_shows(world, who):
    sf = world["sf"]
    company = world[who] if who else None
    user = world["buyers"][who] if who else None
    for product in (world["shampoo"], world["drill"]):
        for quantity in (1, 5, 10, 19, 20, 50):
            result = explain(sf, company, product, quantity, timezone.localdate())
            if user is None:
                # Anonymous visitors do not see prices on this storefront: read what they would.
                expected = tier_for(PriceResolver(sf, None).tiers(product.pk), quantity).price
            else:
                expected = shown_price(sf, user, product, quantity)
            assert result.final == expected, (who, product.title, quantity)
            assert result.matches_compiled


def test_a_tier_cap_is_explained(world, django_capture_on_commit_callbacks):
    """Acme's contract row from 20 (70) is dearer than the rules make of 1..19 when it is 90:
    the tier table does not rise, and explain says the smaller quantity's price caps it."""
    sf, shampoo, acme = world["sf"], world["shampoo"], world["acme"]
    PriceListItem.objects.filter(company=acme, min_quantity=20).update(price="99.00")

    result = explain(sf, acme, shampoo, 25, timezone.localdate(), check_compiled=False)

    # from 20: 99 → 94.05 (volume) → 84.65 (category) → 80 (round): above the 70 from 10.
    assert result.chain_price == Decimal("80.00")
    assert result.cap is not None and result.cap.min_quantity == 10
    assert result.final == Decimal("70.00")


def test_explain_for_another_day_uses_the_rules_valid_then(world):
    sf, drill = world["sf"], world["drill"]
    later = timezone.localdate() + datetime.timedelta(days=40)

    result = explain(sf, None, drill, 1, later)

    by_name = {s.rule.name: s for s in result.rules}
    assert by_name["Next month"].applied
    assert by_name["Next month"].after == Decimal("140.00")
    assert result.matches_compiled is None  # the compiled table is today's
    assert result.final == Decimal("140.00")


def test_a_company_of_another_storefront_is_refused(world, other_storefront):
    stranger = factories.company(other_storefront, "Stranger")
    with pytest.raises(ValueError):
        explain(world["sf"], stranger, world["shampoo"], 1, timezone.localdate())
