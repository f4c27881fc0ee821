"""Order promotions as Oscar offers: who gets them, what they take off, what the order records."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import prefetch_related_objects
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oscar.apps.basket.models import Basket, Line
from oscar.apps.offer.applicator import Applicator
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.partner.strategy import PurchaseInfo

from pipit.companies.access import buyer_company
from pipit.ordering.services import place_order
from pipit.pricing.models import CustomerGroup
from pipit.pricing.strategy import StorefrontStrategy
from pipit.promotions import services
from pipit.promotions.demo import load_demo
from pipit.promotions.models import OrderPromotion, OrderPromotionCategory, OrderPromotionProduct
from pipit.testing import factories

pytestmark = pytest.mark.django_db

Kind = OrderPromotion.Kind
Scope = OrderPromotion.CustomerScope


def promotion(storefront, name: str, **fields) -> OrderPromotion:
    """An unsaved promotion; ``groups``, ``companies``, ``products``, ``categories`` as lists."""
    groups = fields.pop("groups", [])
    companies = fields.pop("companies", [])
    products = fields.pop("products", [])
    categories = fields.pop("categories", [])
    item = OrderPromotion(storefront=storefront, name=name, **fields)
    item.groups = groups
    item.companies = companies
    item.scope_products = [OrderPromotionProduct(product=p) for p in products]
    item.scope_categories = [OrderPromotionCategory(category=c) for c in categories]
    return item


def threshold_promotion(storefront, **fields) -> OrderPromotion:
    fields.setdefault("kind", Kind.PERCENT_OFF)
    fields.setdefault("threshold", Decimal("1500000"))
    fields.setdefault("value", Decimal("5"))
    return promotion(storefront, fields.pop("name", "5% off orders over 1.5M"), **fields)


def basket_of(storefront, user, *items) -> Basket:
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    for product, quantity in items:
        basket.add_product(product, quantity)
    return applied(basket)


def applied(basket: Basket) -> Basket:
    """The basket as the cart page shows it: fresh lines, offers applied."""
    basket._lines = None
    basket.reset_offer_applications()
    Applicator().apply(basket, basket.owner)
    return basket


def regular_group(storefront, *companies) -> CustomerGroup:
    group = CustomerGroup.objects.create(storefront=storefront, name="Regular", code="regular")
    group.companies.add(*companies)
    return group


@pytest.fixture
def machine(storefront):
    # 500,000.00 excl. VAT = 600,000.00 incl. 20% VAT
    return factories.product(storefront, "Salon chair", price="500000.00", stock={"main": 50})


@pytest.fixture
def regular(storefront, company):
    return regular_group(storefront, company)


def place(storefront, user, basket):
    company = buyer_company(user, storefront)
    return place_order(
        storefront=storefront, user=user, basket=basket, shipping_address=company.addresses.get()
    )


# -- thresholds --------------------------------------------------------------------------------


def test_regular_customer_over_threshold_gets_5_percent_in_cart_and_order(
    storefront, company, buyer, machine, regular
):
    services.publish(threshold_promotion(storefront, customer_scope=Scope.GROUPS, groups=[regular]))
    basket = basket_of(storefront, buyer, (machine, 3))  # 1,800,000.00 incl. VAT

    assert basket.total_incl_tax_excl_discounts == Decimal("1800000.00")
    assert basket.total_discount == Decimal("90000.00")
    assert basket.total_incl_tax == Decimal("1710000.00")
    summary = services.cart_promotions(basket)
    assert [(p.name, p.discount) for p in summary.applied] == [
        ("5% off orders over 1.5M", Decimal("90000.00"))
    ]

    order = place(storefront, buyer, basket)

    order.refresh_from_db()
    lines = sum(line.line_price_before_discounts_incl_tax for line in order.lines.all())
    discounts = sum(d.amount for d in order.discounts.all())
    assert lines == Decimal("1800000.00")
    assert discounts == order.total_discount_incl_tax == Decimal("90000.00")
    assert order.total_incl_tax == lines - discounts + order.shipping_incl_tax
    assert order.total_incl_tax == Decimal("1710000.00")
    assert [d.offer_name for d in order.discounts.all()] == ["5% off orders over 1.5M"]


def test_below_the_threshold_nothing_is_taken_off(storefront, buyer, machine, regular):
    services.publish(threshold_promotion(storefront, customer_scope=Scope.GROUPS, groups=[regular]))

    basket = basket_of(storefront, buyer, (machine, 2))  # 1,200,000.00

    assert basket.total_discount == 0
    assert basket.total_incl_tax == Decimal("1200000.00")


def test_company_outside_the_group_gets_no_discount(
    storefront, other_company, other_buyer, machine, regular
):
    services.publish(threshold_promotion(storefront, customer_scope=Scope.GROUPS, groups=[regular]))

    basket = basket_of(storefront, other_buyer, (machine, 3))

    assert basket.total_discount == 0
    assert services.cart_promotions(basket).applied == []
    assert services.cart_promotions(basket).next_threshold is None


def test_promotion_for_chosen_companies_skips_the_others(
    storefront, company, buyer, other_buyer, machine
):
    services.publish(
        threshold_promotion(storefront, customer_scope=Scope.COMPANIES, companies=[company])
    )

    assert basket_of(storefront, buyer, (machine, 3)).total_discount == Decimal("90000.00")
    assert basket_of(storefront, other_buyer, (machine, 3)).total_discount == 0


def test_another_storefronts_basket_never_gets_the_offer(storefront, other_storefront, machine):
    services.publish(threshold_promotion(storefront))  # for all buyers of alpha
    beta_buyer = factories.buyer(factories.company(other_storefront, "Beta Buyer LLC"))
    beta_machine = factories.product(other_storefront, "Beta chair", price="500000.00")

    basket = basket_of(other_storefront, beta_buyer, (beta_machine, 4))

    assert basket.total_discount == 0
    assert services.cart_promotions(basket).next_threshold is None


def test_draft_promotion_does_nothing_until_published(storefront, buyer, machine):
    draft = threshold_promotion(storefront)
    draft.live = False
    draft.save()
    draft.save_revision()

    assert basket_of(storefront, buyer, (machine, 3)).total_discount == 0
    assert not ConditionalOffer.objects.exists()

    draft.get_latest_revision().publish()

    assert basket_of(storefront, buyer, (machine, 3)).total_discount == Decimal("90000.00")


def test_unpublished_promotion_stops_and_a_new_draft_waits_for_publishing(
    storefront, buyer, machine
):
    live = services.publish(threshold_promotion(storefront))
    live.value = Decimal("10")
    live.save_revision()  # a draft of a change: the published 5% still applies

    assert basket_of(storefront, buyer, (machine, 3)).total_discount == Decimal("90000.00")

    live.get_latest_revision().publish()
    assert basket_of(storefront, buyer, (machine, 3)).total_discount == Decimal("180000.00")

    live.refresh_from_db()
    live.unpublish()
    assert basket_of(storefront, buyer, (machine, 3)).total_discount == 0
    assert ConditionalOffer.objects.get().is_suspended


def test_scheduled_promotion_applies_from_its_publication_time(storefront, buyer, machine):
    item = threshold_promotion(storefront)
    item.live = False
    item.go_live_at = timezone.now() + datetime.timedelta(seconds=1)
    item.save()
    item.save_revision().publish()  # approved for publishing in a second

    assert basket_of(storefront, buyer, (machine, 3)).total_discount == 0
    assert not ConditionalOffer.active.exists()

    time.sleep(1.1)
    call_command("publish_scheduled")  # what Celery beat runs

    assert basket_of(storefront, buyer, (machine, 3)).total_discount == Decimal("90000.00")


def test_deleting_a_promotion_removes_its_oscar_offer(storefront, buyer, machine):
    item = services.publish(threshold_promotion(storefront))

    item.delete()

    assert not ConditionalOffer.objects.exists()
    assert not Condition.objects.exists()
    assert not Benefit.objects.exists()
    assert not Range.objects.exists()
    assert basket_of(storefront, buyer, (machine, 3)).total_discount == 0


def test_validity_window_is_respected(storefront, buyer, machine):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    services.publish(threshold_promotion(storefront, valid_from=tomorrow))

    basket = basket_of(storefront, buyer, (machine, 3))

    assert basket.total_discount == 0
    assert services.cart_promotions(basket).next_threshold is None


def test_fixed_amount_off_is_spread_over_lines_and_adds_up(storefront, buyer, machine):
    cream = factories.product(storefront, "Cream", price="333.33", stock={"main": 100})
    services.publish(
        threshold_promotion(
            storefront, kind=Kind.AMOUNT_OFF, threshold=Decimal("100000"), value=Decimal("1000")
        )
    )

    basket = basket_of(storefront, buyer, (machine, 1), (cream, 7))

    assert basket.total_discount == Decimal("1000.00")
    assert basket.total_incl_tax == basket.total_incl_tax_excl_discounts - Decimal("1000.00")


def test_hint_names_the_exact_missing_amount(storefront, buyer, machine, regular, company):
    services.publish(threshold_promotion(storefront, customer_scope=Scope.GROUPS, groups=[regular]))
    services.publish(
        threshold_promotion(
            storefront, name="3% from 2M", threshold=Decimal("2000000"), value=Decimal("3")
        )
    )
    cream = factories.product(storefront, "Cream", price="1000.00", stock={"main": 100})

    basket = basket_of(storefront, buyer, (machine, 2), (cream, 58))  # 1,269,600.00

    hint = services.cart_promotions(basket).next_threshold
    assert (hint.name, hint.missing_amount, hint.currency) == (
        "5% off orders over 1.5M",
        Decimal("230400.00"),
        "RUB",
    )
    assert "230,400.00" in hint.message and "5% off the order" in hint.message

    basket = basket_of(storefront, buyer, (machine, 3))  # 1,800,000.00: 5% applies
    hint = services.cart_promotions(basket).next_threshold
    assert (hint.name, hint.missing_amount) == ("3% from 2M", Decimal("200000.00"))


# -- multi-buys --------------------------------------------------------------------------------


@pytest.fixture
def polishes(storefront):
    nails = factories.category(storefront, "Nails")
    gel = factories.category(storefront, "Nails", "Gel polish")
    stock = {"main": 100_000}
    return {
        "nails": nails,
        "red": factories.product(storefront, "Red", price="300.00", categories=[gel], stock=stock),
        "blue": factories.product(
            storefront, "Blue", price="200.00", categories=[gel], stock=stock
        ),
        "base": factories.product(
            storefront, "Base", price="100.00", categories=[nails], stock=stock
        ),
        "shampoo": factories.product(storefront, "Shampoo", price="50.00", stock=stock),
    }


def test_buy_3_get_the_cheapest_free_counts_subcategories(storefront, buyer, polishes):
    services.publish(
        promotion(
            storefront,
            "3 for 2 on nails",
            kind=Kind.BUY_N_GET_M,
            buy_quantity=3,
            free_quantity=1,
            categories=[polishes["nails"]],
        )
    )

    basket = basket_of(
        storefront,
        buyer,
        (polishes["red"], 2),
        (polishes["blue"], 2),
        (polishes["base"], 2),
        (polishes["shampoo"], 5),  # not in the category: never free
    )

    # Sets, most expensive first: red red blue (blue free), blue base base (base free); incl. VAT
    assert basket.total_discount == Decimal("240.00") + Decimal("120.00")
    assert [(p.name, p.discount) for p in services.cart_promotions(basket).applied] == [
        ("3 for 2 on nails", Decimal("360.00"))
    ]


def test_every_second_chosen_product_half_price(storefront, buyer, polishes):
    services.publish(
        promotion(
            storefront,
            "Second one half price",
            kind=Kind.NTH_ITEM_PERCENT,
            buy_quantity=2,
            value=Decimal("50"),
            products=[polishes["red"]],
        )
    )

    basket = basket_of(storefront, buyer, (polishes["red"], 5), (polishes["blue"], 3))

    # 5 reds make 2 pairs: 2 × 50% of 360.00
    assert basket.total_discount == Decimal("360.00")


def test_multibuy_and_threshold_stack_without_exceeding_the_lines(
    storefront, buyer, polishes, machine
):
    services.publish(
        promotion(
            storefront,
            "3 for 2 on nails",
            kind=Kind.BUY_N_GET_M,
            buy_quantity=3,
            free_quantity=1,
            categories=[polishes["nails"]],
            priority=10,
        )
    )
    services.publish(threshold_promotion(storefront, threshold=Decimal("100000")))

    basket = basket_of(storefront, buyer, (polishes["red"], 3), (machine, 1))

    # red ×3: one free (360.00), then 5% of what is left: (720.00 + 600,000.00) × 5%
    assert basket.total_discount == Decimal("360.00") + Decimal("36.00") + Decimal("30000.00")
    assert basket.total_incl_tax == basket.total_incl_tax_excl_discounts - basket.total_discount


def test_exclusive_promotion_does_not_combine(storefront, buyer, polishes, machine):
    services.publish(
        promotion(
            storefront,
            "3 for 2 on nails",
            kind=Kind.BUY_N_GET_M,
            buy_quantity=3,
            free_quantity=1,
            products=[polishes["red"]],
            priority=10,
            exclusive=True,
        )
    )
    services.publish(threshold_promotion(storefront, threshold=Decimal("100000"), exclusive=True))

    basket = basket_of(storefront, buyer, (polishes["red"], 3), (machine, 1))

    # The reds went to the multi-buy; the 5% only discounts the chair.
    assert basket.total_discount == Decimal("360.00") + Decimal("30000.00")


# -- the demo ----------------------------------------------------------------------------------


def test_demo_promotions_are_published_once(storefront, company, buyer, machine):
    factories.category(storefront, "Hair")
    groups = {"regular": regular_group(storefront, company)}

    load_demo(storefront, groups)
    load_demo(storefront, groups)

    assert OrderPromotion.objects.filter(storefront=storefront, live=True).count() == 2
    assert ConditionalOffer.objects.count() == 2
    assert basket_of(storefront, buyer, (machine, 3)).total_discount == Decimal("90000.00")


# -- the property: an order's total is its lines less its discounts ------------------------------


@pytest.fixture
def stacked_promotions(storefront, polishes):
    services.publish(
        promotion(
            storefront,
            "3 for 2 on nails",
            kind=Kind.BUY_N_GET_M,
            buy_quantity=3,
            free_quantity=1,
            categories=[polishes["nails"]],
            priority=5,
        )
    )
    services.publish(
        promotion(
            storefront,
            "Every 2nd red 30% off",
            kind=Kind.NTH_ITEM_PERCENT,
            buy_quantity=2,
            value=Decimal("30"),
            products=[polishes["red"]],
            priority=4,
        )
    )
    services.publish(threshold_promotion(storefront, threshold=Decimal("1000"), value=Decimal("7")))
    services.publish(
        threshold_promotion(
            storefront,
            name="333.33 off from 2000",
            kind=Kind.AMOUNT_OFF,
            threshold=Decimal("2000"),
            value=Decimal("333.33"),
        )
    )
    offers = list(Applicator().get_site_offers())
    assert len(offers) == 4
    # The in-memory carts below read each product's offer without a query.
    prefetch_related_objects([polishes[key] for key in PRODUCT_KEYS], "stockrecords")
    return offers


PRODUCT_KEYS = ["red", "blue", "base", "shampoo"]


@pytest.fixture
def strategy(storefront, buyer):
    # One request's strategy for all examples: what it learns (terms, which products a range
    # covers) holds as long as nothing is published meanwhile.
    return StorefrontStrategy(storefront=storefront, user=buyer)


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
cart_lines = st.lists(
    st.tuples(st.sampled_from(PRODUCT_KEYS), prices, st.integers(1, 40)),
    min_size=1,
    max_size=8,
)


def in_memory_basket(strategy, polishes, rows) -> Basket:
    """A cart of ``rows`` (product key, price excl. VAT, quantity) priced without the database:
    the same lines, strategy and offers the cart page uses, at arbitrary prices."""
    from pipit.pricing.engine import Tier
    from pipit.pricing.strategy import TierPrice

    storefront, user = strategy.storefront, strategy.user
    basket = Basket(id=10**9, owner=user)
    basket.strategy = strategy
    lines = []
    for index, (key, price, quantity) in enumerate(rows):
        product = polishes[key]
        line = Line(id=index + 1, basket=basket, product=product, quantity=quantity)
        line.stockrecord = product.stockrecords.all()[0]  # prefetched
        line.price_currency = "RUB"
        tier = Tier(1, price, price, [])
        line._info = PurchaseInfo(
            price=TierPrice("RUB", tier, [tier], storefront.vat_rate / 100),
            availability=None,
            stockrecord=line.stockrecord,
        )
        lines.append(line)
    basket._lines = lines
    return basket


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=cart_lines)
def test_cart_total_is_always_its_lines_less_its_discounts(
    strategy, polishes, stacked_promotions, rows
):
    basket = in_memory_basket(strategy, polishes, rows)

    Applicator().apply_offers(basket, stacked_promotions)

    lines = sum(line.line_price_incl_tax for line in basket.all_lines())
    discounts = sum(a["discount"] for a in basket.offer_applications)
    assert basket.total_incl_tax == lines - discounts
    assert basket.total_discount == discounts
    assert 0 <= discounts <= lines
    for line in basket.all_lines():
        assert line.line_price_incl_tax_incl_discounts >= 0
        assert line.line_price_excl_tax_incl_discounts >= 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(quantities=st.lists(st.integers(0, 7), min_size=4, max_size=4))
def test_order_total_is_its_lines_less_its_discounts_plus_delivery(
    storefront, company, buyer, polishes, stacked_promotions, quantities
):
    items = [
        (polishes[key], quantity)
        for key, quantity in zip(PRODUCT_KEYS, quantities, strict=True)
        if quantity
    ]
    if not items:
        return
    basket = basket_of(storefront, buyer, *items)

    order = place(storefront, buyer, basket)

    lines = sum(line.line_price_before_discounts_incl_tax for line in order.lines.all())
    discounts = sum(d.amount for d in order.discounts.all())
    assert order.total_incl_tax == lines - discounts + order.shipping_incl_tax
    assert order.total_discount_incl_tax == discounts == basket.total_discount
