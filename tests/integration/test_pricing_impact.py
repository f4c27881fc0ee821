"""Impact preview: what publishing a draft rule or list would change, before it is published."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from oscar.apps.catalogue.models import Product, ProductCategory

from pipit.companies.models import Company
from pipit.oscar_apps.partner.models import StockRecord
from pipit.pricing.compiler import compile_prices
from pipit.pricing.impact import impact
from pipit.pricing.models import (
    CustomerGroup,
    EffectivePrice,
    PriceList,
    PriceListItem,
    PriceRule,
)
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def publish(obj):
    obj.save()
    obj.save_revision().publish()
    return obj


def with_cost(product, cost: str):
    StockRecord.objects.filter(product=product).update(cost_price=Decimal(cost))
    return product


@pytest.fixture
def shop(storefront, django_capture_on_commit_callbacks):
    """Hair: A 100, B 200, C 50 (cost 48); Tools: D 300. Acme is a regular (their list prices A
    at 90); Vip has a contract price for B (150); Plain has nothing of its own."""
    sf = storefront
    hair = factories.category(sf, "Hair")
    tools = factories.category(sf, "Tools")
    a = factories.product(sf, "Shampoo A", price="100.00", categories=[hair])
    b = factories.product(sf, "Mask B", price="200.00", categories=[hair])
    c = with_cost(factories.product(sf, "Comb C", price="50.00", categories=[hair]), "48.00")
    d = factories.product(sf, "Dryer D", price="300.00", categories=[tools])
    regular = CustomerGroup.objects.create(storefront=sf, name="Regular", code="regular")
    acme = factories.company(sf, "Acme")
    vip = factories.company(sf, "Vip")
    plain = factories.company(sf, "Plain")
    regular.companies.add(acme)
    with django_capture_on_commit_callbacks(execute=True):
        regulars = PriceList(storefront=sf, name="Regulars", kind="group", currency=sf.currency)
        regulars.save()
        regulars.groups.add(regular)
        publish(regulars)
        PriceListItem.objects.create(price_list=regulars, product=a, price="90.00")
        contracts = publish(
            PriceList(storefront=sf, name="Contracts", kind="company", currency=sf.currency)
        )
        PriceListItem.objects.create(price_list=contracts, product=b, company=vip, price="150.00")
    return {
        "sf": sf,
        "hair": hair,
        "tools": tools,
        "products": {"a": a, "b": b, "c": c, "d": d},
        "acme": acme,
        "vip": vip,
        "plain": plain,
        "regulars": regulars,
    }


def draft_rule(sf, categories, **fields):
    """A rule saved as a draft, never published (as the admin's "Save draft" leaves it)."""
    values = {
        "name": "Hair -10%",
        "action": "percent_off",
        "value": Decimal("10"),
        "product_scope": "categories",
        **fields,
    }
    rule = PriceRule(storefront=sf, live=False, **values)
    rule.save()
    rule.categories.set(categories)
    rule.save_revision()
    return rule


def test_a_draft_ten_percent_rule_over_a_category(shop):
    sf = shop["sf"]
    rule = draft_rule(sf, [shop["hair"]])
    before = EffectivePrice.objects.count()

    report = impact(rule)

    assert EffectivePrice.objects.count() == before  # a preview writes nothing
    assert not PriceRule.objects.get(pk=rule.pk).live
    assert report.products_evaluated == 3  # the dryer is outside the rule's products
    assert report.products_changed == 3
    assert report.storefront_products_changed == 3
    assert report.companies_changed == 3 and report.companies_total == 3
    shown = {(c.product.title, c.audience.label, c.old, c.new) for c in report.biggest}
    assert shown == {
        ("Shampoo A", "Storefront price", Decimal("100.00"), Decimal("90.00")),
        ("Mask B", "Storefront price", Decimal("200.00"), Decimal("180.00")),
        ("Comb C", "Storefront price", Decimal("50.00"), Decimal("45.00")),
        ("Shampoo A", "Regular", Decimal("90.00"), Decimal("81.00")),
        ("Mask B", "Vip", Decimal("150.00"), Decimal("135.00")),
    }
    assert {c.pct for c in report.biggest} == {Decimal("-10.0")}
    assert {b.label: b.count for b in report.buckets}["−20…−10%"] == 5
    assert sum(b.count for b in report.buckets) == report.prices_evaluated == 5
    [flag] = report.below_cost
    assert (flag.product.title, flag.price, flag.cost, flag.already) == (
        "Comb C",
        Decimal("45.00"),
        Decimal("48.00"),
        False,
    )
    # Margin where the cost is known (the comb only): 4% → −6.7%.
    assert (report.margin_prices, report.margin_old, report.margin_new) == (
        1,
        Decimal("4.0"),
        Decimal("-6.7"),
    )


def test_a_best_price_rule_that_does_not_beat_a_contract_leaves_that_company_alone(shop):
    sf = shop["sf"]
    rule = draft_rule(
        sf, [shop["hair"]], name="Hair at 160", action="fixed_price", value=Decimal("160")
    )

    report = impact(rule)

    changed = {(c.audience.label, c.product.title) for c in report.biggest}
    # Only the mask (200) gets cheaper (regulars pay the storefront price for it, so theirs is
    # the storefront line); Vip's contract (150) is already below 160.
    assert changed == {("Storefront price", "Mask B")}
    assert report.companies_changed == 2  # Acme (regular) and Plain, not Vip


def test_narrowing_a_live_rule_gives_the_left_out_products_their_price_back(
    shop, django_capture_on_commit_callbacks
):
    sf, p = shop["sf"], shop["products"]
    with django_capture_on_commit_callbacks(execute=True):
        rule = publish(
            PriceRule(storefront=sf, name="Everything -10%", action="percent_off", value=10)
        )
    draft = rule.get_latest_revision_as_object()
    draft.product_scope = "products"
    draft.products = [p["a"]]
    draft.save_revision()  # the live row keeps the live version
    rule.refresh_from_db()

    report = impact(rule)

    changed = {(c.product.title, c.audience.label): (c.old, c.new) for c in report.biggest}
    assert changed[("Dryer D", "Storefront price")] == (Decimal("270.00"), Decimal("300.00"))
    assert changed[("Mask B", "Vip")] == (Decimal("135.00"), Decimal("150.00"))
    assert ("Shampoo A", "Storefront price") not in changed  # still covered
    assert report.products_evaluated == 4  # the live footprint (all) and the draft's
    assert report.products_changed == 3


def test_a_group_list_draft_reaches_only_its_group(shop):
    sf, p, regulars = shop["sf"], shop["products"], shop["regulars"]
    new_list = PriceList(
        storefront=sf, name="Regulars 2", kind="group", currency=sf.currency, live=False
    )
    new_list.save()
    new_list.groups.set(list(regulars.groups.all()))
    PriceListItem.objects.create(price_list=new_list, product=p["d"], price="250.00")
    new_list.save_revision()

    report = impact(new_list)

    [change] = report.biggest
    assert (change.product.title, change.audience.label, change.old, change.new) == (
        "Dryer D",
        "Regular",
        Decimal("300.00"),
        Decimal("250.00"),
    )
    assert report.companies_changed == 1  # Acme, the only regular
    assert report.storefront_products_changed == 0


def test_a_scheduled_draft_is_measured_on_its_go_live_day(shop):
    import datetime

    from django.utils import timezone

    sf = shop["sf"]
    go_live = timezone.now() + datetime.timedelta(days=10)
    rule = draft_rule(sf, [shop["hair"]], valid_from=timezone.localdate(go_live))
    rule.go_live_at = go_live
    rule.save_revision()

    report = impact(rule)

    assert report.on == timezone.localdate(go_live)
    assert report.scheduled_for == go_live
    assert report.products_changed == 3


def test_a_rule_over_a_thousand_products_and_hundreds_of_companies_takes_seconds(storefront):
    sf = storefront
    category = factories.category(sf, "Bulk")
    partner_id = sf.partner_ids[0]
    product_class = factories.product_class()
    products = Product.objects.bulk_create(
        [
            Product(title=f"Bulk {n}", product_class=product_class, upc=f"BULK{n:05d}")
            for n in range(1000)
        ]
    )
    ProductCategory.objects.bulk_create(
        [ProductCategory(product=p, category=category) for p in products]
    )
    StockRecord.objects.bulk_create(
        [
            StockRecord(
                product=p,
                partner_id=partner_id,
                partner_sku=f"B-{n:05d}",
                price=Decimal(100 + n % 50),
                cost_price=Decimal(85),
                price_currency=sf.currency,
            )
            for n, p in enumerate(products)
        ]
    )
    companies = Company.objects.bulk_create(
        [Company(storefront=sf, name=f"Buyer {n}", inn=f"{7800000000 + n}") for n in range(300)]
    )
    groups = [
        CustomerGroup.objects.create(storefront=sf, name=f"Group {g}", code=f"g{g}")
        for g in range(3)
    ]
    through = CustomerGroup.companies.through
    through.objects.bulk_create(
        [through(customergroup=groups[n % 3], company=c) for n, c in enumerate(companies) if n % 4]
    )
    contracts = publish(
        PriceList(storefront=sf, name="Contracts", kind="company", currency=sf.currency)
    )
    PriceListItem.objects.bulk_create(
        [
            PriceListItem(
                price_list=contracts,
                product=products[(n * 7 + k * 13) % 1000],
                company=c,
                price=Decimal(90),
            )
            for n, c in enumerate(companies)
            for k in range(20)
        ],
        ignore_conflicts=True,
    )
    group_list = PriceList(storefront=sf, name="Group 0", kind="group", currency=sf.currency)
    group_list.save()
    group_list.groups.set([groups[0]])
    publish(group_list)
    PriceListItem.objects.bulk_create(
        [PriceListItem(price_list=group_list, product=p, price=Decimal(95)) for p in products]
    )
    compile_prices(sf)
    rule = draft_rule(sf, [category], name="Bulk -10%")

    # CPU time, not wall time: the suite shares its machine. Measured unloaded, SQLite: ~3 s.
    started = time.process_time()
    report = impact(rule)
    seconds = time.process_time() - started

    assert report.products_changed == 1000
    assert report.companies_changed == 300
    # Contract prices of 90 become 81, below the cost of 85; the group's 95 becomes 85.50.
    assert report.below_cost_count == PriceListItem.objects.filter(price_list=contracts).count()
    assert seconds < 10, seconds
