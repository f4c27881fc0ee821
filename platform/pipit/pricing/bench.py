"""The pricing benchmark: a storefront the size of a real B2B catalog, and the three figures the
pricing issue sets targets for.

:func:`ensure_dataset` builds (or finds) the storefront ``bench-pricing``: 24,000 priced products
(stand-alone ones and variants of parents, with a brand and a material, in a tree of categories,
offered with a price and a cost and stocked in two warehouses), 500 companies in the customer groups
"regular", "new" and "distributor", a storefront base list, group lists with quantity tiers,
600,000 contract prices and 200 published rules of every scope, action and stacking mode. The
big tables are written with ``COPY`` on PostgreSQL (``executemany`` elsewhere): the data set
builds in about a minute.

Then :func:`measure_rebuild`, :func:`measure_publish` and :func:`measure_category_page` measure
a full rebuild, a published rule reaching the buyer, and a category page for a buyer with contract
prices. ``manage.py bench_pricing`` prints them against their targets.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.apps.catalogue.models import (
    Category,
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductCategory,
    ProductClass,
)

from pipit.catalog.listing_cache import catalog_changed
from pipit.companies.models import Company, CompanyMember
from pipit.inventory.models import Warehouse, WarehouseStock
from pipit.oscar_apps.partner.models import Partner, StockRecord
from pipit.tenancy.models import Storefront
from pipit.tenancy.services import StorefrontSpec, provision_storefront

from .compiler import CompileResult, Scope, compile_prices
from .engine import RULE
from .models import (
    CustomerGroup,
    EffectivePrice,
    PriceList,
    PriceListItem,
    PriceRule,
    PriceRuleTier,
    PricingFootprint,
    PricingState,
)
from .strategy import StorefrontStrategy

CODE = "bench-pricing"
HOSTNAME = "bench-pricing.localhost"
ROOT_CATEGORY = "Pricing benchmark"
OFFER_CATEGORY = "Weekly offer"
PUBLISH_RULE = "Benchmark: weekly offer"
BUYER_EMAIL = "buyer@bench-pricing.test"
VARIANTS = 4  # per parent product
DEPARTMENTS, RANGES = 8, 6  # ranges per department: 48 leaf categories
BRANDS = [f"Brand {n:02d}" for n in range(1, 41)]
MATERIALS = ["steel", "brass", "nylon", "oak", "glass", "rubber", "copper", "paper", "wool", "clay"]
GROUPS = (
    ("regular", "Regular customers"),
    ("new", "New customers"),
    ("distributor", "Distributors"),
)
CENT = Decimal("0.01")

#: Targets from the pricing issue.
TARGET_RATE = 50_000  # effective prices per second, full rebuild
TARGET_PUBLISH_SECONDS = 2.0
TARGET_PAGE_P95_MS = 50.0


@dataclass(frozen=True)
class Sizes:
    """How big the data set is; :meth:`at` scales the issue's numbers down for tests."""

    products: int = 24_000  # priced products: stand-alone ones and variants
    companies: int = 500
    contract_prices: int = 600_000
    rules: int = 200
    touched: int = 1_000  # products in the category of the rule the benchmark publishes

    @classmethod
    def at(cls, scale: float) -> Sizes:
        if scale >= 1:
            return cls()
        products = max(int(24_000 * scale), 120)
        companies = max(int(500 * scale), 6)
        # Contracts name a few per cent of the catalog per company, as in the full set.
        per_company = min(1_200, max(products // 20, 4))
        return cls(
            products=products,
            companies=companies,
            contract_prices=min(int(600_000 * scale), companies * per_company) or companies,
            rules=max(int(200 * scale), 20),
            touched=max(int(1_000 * scale), 10),
        )


@dataclass
class Dataset:
    storefront: Storefront
    company: Company  # the buyer's: a regular customer with contract prices
    buyer: object
    page_category: Category
    publish_rule: PriceRule
    counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float | None = None  # None: found in the database, not built now


# -- writing fast ---------------------------------------------------------------------------------


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert plain rows (no signals, no returned ids): ``COPY`` on PostgreSQL, else
    ``executemany``. Values must already be what the columns store; ``rows`` must not query the
    database while it is read (the connection is busy copying)."""
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    count = 0
    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


# -- the data set ---------------------------------------------------------------------------------


def find_dataset() -> Dataset | None:
    """The benchmark storefront if it was built before (and kept), else ``None``."""
    storefront = Storefront.objects.select_related("site").filter(code=CODE).first()
    if storefront is None:
        return None
    rule = PriceRule.objects.filter(storefront=storefront, name=PUBLISH_RULE).first()
    member = (
        CompanyMember.objects.filter(user__username=BUYER_EMAIL, company__storefront=storefront)
        .select_related("user", "company")
        .first()
    )
    category = (
        Category.objects.filter(path__startswith=_root_path(storefront), depth=3)
        .order_by("path")
        .first()
    )
    if rule is None or member is None or category is None:
        return None
    return Dataset(
        storefront=storefront,
        company=member.company,
        buyer=member.user,
        page_category=category,
        publish_rule=rule,
        counts=dataset_counts(storefront),
    )


def _root_path(storefront: Storefront) -> str:
    paths = storefront.category_paths
    return paths[0] if paths else "-"


def dataset_counts(storefront: Storefront) -> dict[str, int]:
    # The data set's own products (by code): the storefront's catalog queries are what the
    # benchmark measures, not what it counts with.
    products = Product.objects.filter(code__startswith=f"{CODE}:")
    lists = PriceListItem.objects.filter(price_list__storefront=storefront)
    return {
        "products": products.exclude(structure=Product.PARENT).count(),
        "variants": products.filter(structure=Product.CHILD).count(),
        "parents": products.filter(structure=Product.PARENT).count(),
        "companies": Company.objects.filter(storefront=storefront).count(),
        "contract_prices": lists.filter(price_list__kind=PriceList.Kind.COMPANY).count(),
        "list_rows": lists.exclude(price_list__kind=PriceList.Kind.COMPANY).count(),
        "rules": PriceRule.objects.filter(storefront=storefront, live=True)
        .exclude(name=PUBLISH_RULE)
        .count(),
    }


def matches(counts: dict[str, int], sizes: Sizes) -> bool:
    return (
        counts.get("products") == sizes.products
        and counts.get("companies") == sizes.companies
        and counts.get("contract_prices") == sizes.contract_prices
        and counts.get("rules") == sizes.rules
    )


def ensure_dataset(
    sizes: Sizes, *, rebuild: bool = False, log: Callable[[str], None] = lambda s: None
) -> Dataset:
    """The benchmark data set of this size: reused when it is in the database, else built."""
    found = None if rebuild else find_dataset()
    if found is not None and matches(found.counts, sizes):
        return found
    if Storefront.objects.filter(code=CODE).exists():
        log("dropping the previous benchmark data set…")
        drop_dataset()
    log("building the benchmark data set…")
    return build_dataset(sizes)


def build_dataset(sizes: Sizes, seed: int = 2025) -> Dataset:
    started = time.perf_counter()
    rng = random.Random(seed)
    with transaction.atomic():
        storefront = provision_storefront(
            StorefrontSpec(
                code=CODE,
                name="Pricing benchmark",
                hostname=HOSTNAME,
                language="en",
                currency="RUB",
                theme="base",
            )
        )
        partner = Partner.objects.create(code=CODE, name="Pricing benchmark supplier")
        warehouses = [
            Warehouse.objects.create(
                partner=partner, code=f"{CODE}-{code}", name=name, city=city, priority=priority
            )
            for priority, (code, name, city) in enumerate(
                [("main", "Main warehouse", "Moscow"), ("east", "East warehouse", "Kazan")], 1
            )
        ]
        storefront.warehouses.add(*warehouses)
        root = create_from_breadcrumbs(ROOT_CATEGORY)
        storefront.categories.add(root)
        storefront = Storefront.objects.select_related("site").get(pk=storefront.pk)

        departments, ranges = [], []
        for d in range(1, DEPARTMENTS + 1):
            departments.append(create_from_breadcrumbs(f"{ROOT_CATEGORY} > Department {d}"))
            for r in range(1, RANGES + 1):
                ranges.append(
                    create_from_breadcrumbs(f"{ROOT_CATEGORY} > Department {d} > Range {d}.{r}")
                )
        offer_category = create_from_breadcrumbs(f"{ROOT_CATEGORY} > {OFFER_CATEGORY}")

        catalog = _build_catalog(sizes, rng, ranges, offer_category, partner, warehouses)
        companies, buyer = _build_companies(storefront, sizes)
        groups = _build_groups(storefront, companies)
        list_rows, contract_rows = _build_lists(storefront, sizes, rng, catalog, companies, groups)
        _build_rules(
            storefront, sizes, rng, catalog, companies, groups, departments, ranges, offer_category
        )
        publish_rule = PriceRule(
            storefront=storefront,
            name=PUBLISH_RULE,
            description="Published by the benchmark: exactly the products of one category.",
            product_scope=PriceRule.ProductScope.CATEGORIES,
            action=PriceRule.Action.PERCENT_OFF,
            value=Decimal("5"),
            # Runs first, on the list price; the other rules follow on top of it.
            priority=1000,
            stacking=PriceRule.Stacking.CUMULATIVE,
            live=False,
            has_unpublished_changes=True,
        )
        publish_rule.categories.set([offer_category])
        publish_rule.save()
        publish_rule.save_revision()
    analyze()
    dataset = Dataset(
        storefront=storefront,
        company=companies[0],
        buyer=buyer,
        page_category=ranges[0],
        publish_rule=publish_rule,
        counts={
            "products": len(catalog.priced),
            "variants": catalog.variants,
            "parents": catalog.parents,
            "companies": len(companies),
            "contract_prices": contract_rows,
            "list_rows": list_rows,
            "rules": sizes.rules,
        },
    )
    dataset.build_seconds = time.perf_counter() - started
    return dataset


@dataclass
class _Catalog:
    priced: list[int]  # stand-alone products and variants: what gets a price
    tops: list[int]  # stand-alone and parent products
    price: dict[int, Decimal]  # offer price per priced product
    children: dict[int, list[int]]
    parents: int = 0
    variants: int = 0


def _build_catalog(sizes, rng, ranges, offer_category, partner, warehouses) -> _Catalog:
    product_class = ProductClass.objects.create(
        name="Benchmark goods", slug=f"{CODE}-goods", track_stock=True
    )
    brand = ProductAttribute.objects.create(
        product_class=product_class, name="Brand", code="brand", type=ProductAttribute.TEXT
    )
    material = ProductAttribute.objects.create(
        product_class=product_class, name="Material", code="material", type=ProductAttribute.TEXT
    )

    # (category, is parent): the offer category gets exactly ``touched`` priced products, the
    # ranges share the rest round-robin; every fifth product is a parent with four variants.
    plan: list[tuple[Category, bool]] = []

    def fill(target: int, category_for) -> None:
        n = i = 0
        while n < target:
            parent = i % 5 == 4 and target - n >= VARIANTS
            plan.append((category_for(i), parent))
            n += VARIANTS if parent else 1
            i += 1

    fill(sizes.touched, lambda i: offer_category)
    fill(sizes.products - sizes.touched, lambda i: ranges[i % len(ranges)])

    tops = [
        Product(
            structure=Product.PARENT if parent else Product.STANDALONE,
            title=f"Item {n:05d} {rng.choice(MATERIALS)}",
            slug=f"item-{n:05d}",
            code=f"{CODE}:{n}",
            upc=None if parent else f"BP{n:06d}",
            product_class=product_class,
            is_public=True,
        )
        for n, (_category, parent) in enumerate(plan, 1)
    ]
    Product.objects.bulk_create(tops, batch_size=2000)
    children = []
    for top, (_category, parent) in zip(tops, plan, strict=True):
        if parent:
            for k in range(1, VARIANTS + 1):
                children.append(
                    Product(
                        structure=Product.CHILD,
                        parent_id=top.pk,
                        title=f"{top.title}, size {k}",
                        slug=f"{top.slug}-{k}",
                        code=f"{top.code}.{k}",
                        upc=f"{top.code.split(':')[1].zfill(6)}-{k}",
                        is_public=True,
                    )
                )
    Product.objects.bulk_create(children, batch_size=2000)
    children_of: dict[int, list[int]] = {}
    for child in children:
        children_of.setdefault(child.parent_id, []).append(child.pk)

    insert_rows(
        ProductCategory,
        ("product", "category"),
        ((top.pk, category.pk) for top, (category, _p) in zip(tops, plan, strict=True)),
    )
    insert_rows(
        ProductAttributeValue,
        ("product", "attribute", "value_text"),
        (
            # By position, not id: the same data set whatever ids the database hands out.
            row
            for n, top in enumerate(tops)
            for row in (
                (top.pk, brand.pk, BRANDS[n % len(BRANDS)]),
                (top.pk, material.pk, MATERIALS[(n // 7) % len(MATERIALS)]),
            )
        ),
    )

    priced = [pid for top in tops for pid in (children_of.get(top.pk) or [top.pk])]
    now = timezone.now()
    price: dict[int, Decimal] = {}
    offers = []
    for pid in priced:
        amount = _money(rng.randint(5_000, 900_000) / 100)
        price[pid] = amount
        cost = (amount * Decimal(str(rng.uniform(0.55, 0.85)))).quantize(CENT)
        offers.append((pid, partner.pk, f"BP-{pid}", "RUB", amount, cost, now, now))
    insert_rows(
        StockRecord,
        (
            "product",
            "partner",
            "partner_sku",
            "price_currency",
            "price",
            "cost_price",
            "date_created",
            "date_updated",
        ),
        offers,
    )
    # Read before the COPY: a query cannot run on the connection while it copies.
    records = list(
        StockRecord.objects.filter(partner=partner).order_by("pk").values_list("pk", flat=True)
    )
    insert_rows(
        WarehouseStock,
        ("stockrecord", "warehouse", "num_in_stock", "num_allocated"),
        (
            (record, warehouse.pk, (n * (7 + i)) % 40, 0)
            for n, record in enumerate(records)
            for i, warehouse in enumerate(warehouses)
        ),
    )
    return _Catalog(
        priced=priced,
        tops=[t.pk for t in tops],
        price=price,
        children=children_of,
        parents=sum(1 for _c, parent in plan if parent),
        variants=len(children),
    )


def _build_companies(storefront: Storefront, sizes: Sizes):
    companies = Company.objects.bulk_create(
        [
            Company(
                storefront=storefront,
                name=f"Benchmark customer {n:03d} LLC",
                inn=str(7_700_000_000 + n),
                kpp="770101001",
                code=f"B{n:03d}",
            )
            for n in range(sizes.companies)
        ],
        batch_size=1000,
    )
    User = get_user_model()
    buyer = User.objects.create(
        username=BUYER_EMAIL,
        email=BUYER_EMAIL,
        first_name="Bench",
        last_name="Buyer",
        password=make_password(None),  # signs in only through the benchmark's force_login
    )
    CompanyMember.objects.create(user=buyer, company=companies[0], role=CompanyMember.Role.BUYER)
    return companies, buyer


def _build_groups(storefront: Storefront, companies: list[Company]) -> dict[str, CustomerGroup]:
    groups = {
        code: CustomerGroup.objects.create(storefront=storefront, code=code, name=name)
        for code, name in GROUPS
    }
    links = []
    for n, company in enumerate(companies):
        kind = n % 10
        code = "regular" if kind < 6 else ("new" if kind < 8 else "distributor")
        links.append((groups[code].pk, company.pk))
        if n % 20 == 9:  # some distributors are regular customers too: a segment of two groups
            links.append((groups["regular"].pk, company.pk))
    insert_rows(CustomerGroup.companies.through, ("customergroup", "company"), links)
    return groups


def _publish_quietly(objects: Sequence[models.Model]) -> None:
    """Mark freshly saved lists and rules published (a revision each) without the ``published``
    signal: the benchmark compiles everything once, on purpose, instead of once per object."""
    for obj in objects:
        obj.save_revision(clean=False)
    now = timezone.now()
    type(objects[0]).objects.filter(pk__in=[o.pk for o in objects]).update(
        live=True,
        has_unpublished_changes=False,
        live_revision=models.F("latest_revision"),
        first_published_at=now,
        last_published_at=now,
    )


def _build_lists(storefront, sizes, rng, catalog: _Catalog, companies, groups) -> tuple[int, int]:
    base = PriceList(storefront=storefront, name="Base prices", kind=PriceList.Kind.STOREFRONT)
    base.save()
    regular = PriceList(storefront=storefront, name="Regular customers", kind="group", priority=1)
    regular.groups.set([groups["regular"]])
    regular.save()
    distributor = PriceList(storefront=storefront, name="Distributors", kind="group", priority=2)
    distributor.groups.set([groups["distributor"]])
    distributor.save()
    contracts = PriceList(storefront=storefront, name="Contracts", kind=PriceList.Kind.COMPANY)
    contracts.save()
    _publish_quietly([base, regular, distributor, contracts])

    now = timezone.now()
    priced, price = catalog.priced, catalog.price
    fields = ("price_list", "product", "company", "min_quantity", "price", "updated_at")

    def scaled(pid: int, factor: float) -> Decimal:
        return (price[pid] * Decimal(str(factor))).quantize(CENT)

    rows: list[tuple] = []
    for i, pid in enumerate(priced):
        if i % 3 == 0:
            rows.append((base.pk, pid, None, 1, scaled(pid, 0.97), now))
        if i % 10 == 1:
            rows.append((regular.pk, pid, None, 1, scaled(pid, 0.95), now))
        if i % 10 in (2, 5, 8):  # distributors: 30% of the catalog, from 1, 10 and 50 units
            rows.append((distributor.pk, pid, None, 1, scaled(pid, 0.92), now))
            rows.append((distributor.pk, pid, None, 10, scaled(pid, 0.88), now))
            rows.append((distributor.pk, pid, None, 50, scaled(pid, 0.85), now))
    list_rows = insert_rows(PriceListItem, fields, rows)

    # Contract prices: each company a few per cent of the catalog (some products from 20 units
    # too, some on a parent, which prices all its variants).
    per_company = sizes.contract_prices // len(companies)
    extra = sizes.contract_prices - per_company * len(companies)
    parents = list(catalog.children)

    def contract_rows():
        for n, company in enumerate(companies):
            wanted = per_company + (1 if n < extra else 0)
            tiered = wanted // 12  # each adds a second row
            products = wanted - tiered
            chosen = rng.sample(priced, min(products, len(priced)))
            if parents and products > 20:
                # a parent's row stands in for one of the chosen variants
                chosen[-1] = rng.choice(parents)
            for k, pid in enumerate(chosen):
                reference = price.get(pid) or price[catalog.children[pid][0]]
                amount = (reference * Decimal(str(rng.uniform(0.8, 0.95)))).quantize(CENT)
                yield (contracts.pk, pid, company.pk, 1, amount, now)
                if k < tiered:
                    yield (
                        contracts.pk,
                        pid,
                        company.pk,
                        20,
                        (amount * Decimal("0.96")).quantize(CENT),
                        now,
                    )

    contract_count = insert_rows(PriceListItem, fields, contract_rows())
    return list_rows, contract_count


def _build_rules(
    storefront, sizes, rng, catalog, companies, groups, departments, ranges, offer_category
) -> None:
    """``sizes.rules`` published rules, mixed as a storefront's sales ops would have them: most
    narrow (a range of the catalog, a brand, chosen products, a material), a few for a whole
    department, one in twenty for every product; 40% for everyone, 30% for a customer group,
    30% for a few companies; every action and stacking mode; one in seven with quantity tiers.
    About eight rules reach a product for a buyer."""
    group_list = list(groups.values())
    rules = []
    m2m: list[tuple[PriceRule, str, list]] = []
    tiers: list[tuple[PriceRule, list[tuple[int, Decimal]]]] = []
    for r in range(sizes.rules):
        kind = r % 20
        audience = (r // 20 + r) % 10
        rule = PriceRule(
            storefront=storefront,
            name=f"Benchmark rule {r + 1:03d}",
            priority=(r * 37) % 50,
            stacking=("best", "best", "best", "cumulative", "best", "cumulative", "first")[r % 7],
            action=PriceRule.Action.PERCENT_OFF,
            value=Decimal(2 + r % 12),
        )
        if kind < 10:
            rule.product_scope = PriceRule.ProductScope.CATEGORIES
            whole = kind == 0  # a department (an eighth of the catalog), else a range
            chosen = [departments[r % len(departments)]] if whole else [rng.choice(ranges)]
            m2m.append((rule, "categories", chosen))
            if r % 40 == 3:
                rule.action, rule.value = PriceRule.Action.MARKUP, Decimal(30 + r % 15)
        elif kind < 14:
            rule.product_scope = PriceRule.ProductScope.BRANDS
            rule.brands = "\n".join(rng.sample(BRANDS, 1 + r % 2))
        elif kind < 18:
            rule.product_scope = PriceRule.ProductScope.PRODUCTS
            pool = catalog.tops if r % 2 else catalog.priced
            chosen = rng.sample(pool, min(len(pool), 10 + r % 50))
            m2m.append((rule, "products", chosen))
            if r % 40 == 15:
                first = chosen[0]
                reference = catalog.price.get(first) or catalog.price[catalog.children[first][0]]
                rule.action = PriceRule.Action.FIXED_PRICE
                rule.value = (reference * Decimal("0.9")).quantize(CENT)
        elif kind == 18:
            rule.product_scope = PriceRule.ProductScope.ATTRIBUTE
            rule.attribute_code, rule.attribute_value = "material", MATERIALS[r % len(MATERIALS)]
        else:
            rule.product_scope = PriceRule.ProductScope.ALL
            rule.value = Decimal(1 + r % 3)
            if r % 80 == 39:
                # Rounding to whole roubles after everything else.
                rule.action, rule.value = PriceRule.Action.ROUND, Decimal("1")
                rule.rounding, rule.stacking, rule.priority = "nearest", "cumulative", -100
        if audience < 4:
            rule.customer_scope = PriceRule.CustomerScope.ALL
        elif audience < 7:
            rule.customer_scope = PriceRule.CustomerScope.GROUPS
            m2m.append((rule, "groups", [group_list[r % len(group_list)]]))
        else:
            rule.customer_scope = PriceRule.CustomerScope.COMPANIES
            # A rule for all products reaches one company; narrower ones a handful.
            count = 1 if kind == 19 else 2 + r % 5
            m2m.append((rule, "companies", rng.sample(companies, min(count, len(companies)))))
        if r % 7 == 0 and rule.action == PriceRule.Action.PERCENT_OFF:
            step = rule.value
            tiers.append((rule, [(10, step + 2), (50, step + 5)]))
            if r % 14 == 0:
                rule.value = None  # the tiers alone: from 10 units on
        rules.append(rule)
    for rule in rules:
        rule.save()
    for rule, name, values in m2m:
        getattr(rule, name).set(values)
    for rule in {id(rule): rule for rule, _name, _values in m2m}.values():
        rule.save()  # writes the parental many-to-many values
    PriceRuleTier.objects.bulk_create(
        [PriceRuleTier(rule=rule, min_quantity=q, value=v) for rule, rows in tiers for q, v in rows]
    )
    _publish_quietly(rules)


def drop_dataset() -> float:
    """Remove the benchmark storefront and everything built for it; returns the seconds taken."""
    started = time.perf_counter()
    storefront = Storefront.objects.select_related("site").filter(code=CODE).first()
    if storefront is None:
        return 0.0
    from wagtail.models import Revision

    def raw_delete(qs) -> None:
        qs._raw_delete(qs.db)

    with transaction.atomic():
        products = Product.objects.filter(code__startswith=f"{CODE}:")
        raw_delete(EffectivePrice.objects.filter(storefront_id=storefront.pk))
        raw_delete(PriceListItem.objects.filter(price_list__storefront=storefront))
        for model in (PriceRule, PriceList):
            ids = [
                str(pk)
                for pk in model.objects.filter(storefront=storefront).values_list("pk", flat=True)
            ]
            Revision.objects.filter(
                base_content_type__model=model._meta.model_name,
                base_content_type__app_label="pricing",
                object_id__in=ids,
            ).delete()
            model.objects.filter(storefront=storefront).delete()
        PricingFootprint.objects.filter(storefront=storefront).delete()
        PricingState.objects.filter(storefront=storefront).delete()
        CustomerGroup.objects.filter(storefront=storefront).delete()
        raw_delete(WarehouseStock.objects.filter(warehouse__code__startswith=f"{CODE}-"))
        raw_delete(StockRecord.objects.filter(partner__code=CODE))
        raw_delete(ProductAttributeValue.objects.filter(product__code__startswith=f"{CODE}:"))
        raw_delete(ProductCategory.objects.filter(product__code__startswith=f"{CODE}:"))
        products.filter(structure=Product.CHILD).delete()
        products.delete()
        ProductClass.objects.filter(slug=f"{CODE}-goods").delete()
        users = list(
            CompanyMember.objects.filter(company__storefront=storefront).values_list(
                "user_id", flat=True
            )
        )
        CompanyMember.objects.filter(company__storefront=storefront).delete()
        get_user_model().objects.filter(pk__in=users).delete()
        Company.objects.filter(storefront=storefront).delete()
        for root in Category.objects.filter(path__in=storefront.category_paths):
            root.delete()
        Warehouse.objects.filter(code__startswith=f"{CODE}-").delete()
        Partner.objects.filter(code=CODE).delete()
        site, collection = storefront.site, storefront.collection
        groups = [link.group for link in storefront.role_groups.select_related("group")]
        storefront.delete()
        home = site.root_page
        site.delete()
        home.delete()
        for group in groups:
            group.delete()
        if collection is not None:
            collection.delete()
    return time.perf_counter() - started


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (autovacuum would, a little later):
    fresh tables without statistics get plans meant for empty ones."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# -- the figures ----------------------------------------------------------------------------------


def measure_rebuild(storefront: Storefront) -> CompileResult:
    """A full rebuild, as ``manage.py rebuild_prices`` runs it, on a table kept as autovacuum
    keeps it (without it, every earlier run's deleted rows are scanned again)."""
    vacuum_prices()
    return compile_prices(storefront, Scope())


def settle_database() -> None:
    """A checkpoint (PostgreSQL, where the role may run one): dirty pages written now."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass  # not a superuser (nor pg_checkpoint's member): the background writer does it


def vacuum_prices() -> None:
    """The price table vacuumed as autovacuum would, and the pages that dirtied written out
    (:func:`settle_database`): what is timed next does not share the machine with either."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {EffectivePrice._meta.db_table}")
    settle_database()


@dataclass
class PublishResult:
    seconds: float
    product_id: int
    before: Decimal
    after: Decimal
    products: int  # what the published rule reaches
    mode: str  # "eager" (in-process) or "worker"
    seen: bool
    changed: int = 0  # products whose price the buyer saw change


def _buyer_prices(storefront: Storefront, buyer, products: list[Product]) -> dict[int, tuple]:
    """Each product's price for the buyer and how it was reached, through a fresh strategy."""
    strategy = StorefrontStrategy(storefront=storefront, user=buyer)
    strategy.prime(products)
    prices = {}
    for product in products:
        price = strategy.fetch_for_product(product).price
        prices[product.pk] = (price.excl_tax, price.tier.steps)
    return prices


def measure_publish(dataset: Dataset, timeout: float = 30.0) -> PublishResult:
    """Publish the weekly-offer rule with a new value; time until the buyer's strategy shows it.

    With tasks run eagerly (no ``REDIS_URL``) the recompile happens inside ``publish()``; with a
    worker the buyer's prices are read again until they show it. Shown means: a product of the
    category costs the buyer something else than before, and the rule is among its steps.
    """
    from pipit.catalog.queries import with_purchase_info

    storefront = Storefront.objects.select_related("site").get(pk=dataset.storefront.pk)
    rule = PriceRule.objects.get(pk=dataset.publish_rule.pk)
    category = rule.categories.get()
    in_category = Q(structure=Product.STANDALONE, categories=category) | Q(
        structure=Product.CHILD, parent__categories=category
    )
    products = list(
        with_purchase_info(Product.objects.filter(in_category), storefront).order_by("pk")
    )
    before = _buyer_prices(storefront, dataset.buyer, products)
    # A value other than the live one, so every run changes the prices.
    rule.value = Decimal("6") if rule.live and rule.value == Decimal("5") else Decimal("5")
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    vacuum_prices()
    started = time.perf_counter()
    rule.save_revision().publish()
    while True:
        after = _buyer_prices(storefront, dataset.buyer, products)
        changed = [
            pid
            for pid, (price, steps) in after.items()
            if price != before[pid][0]
            and any(step[0] == RULE and step[1] == rule.pk for step in steps)
        ]
        if changed or eager or time.perf_counter() - started > timeout:
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    footprint = PricingFootprint.objects.filter(kind="rule", object_id=rule.pk).first()
    reached = len((footprint.scope or {}).get("products") or []) if footprint else 0
    example = changed[0] if changed else products[0].pk
    return PublishResult(
        seconds=seconds,
        product_id=example,
        before=before[example][0],
        after=after[example][0],
        products=reached,
        mode="eager" if eager else "worker",
        seen=bool(changed),
        changed=len(changed),
    )


@dataclass
class PageResult:
    url: str
    status: int
    products: int  # in the category
    median_ms: float
    p95_ms: float
    requests: int
    queries: dict[int, int]  # page size → query count
    cached_templates_swapped: bool = False
    debug_switched_off: bool = False
    # The same page right after a catalog change: the listing's ids, stock flags and facet
    # counts read from the database (see pipit.catalog.listing_cache), not shared.
    uncached_median_ms: float = 0.0
    uncached_p95_ms: float = 0.0
    uncached_queries: int = 0


@contextmanager
def page_size(size: int):
    from pipit.catalog import views

    before = views.PAGE_SIZE
    views.PAGE_SIZE = size
    try:
        yield
    finally:
        views.PAGE_SIZE = before


@contextmanager
def cached_templates():
    """Render with the cached template loader, as production settings do. The laptop settings
    recompile every template on every request, which is not server time a buyer would see.
    Yields whether the loader had to be swapped."""
    from django.template import engines

    engine = engines["django"].engine
    loaders = engine.loaders
    if any(
        "cached" in str(loader[0] if isinstance(loader, tuple) else loader).lower()
        for loader in loaders
    ):
        yield False
        return
    engine.loaders = [("pipit.themes.loaders.CachedThemeLoader", list(loaders))]
    engine.__dict__.pop("template_loaders", None)
    try:
        yield True
    finally:
        engine.loaders = loaders
        engine.__dict__.pop("template_loaders", None)


def measure_category_page(dataset: Dataset, requests: int = 200) -> PageResult:
    """Server time of a category page for the buyer (warm), and its queries at 24 and 48 a page;
    and the time with the listing read from the database (a catalog change before each)."""
    storefront = dataset.storefront
    client = Client(HTTP_HOST=storefront.site.hostname)
    client.force_login(dataset.buyer, backend="pipit.companies.auth.StorefrontEmailBackend")
    category = dataset.page_category
    url = category.get_absolute_url()
    # The rebuild and the publish before this left a million dead price rows: vacuumed now, or
    # autovacuum does it while the page is timed (a server busy with that is another figure).
    vacuum_prices()
    # As production serves it: cached templates, and DEBUG off (with it on, Django keeps the SQL
    # of every query: 5 ms a page here). The query counts are captured with Django's debug
    # cursor all the same. DEBUG is set directly: override_settings(DEBUG=...) makes Django
    # rebuild its template engines, which dropped the cached loader swapped in below (every
    # template compiled again on every request: ~10 ms a page).
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        with cached_templates() as swapped:
            result = _time_page(client, url, requests)
    finally:
        settings.DEBUG = debug
    result.products = Product.objects.filter(categories=category).count()
    result.cached_templates_swapped = swapped
    result.debug_switched_off = debug
    return result


def _time_page(client: Client, url: str, requests: int) -> PageResult:
    for _ in range(10):
        # Warm: templates, host map, plugin switches, caches, the interpreter's specialized
        # code for the page's paths.
        response = client.get(url)
    # As pipit.wsgi does once the application is loaded: what lives for the whole process
    # stays out of the cyclic collector's passes.
    gc.collect()
    gc.freeze()
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    uncached = []
    for _ in range(requests):
        catalog_changed()
        start = time.perf_counter()
        client.get(url)
        uncached.append((time.perf_counter() - start) * 1000)
    catalog_changed()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    uncached_queries = len(captured)
    queries = {}
    for size in (24, 48):
        with page_size(size):
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
        queries[size] = len(captured)
    gc.unfreeze()
    return PageResult(
        url=url,
        status=response.status_code,
        products=0,
        median_ms=statistics.median(timings),
        p95_ms=_p95(timings),
        requests=requests,
        queries=queries,
        uncached_median_ms=statistics.median(uncached),
        uncached_p95_ms=_p95(uncached),
        uncached_queries=uncached_queries,
    )


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
