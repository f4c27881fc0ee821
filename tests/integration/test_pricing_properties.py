"""Generated price setups (hypothesis): the compiled table, and every place a buyer sees a price,
agree with the engine asked directly.

Each example builds a storefront's pricing at random — lists on every level with tiers, priorities
and validity windows, customer groups, rules of every scope, action and stacking mode — compiles it
and checks, for every buyer (and an anonymous visitor), product and quantity:

- the resolver's price (what the storefront reads) equals the engine's answer for that buyer;
- the listing card, the product page's tier table, the cart line, the order line and the API
  (product and cart) show that same price;
- an order total equals the sum of its lines less its discounts.

Each example runs in a savepoint that is rolled back, so examples do not see each other's rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oscar.apps.basket.models import Basket

from pipit.catalog.listing import card_queryset, product_cards
from pipit.catalog.queries import products_for_storefront, purchase_info
from pipit.ordering.services import place_order
from pipit.pricing.compiler import Scope, Snapshot, compile_prices
from pipit.pricing.engine import tier_for
from pipit.pricing.models import (
    CustomerGroup,
    PriceList,
    PriceListItem,
    PriceRule,
    PriceRuleTier,
)
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db

QUANTITIES = [1, 3, 10, 25, 100]
N_PRODUCTS = 4
N_COMPANIES = 3

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
tier_quantity = st.sampled_from([1, 1, 5, 10, 25, 50])
window = st.sampled_from(["open", "open", "open", "past", "future"])


def dates(kind: str):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    return {
        "open": (None, None),
        "past": (today - 10 * day, today - day),
        "future": (today + day, None),
    }[kind]


rows = st.lists(st.tuples(st.integers(0, N_PRODUCTS - 1), tier_quantity, money, window), max_size=6)

price_lists = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["storefront", "group", "company"]),
            "priority": st.integers(-2, 2),
            "groups": st.sets(st.integers(0, 1), max_size=2),
            "company": st.integers(0, N_COMPANIES - 1),
            "rows": rows,
            "window": window,
        }
    ),
    max_size=4,
)

rules = st.lists(
    st.fixed_dictionaries(
        {
            "products": st.none() | st.sets(st.integers(0, N_PRODUCTS - 1), min_size=1),
            "customers": st.sampled_from(["all", "groups", "companies"]),
            "groups": st.sets(st.integers(0, 1), min_size=1, max_size=2),
            "companies": st.sets(st.integers(0, N_COMPANIES - 1), min_size=1),
            "action": st.sampled_from(["percent_off", "fixed_price", "markup", "round"]),
            "value": st.decimals(min_value=Decimal("0.5"), max_value=Decimal("60"), places=1),
            "tiers": st.lists(
                st.tuples(st.sampled_from([5, 10, 25]), st.integers(1, 50)),
                max_size=2,
                unique_by=lambda t: t[0],
            ),
            "stacking": st.sampled_from(["best", "first", "cumulative"]),
            "priority": st.integers(-3, 3),
            "window": window,
        }
    ),
    max_size=4,
)

setups = st.fixed_dictionaries(
    {
        "bases": st.lists(money, min_size=N_PRODUCTS, max_size=N_PRODUCTS),
        "costs": st.lists(st.none() | money, min_size=N_PRODUCTS, max_size=N_PRODUCTS),
        "membership": st.lists(
            st.sets(st.integers(0, 1), max_size=2), min_size=N_COMPANIES, max_size=N_COMPANIES
        ),
        "lists": price_lists,
        "rules": rules,
        "basket": st.lists(st.sampled_from(QUANTITIES), min_size=N_PRODUCTS, max_size=N_PRODUCTS),
    }
)


def build(sf, setup):
    products = []
    for n, (base, cost) in enumerate(zip(setup["bases"], setup["costs"], strict=True)):
        product = factories.product(sf, f"Item {n}", price=base, stock={"main": 10_000})
        record = product.stockrecords.get()
        record.cost_price = cost
        record.save()
        products.append(product)
    groups = [
        CustomerGroup.objects.create(storefront=sf, name=f"G{n}", code=f"g{n}") for n in range(2)
    ]
    companies = []
    for n, member_of in enumerate(setup["membership"]):
        company = factories.company(sf, f"Buyer {n}")
        for g in member_of:
            groups[g].companies.add(company)
        companies.append((company, factories.buyer(company)))

    for n, spec in enumerate(setup["lists"]):
        start, end = dates(spec["window"])
        price_list = PriceList(
            storefront=sf,
            name=f"List {n}",
            kind=spec["kind"],
            currency=sf.currency,
            priority=spec["priority"],
            valid_from=start,
            valid_to=end,
        )
        price_list.save()
        if spec["kind"] == "group":
            price_list.groups.set([groups[g] for g in spec["groups"]] or [groups[0]])
        price_list.save_revision().publish()
        seen = set()
        for index, quantity, price, row_window in spec["rows"]:
            key = (index, quantity)
            if key in seen:
                continue
            seen.add(key)
            start, end = dates(row_window)
            PriceListItem.objects.create(
                price_list=price_list,
                product=products[index],
                company=companies[spec["company"]][0] if spec["kind"] == "company" else None,
                min_quantity=quantity,
                price=price,
                valid_from=start,
                valid_to=end,
            )

    for n, spec in enumerate(setup["rules"]):
        start, end = dates(spec["window"])
        value = spec["value"]
        if spec["action"] == "fixed_price":
            value = value * 20
        rule = PriceRule(
            storefront=sf,
            name=f"Rule {n}",
            product_scope="all" if spec["products"] is None else "products",
            customer_scope=spec["customers"],
            action=spec["action"],
            value=value,
            stacking=spec["stacking"],
            priority=spec["priority"],
            valid_from=start,
            valid_to=end,
        )
        if spec["products"] is not None:
            rule.products.set([products[i] for i in spec["products"]])
        rule.groups.set([groups[g] for g in spec["groups"]])
        rule.companies.set([companies[c][0] for c in spec["companies"]])
        rule.save()
        for quantity, tier_value in spec["tiers"]:
            if spec["action"] != "round":
                PriceRuleTier.objects.create(rule=rule, min_quantity=quantity, value=tier_value)
        rule.save_revision().publish()
    return products, groups, companies


def oracle(sf, company, products):
    """The engine asked directly for this buyer: no table, no fallback between audiences."""
    snapshot = Snapshot(sf, timezone.localdate(), [p.pk for p in products])
    groups = snapshot.company_groups.get(company.pk, frozenset()) if company else frozenset()
    return {p.pk: snapshot.tiers(p.pk, groups, company.pk if company else None) for p in products}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(setup=setups)
def test_every_surface_shows_the_engines_price(storefront, setup):
    cache.clear()
    with transaction.atomic():
        sf = storefront
        sf.show_prices_to_anonymous = True  # the anonymous visitor's price is checked too
        products, _groups, companies = build(sf, setup)
        compile_prices(sf, Scope())
        loaded = {p.pk: p for p in card_queryset(products_for_storefront(sf), sf)}
        page = [loaded[p.pk] for p in products]
        audiences = [(None, None), *companies]

        for company, user in audiences:
            expected = oracle(sf, company, products)
            strategy = StorefrontStrategy(storefront=sf, user=user)
            # The resolver (listing, product page, API, quick order read it) at every quantity.
            for product in products:
                for quantity in QUANTITIES:
                    want = tier_for(expected[product.pk], quantity).price
                    got = strategy.fetch_for_product(product, quantity=quantity).price
                    assert got.excl_tax == want, (company, product, quantity)
                    assert got.excl_tax >= 0
            # The listing's cards and the product page's tier table.
            if user is None:
                continue
            cards = product_cards(page, StorefrontStrategy(storefront=sf, user=user))
            for card, product in zip(cards, products, strict=True):
                assert card.info.price.excl_tax == tier_for(expected[product.pk], 1).price
                table = purchase_info(strategy, loaded[product.pk]).price.tiers
                assert [(q, p) for q, p, _incl in table] == [
                    (t.min_quantity, t.price) for t in expected[product.pk]
                ]
            # The cart and the order, at the generated quantities.
            basket = Basket.objects.create(owner=user)
            basket.strategy = StorefrontStrategy(storefront=sf, user=user)
            for product, quantity in zip(products, setup["basket"], strict=True):
                basket.add_product(product, quantity)
            for line in basket.all_lines():
                want = tier_for(expected[line.product_id], line.quantity).price
                assert line.unit_price_excl_tax == want
                assert line.get_warning() is None
            order = place_order(
                storefront=sf,
                user=user,
                basket=basket,
                shipping_address=company.addresses.get(),
            )
            lines = list(order.lines.all())
            for line in lines:
                want = tier_for(expected[line.product_id], line.quantity).price
                assert line.unit_price_excl_tax == want
            discounts = sum((d.amount for d in order.discounts.all()), Decimal("0"))
            assert order.total_incl_tax == (
                sum((line.line_price_incl_tax for line in lines), Decimal("0"))
                - discounts
                + order.shipping_incl_tax
            )
        transaction.set_rollback(True)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(setup=setups)
def test_the_api_shows_the_same_prices(storefront, setup):
    cache.clear()
    with transaction.atomic():
        sf = storefront
        products, _groups, companies = build(sf, setup)
        compile_prices(sf, Scope())
        company, user = companies[0]
        expected = oracle(sf, company, products)
        api = factories.token_client(sf, user)
        for product, quantity in zip(products, setup["basket"], strict=True):
            body = api.get(f"/api/v1/products/{product.pk}/").json()
            assert Decimal(body["price"]["excl_tax"]) == tier_for(expected[product.pk], 1).price
            response = api.post(
                "/api/v1/cart/lines/", {"product": product.pk, "quantity": quantity}, format="json"
            )
            assert response.status_code in (200, 201), response.content
        cart = api.get("/api/v1/cart/").json()
        for line in cart["lines"]:
            want = tier_for(expected[line["product"]["id"]], line["quantity"]).price
            assert Decimal(line["unit_price"]["excl_tax"]) == want
        transaction.set_rollback(True)
