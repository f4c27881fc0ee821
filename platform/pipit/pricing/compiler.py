"""Compiling published price lists and rules into the effective-price table.

:func:`compile_prices` rebuilds a storefront's :class:`~pipit.pricing.models.EffectivePrice` rows
for a :class:`Scope`: some products (or all), for some companies (or every audience). Publishing a
rule recompiles only what it touches, before and after the change (its *footprint*); a full
rebuild (``manage.py rebuild_prices``) exists for recovery.

Audiences: the storefront's rows (segment ``""``) cover every purchasable product; a segment (a
set of customer groups that some company has) gets rows only where its prices differ; a company
gets rows only where its own prices (contract rows, company-scoped rules) differ from its
segment's. So 500 companies with 600,000 contract prices cost about 600,000 rows, not 500 × the
catalog.

Each run deletes and writes its rows in one transaction, serialized per storefront by a lock on
its :class:`~pipit.pricing.models.PricingState`: readers see the old prices or the new ones, never
a half-built state.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import logging
import os
import selectors
import signal
import struct
import time
import traceback
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.lookups import Lookup
from django.utils import timezone

from .engine import (
    ListRow,
    PreparedRule,
    RuleSpec,
    Tier,
    base_step_json,
    compute,
    compute_prepared,
    run_order,
    same_tiers,
)
from .models import (
    CustomerGroup,
    EffectivePrice,
    PriceList,
    PriceListItem,
    PriceRule,
    PricingFootprint,
    PricingState,
)

logger = logging.getLogger(__name__)

CHUNK = 2000  # ids per IN (...) list: well under SQLite's variable limit


def chunked(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    batch: list[int] = []
    for value in ids:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _AnyOf(Lookup):
    """``column = ANY(%s)`` with the ids as one array parameter (PostgreSQL): a list of 24,000 ids
    costs one parameter, not 24,000 for the driver to splice into the SQL text."""

    lookup_name = "pipit_any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def id_batches(queryset: QuerySet, field: str, ids: Iterable[int]) -> Iterator[QuerySet]:
    """``queryset`` narrowed to rows whose ``field`` is one of ``ids``: one query on PostgreSQL,
    batches of :data:`CHUNK` elsewhere (SQLite limits the parameters of a statement)."""
    ids = list(ids)
    if not ids:
        return
    if connection.vendor == "postgresql":
        yield queryset.filter(_AnyOf(F(field), ids))
        return
    for batch in chunked(ids):
        yield queryset.filter(**{f"{field}__in": batch})


def segment_key(group_ids: Iterable[int]) -> str:
    """The segment of a buyer in these customer groups: ``""`` for none, ``"3.7"`` otherwise."""
    return ".".join(str(g) for g in sorted(set(group_ids)))


def segment_groups(key: str) -> frozenset[int]:
    return frozenset(int(g) for g in key.split(".") if g)


@dataclass(frozen=True)
class Scope:
    """What a change touches: ``None`` means all products / every audience."""

    products: frozenset[int] | None = None
    companies: frozenset[int] | None = None

    @classmethod
    def of(cls, products=None, companies=None) -> Scope:
        return cls(
            None if products is None else frozenset(products),
            None if companies is None else frozenset(companies),
        )

    def __or__(self, other: Scope) -> Scope:
        products = (
            None
            if self.products is None or other.products is None
            else self.products | other.products
        )
        companies = (
            None
            if self.companies is None or other.companies is None
            else self.companies | other.companies
        )
        return Scope(products, companies)

    @property
    def is_empty(self) -> bool:
        return (
            self.products is not None
            and not self.products
            or (self.companies is not None and not self.companies)
        )

    def as_json(self) -> dict:
        return {
            "products": None if self.products is None else sorted(self.products),
            "companies": None if self.companies is None else sorted(self.companies),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Scope:
        if not data:
            return cls(frozenset(), frozenset())
        return cls.of(data.get("products"), data.get("companies"))


EMPTY = Scope(frozenset(), frozenset())


# -- what a rule or list touches -----------------------------------------------------------------


def purchasable_ids(storefront) -> dict[int, int | None]:
    """Purchasable product id → parent id, for the storefront."""
    from pipit.catalog.queries import purchasable_for_storefront

    products = purchasable_for_storefront(storefront).values_list("pk", "parent_id")
    if connection.vendor != "postgresql":
        return dict(products)
    with transaction.atomic():
        _without_jit()
        return dict(products)


def _without_jit() -> None:
    """Compiles read whole catalogs in a few big queries, which PostgreSQL's planner prices high
    enough to JIT-compile: a second spent compiling for 0.2 s of work. Off for the current
    transaction only."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")


def _raw_rows(queryset: QuerySet, size: int = 20000) -> Iterator[tuple]:
    """The rows of a ``values_list`` queryset as the driver gives them, read in batches: the
    ORM's per-row work (converters, the iterable's bookkeeping) is a second of a compile's
    600,000 price-list rows. Only for columns PostgreSQL's driver gives as Python wants them
    (ids, numerics); elsewhere (SQLite's decimals need Django's converters) the ORM reads them."""
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=size)
        return
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield from rows


def _expand_to_purchasable(matched: set[int], universe: dict[int, int | None]) -> set[int]:
    """Products matched directly or through their parent, among the purchasable ones."""
    return {pid for pid, parent in universe.items() if pid in matched or parent in matched}


def rule_products(
    rule: PriceRule, universe: dict[int, int | None], restrict: Iterable[int] | None = None
) -> set[int] | None:
    """The purchasable products a rule's product scope matches (``None``: all of them)."""
    from oscar.apps.catalogue.models import ProductAttributeValue, ProductCategory

    scope = rule.product_scope
    if scope == PriceRule.ProductScope.ALL:
        return None
    candidates = set(universe) if restrict is None else set(restrict) & set(universe)
    if not candidates:
        return set()
    with_parents = candidates | {universe[p] for p in candidates if universe[p]}
    # The whole catalog: no id list to send (rows of other storefronts' products are dropped
    # by the expansion below).
    everything = len(candidates) == len(universe)

    def matching(queryset: QuerySet) -> Iterator[QuerySet]:
        if everything:
            yield queryset
        else:
            yield from id_batches(queryset, "product_id", with_parents)

    matched: set[int] = set()
    if scope == PriceRule.ProductScope.PRODUCTS:
        matched = set(_linked(rule, "products"))
    elif scope == PriceRule.ProductScope.CATEGORIES:
        paths = _linked(rule, "categories")
        if paths:
            for part in matching(ProductCategory.objects.filter(_path_condition(paths))):
                matched.update(part.values_list("product_id", flat=True))
    elif scope in (PriceRule.ProductScope.BRANDS, PriceRule.ProductScope.ATTRIBUTE):
        code, values = _attribute_match(rule)
        if code and values:
            q = Q()
            for value in values:
                q |= Q(value_text__iexact=value) | Q(value_option__option__iexact=value)
                with contextlib.suppress(ValueError):
                    q |= Q(value_integer=int(value))
                if value.lower() in _BOOLEAN_WORDS:
                    q |= Q(value_boolean=value.lower() in _TRUE_WORDS)
            rows = ProductAttributeValue.objects.filter(q, attribute__code=code)
            for part in matching(rows):
                matched.update(part.values_list("product_id", flat=True))
    return _expand_to_purchasable(matched, {p: universe[p] for p in candidates})


_BOOLEAN_WORDS = ("true", "false", "yes", "no", "да", "нет")
_TRUE_WORDS = ("true", "yes", "да")


def _attribute_match(rule: PriceRule) -> tuple[str, list[str]]:
    """The attribute code and the values a brand or attribute rule matches."""
    if rule.product_scope == PriceRule.ProductScope.BRANDS:
        code, values = "brand", rule.brand_names
    else:
        code, values = rule.attribute_code, [rule.attribute_value.strip()]
    return code, [v for v in values if v]


def _path_condition(paths: Iterable[str], prefix: str = "category__") -> Q:
    q = Q()
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


class _Links:
    """A rule's many-to-many links as ids (categories as paths), read for many rules in four
    queries (:func:`_load_links`) rather than prefetched as model instances: a catalog's rules
    name a thousand products, and building an Oscar product costs far more than its id."""

    __slots__ = ("products", "categories", "groups", "companies")

    def __init__(self):
        self.products: list[int] = []
        self.categories: list[str] = []
        self.groups: list[int] = []
        self.companies: list[int] = []


def _load_links(rules: list[PriceRule]) -> None:
    links = {rule.pk: _Links() for rule in rules}
    if links:
        for name, column in (
            ("products", None),
            ("categories", "path"),
            ("groups", None),
            ("companies", None),
        ):
            field = PriceRule._meta.get_field(name)
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            value = f"{target}__{column}" if column else f"{target}_id"
            rows = through.objects.filter(**{f"{source}_id__in": list(links)}).values_list(
                f"{source}_id", value
            )
            for rule_id, linked in rows:
                getattr(links[rule_id], name).append(linked)
    for rule in rules:
        rule._pipit_links = links[rule.pk]


def _linked(rule: PriceRule, name: str) -> list:
    """``rule``'s ``name`` link as ids (paths for categories): from :func:`_load_links` when
    it ran for the rule, else from the database (drafts, single rules)."""
    links = getattr(rule, "_pipit_links", None)
    if links is not None:
        return getattr(links, name)
    if name == "categories":
        return [c.path for c in rule.categories.all()]
    return [obj.pk for obj in getattr(rule, name).all()]


class _ScopeMatcher:
    """The product scopes of many rules matched against some products in two queries (their
    categories and attribute values), not one per rule; the same answers as
    :func:`rule_products`.

    Text and option values compare case-insensitively as PostgreSQL's ``UPPER(...) = UPPER(...)``
    does (the lookup ``iexact`` there).
    """

    def __init__(self, rules: list[PriceRule], universe: dict[int, int | None], restrict=None):
        from oscar.apps.catalogue.models import ProductAttributeValue, ProductCategory

        candidates = set(universe) if restrict is None else set(restrict) & set(universe)
        self.candidates = {p: universe[p] for p in candidates}
        self.children: dict[int, list[int]] = defaultdict(list)
        for pid, parent in self.candidates.items():
            if parent is not None:
                self.children[parent].append(pid)
        with_parents = candidates | {universe[p] for p in candidates if universe[p]}
        everything = len(candidates) == len(universe)

        def matching(queryset: QuerySet) -> Iterator[QuerySet]:
            if everything:
                yield queryset
            else:
                yield from id_batches(queryset, "product_id", with_parents)

        Scope_ = PriceRule.ProductScope
        # Category paths, each with the products filed under it (or under a subcategory).
        self.by_path: dict[str, set[int]] = defaultdict(set)
        paths = {
            path
            for rule in rules
            if rule.product_scope == Scope_.CATEGORIES
            for path in _linked(rule, "categories")
        }
        if paths and candidates:
            steplen = _category_steplen()
            for part in matching(ProductCategory.objects.filter(_path_condition(paths))):
                for product_id, path in part.values_list("product_id", "category__path"):
                    # The rule paths this category is under: its path's prefixes.
                    for end in range(steplen, len(path) + 1, steplen):
                        prefix = path[:end]
                        if prefix in paths:
                            self.by_path[prefix].add(product_id)
        # Attribute values by code: upper-cased text and option values, integers, booleans.
        codes = {
            code
            for rule in rules
            if rule.product_scope in (Scope_.BRANDS, Scope_.ATTRIBUTE)
            for code, values in [_attribute_match(rule)]
            if code and values
        }
        self.texts: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.integers: dict[tuple[str, int], set[int]] = defaultdict(set)
        self.booleans: dict[tuple[str, bool], set[int]] = defaultdict(set)
        if codes and candidates:
            rows = ProductAttributeValue.objects.filter(attribute__code__in=codes)
            columns = (
                "product_id",
                "attribute__code",
                "value_text",
                "value_option__option",
                "value_integer",
                "value_boolean",
            )
            for part in matching(rows):
                for pid, code, text, option, integer, boolean in part.values_list(*columns):
                    if text is not None:
                        self.texts[(code, text.upper())].add(pid)
                    if option is not None:
                        self.texts[(code, option.upper())].add(pid)
                    if integer is not None:
                        self.integers[(code, integer)].add(pid)
                    if boolean is not None:
                        self.booleans[(code, boolean)].add(pid)

    def products(self, rule: PriceRule) -> set[int] | None:
        scope = rule.product_scope
        if scope == PriceRule.ProductScope.ALL:
            return None
        if not self.candidates:
            return set()
        matched: set[int] = set()
        if scope == PriceRule.ProductScope.PRODUCTS:
            matched = set(_linked(rule, "products"))
        elif scope == PriceRule.ProductScope.CATEGORIES:
            for path in _linked(rule, "categories"):
                matched |= self.by_path.get(path, set())
        elif scope in (PriceRule.ProductScope.BRANDS, PriceRule.ProductScope.ATTRIBUTE):
            code, values = _attribute_match(rule)
            if code:
                for value in values:
                    matched |= self.texts.get((code, value.upper()), set())
                    with contextlib.suppress(ValueError):
                        matched |= self.integers.get((code, int(value)), set())
                    if value.lower() in _BOOLEAN_WORDS:
                        key = (code, value.lower() in _TRUE_WORDS)
                        matched |= self.booleans.get(key, set())
        # As _expand_to_purchasable(), walking the matches instead of every candidate.
        found = {pid for pid in matched if pid in self.candidates}
        children = self.children
        for pid in matched:
            found.update(children.get(pid, ()))
        return found


def _category_steplen() -> int:
    from oscar.apps.catalogue.models import Category

    return Category.steplen


def footprint_of(obj, universe: dict[int, int | None] | None = None) -> Scope:
    """What a published (or about to be unpublished) rule or list reaches, as it is now."""
    if isinstance(obj, PriceRule):
        universe = universe if universe is not None else purchasable_ids(obj.storefront)
        products = rule_products(obj, universe)
        companies = None
        if obj.customer_scope == PriceRule.CustomerScope.COMPANIES:
            companies = set(_linked(obj, "companies"))
        return Scope.of(products, companies)
    if isinstance(obj, PriceList):
        # order_by(): the model's ordering would join four tables into the DISTINCT.
        rows = PriceListItem.objects.filter(price_list=obj).order_by()
        product_ids = set(rows.values_list("product_id", flat=True).distinct())
        universe = universe if universe is not None else purchasable_ids(obj.storefront)
        products = _expand_to_purchasable(product_ids, universe)
        companies = None
        if obj.kind == PriceList.Kind.COMPANY:
            companies = set(rows.values_list("company_id", flat=True).distinct()) - {None}
        return Scope.of(products, companies)
    raise TypeError(obj)


def stored_footprint(obj) -> Scope:
    row = PricingFootprint.objects.filter(kind=_kind(obj), object_id=obj.pk).first()
    return Scope.from_json(row.scope) if row else EMPTY


def remember_footprint(obj, scope: Scope) -> None:
    remember_footprints([(obj, scope)])


def remember_footprints(found: list[tuple[object, Scope]]) -> None:
    """What each published rule or list reaches, as compiled now: one upsert for them all."""
    PricingFootprint.objects.bulk_create(
        [
            PricingFootprint(
                kind=_kind(obj),
                object_id=obj.pk,
                storefront_id=obj.storefront_id,
                scope=scope.as_json(),
            )
            for obj, scope in found
        ],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["storefront", "scope"],
    )


def _kind(obj) -> str:
    return "rule" if isinstance(obj, PriceRule) else "list"


# -- the snapshot: everything one compile reads --------------------------------------------------


@dataclass(slots=True)
class CompiledRule:
    spec: RuleSpec
    customer_scope: str
    groups: frozenset[int]
    companies: frozenset[int]
    products: set[int] | None

    def reaches(self, groups: frozenset[int], company_id: int | None) -> bool:
        if self.customer_scope == "all":
            return True
        if self.customer_scope == "groups":
            return bool(self.groups & groups)
        return company_id is not None and company_id in self.companies


class Snapshot:
    """The published lists and rules of a storefront in force on a day, for some products.

    Loaded in a fixed number of queries (whatever the number of rules: their product scopes are
    matched from one read of categories and one of attribute values), then computed in memory.
    """

    def __init__(
        self,
        storefront,
        on: datetime.date,
        products: Iterable[int] | None = None,
        universe: dict[int, int | None] | None = None,
    ):
        self.storefront = storefront
        self.on = on
        # ``universe``: the storefront's purchasable products (:func:`purchasable_ids`) when
        # the caller has just read them (a publish reads them for the footprint).
        self.universe = universe if universe is not None else purchasable_ids(storefront)
        if products is not None:
            wanted = set(products)
            self.products_in_scope = {
                p: parent
                for p, parent in self.universe.items()
                if p in wanted or (parent is not None and parent in wanted)
            }
        else:
            self.products_in_scope = dict(self.universe)
        self._load_offers()
        self._load_companies()
        self._load_lists()
        self._load_rules()

    @property
    def everything(self) -> bool:
        return len(self.products_in_scope) == len(self.universe)

    def _product_batches(self, ids: Iterable[int]) -> Iterator[list[int] | None]:
        """``None`` once (no filter: read the storefront's rows) or id batches."""
        if self.everything:
            yield None
        else:
            yield from chunked(ids)

    def _for_products(self, queryset: QuerySet, ids: Iterable[int]) -> Iterator[QuerySet]:
        """``queryset`` as is for the whole catalog, else narrowed to ``ids`` (see
        :func:`id_batches`)."""
        if self.everything:
            yield queryset
        else:
            yield from id_batches(queryset, "product_id", ids)

    # offers: the base price and cost of the offer the strategy picks (lowest id first)
    def _load_offers(self) -> None:
        from pipit.oscar_apps.partner.models import StockRecord

        self.offers: dict[int, tuple[Decimal | None, Decimal | None]] = {}
        wanted = self.products_in_scope
        records = StockRecord.objects.filter(partner_id__in=self.storefront.partner_ids)
        for rows in self._for_products(records, wanted):
            for product_id, price, cost in rows.order_by("-pk").values_list(
                "product_id", "price", "cost_price"
            ):
                if product_id in wanted:
                    self.offers[product_id] = (price, cost)  # the lowest pk is written last

    def _load_companies(self) -> None:
        from pipit.companies.models import Company

        self.company_groups: dict[int, frozenset[int]] = {
            pk: frozenset()
            for pk in Company.objects.filter(storefront=self.storefront).values_list(
                "pk", flat=True
            )
        }
        links = CustomerGroup.companies.through.objects.filter(
            customergroup__storefront=self.storefront
        ).values_list("company_id", "customergroup_id")
        grouped: dict[int, set[int]] = defaultdict(set)
        for company_id, group_id in links:
            grouped[company_id].add(group_id)
        for company_id, groups in grouped.items():
            self.company_groups[company_id] = frozenset(groups)

    def _load_lists(self) -> None:
        lists = {
            pl.pk: pl
            for pl in PriceList.objects.in_force(self.on)
            .filter(storefront=self.storefront, currency=self.storefront.currency)
            .prefetch_related("groups")
        }
        self.lists = lists
        self.list_groups = {
            pk: frozenset(g.pk for g in pl.groups.all()) for pk, pl in lists.items()
        }
        self.store_rows: dict[int, list[ListRow]] = defaultdict(list)
        self.group_rows: dict[int, list[tuple[frozenset[int], ListRow]]] = defaultdict(list)
        self.company_rows: dict[int, dict[int, list[ListRow]]] = defaultdict(
            lambda: defaultdict(list)
        )
        if not lists:
            return
        on = self.on
        wanted = set(self.products_in_scope) | {
            parent for parent in self.products_in_scope.values() if parent
        }
        # order_by(): the model's ordering joins four tables and sorts 600,000 rows on disk
        # (10 s at the benchmark's size), for rows read into dicts.
        items = (
            PriceListItem.objects.filter(price_list_id__in=list(lists))
            .filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=on),
                Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            )
            .order_by()
        )
        columns = ("price_list_id", "product_id", "company_id", "min_quantity", "price")
        kinds = {pk: pl.kind for pk, pl in lists.items()}
        priorities = {pk: pl.priority for pk, pl in lists.items()}
        store_rows, group_rows, company_rows = self.store_rows, self.group_rows, self.company_rows
        list_groups = self.list_groups
        STOREFRONT, GROUP = PriceList.Kind.STOREFRONT, PriceList.Kind.GROUP
        for part in self._for_products(items, wanted):
            for list_id, product_id, company_id, min_quantity, price in _raw_rows(
                part.values_list(*columns)
            ):
                if product_id not in wanted:
                    continue
                kind = kinds[list_id]
                row = ListRow(list_id, priorities[list_id], min_quantity, price)
                if kind == STOREFRONT:
                    store_rows[product_id].append(row)
                elif kind == GROUP:
                    groups = list_groups[list_id]
                    if groups:
                        group_rows[product_id].append((groups, row))
                elif company_id is not None:
                    company_rows[company_id][product_id].append(row)

    def _load_rules(self) -> None:
        rules = (
            PriceRule.objects.in_force(self.on)
            .filter(storefront=self.storefront)
            .prefetch_related("tiers")
        )
        self.rules: list[CompiledRule] = []
        self.rule_objects: dict[int, PriceRule] = {}
        rules = list(rules)
        _load_links(rules)
        matcher = _ScopeMatcher(rules, self.universe, restrict=self.products_in_scope)
        for rule in rules:
            self.rule_objects[rule.pk] = rule
            spec = RuleSpec(
                id=rule.pk,
                priority=rule.priority,
                stacking=rule.stacking,
                action=rule.action,
                value=rule.value,
                rounding=rule.rounding,
                tiers=tuple(sorted((t.min_quantity, t.value) for t in rule.tiers.all())),
            )
            self.rules.append(
                CompiledRule(
                    spec=spec,
                    customer_scope=rule.customer_scope,
                    groups=frozenset(_linked(rule, "groups")),
                    companies=frozenset(_linked(rule, "companies")),
                    products=matcher.products(rule),
                )
            )
        self.global_rules = [r for r in self.rules if r.products is None]
        self._global_for: dict[tuple[frozenset[int], int | None], list[RuleSpec]] = {}
        self.children_of: dict[int, list[int]] = defaultdict(list)
        for pid, parent in self.products_in_scope.items():
            if parent:
                self.children_of[parent].append(pid)
        self.rules_by_product: dict[int, list[CompiledRule]] = defaultdict(list)
        for rule in self.rules:
            if rule.products is not None:
                for pid in rule.products:
                    self.rules_by_product[pid].append(rule)
        # The company-scoped rules of each company they name.
        self.rules_of_company: dict[int, list[CompiledRule]] = defaultdict(list)
        for rule in self.rules:
            if rule.customer_scope == "companies":
                for company_id in rule.companies:
                    self.rules_of_company[company_id].append(rule)

    # -- per product and audience ----------------------------------------------------------------
    def _own_or_parent(self, rows_by_product, product_id):
        rows = rows_by_product.get(product_id)
        if rows:
            return rows
        parent = self.products_in_scope.get(product_id)
        return rows_by_product.get(parent, []) if parent else []

    def levels(self, product_id: int, groups: frozenset[int], company_id: int | None):
        levels: dict[str, list[ListRow]] = {}
        if company_id is not None:
            rows = self._own_or_parent(self.company_rows.get(company_id, {}), product_id)
            if rows:
                levels["company"] = rows
        if groups:
            own = [row for g, row in self.group_rows.get(product_id, ()) if g & groups]
            if not own:
                parent = self.products_in_scope.get(product_id)
                if parent:
                    own = [row for g, row in self.group_rows.get(parent, ()) if g & groups]
            if own:
                levels["group"] = own
        rows = self._own_or_parent(self.store_rows, product_id)
        if rows:
            levels["storefront"] = rows
        return levels

    def rules_for(self, product_id: int, groups: frozenset[int], company_id: int | None):
        key = (groups, company_id)
        common = self._global_for.get(key)
        if common is None:
            common = [r.spec for r in self.global_rules if r.reaches(groups, company_id)]
            self._global_for[key] = common
        extra = self.rules_by_product.get(product_id)
        if not extra:
            return common
        found = list(common)
        for rule in extra:
            if rule.reaches(groups, company_id):
                found.append(rule.spec)
        return found

    def tiers(self, product_id: int, groups: frozenset[int], company_id: int | None) -> list[Tier]:
        base, cost = self.offers.get(product_id, (None, None))
        if base is None:
            return []  # no offer with a price: the strategy shows the product as unavailable
        return compute(
            base,
            cost,
            self.levels(product_id, groups, company_id),
            self.rules_for(product_id, groups, company_id),
        )

    # -- who needs rows of their own -------------------------------------------------------------
    def segment_has_own_prices(self, groups: frozenset[int]) -> bool:
        if not groups:
            return False
        if any(g & groups for g in self.list_groups.values()):
            return True
        return any(r.customer_scope == "groups" and r.groups & groups for r in self.rules)

    def company_products(self, company_id: int) -> set[int] | None:
        """Products where a company may differ from its segment (``None``: all)."""
        found: set[int] = set()
        rows = self.company_rows.get(company_id)
        if rows:
            # Set operations over the company's rows: a million lookups one by one otherwise.
            found = rows.keys() & self.products_in_scope.keys()
            for parent in rows.keys() & self.children_of.keys():
                found.update(self.children_of[parent])
        for rule in self.rules_of_company.get(company_id, ()):
            if rule.products is None:
                return None
            found |= rule.products & self.products_in_scope.keys()
        return found


class _Tables:
    """Tier tables of a snapshot's products for many audiences, as :meth:`Snapshot.tiers` gives
    them, with what repeats across a million calls worked out once: the rules prepared and put
    in order per product and audience (companies without rules of their own share their
    segment's), and the group and storefront rows per product and segment. Steps come as the
    JSON text the table stores (compared as text by ``same_tiers``)."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.prepared = {rule.spec.id: PreparedRule(rule.spec) for rule in snapshot.rules}
        self._audiences: dict[tuple[frozenset[int], int | None], frozenset[int]] = {}
        self._rules: dict[tuple[frozenset[int], int], list[PreparedRule]] = {}
        self._global: dict[frozenset[int], list[PreparedRule]] = {}
        self._segment_levels: dict[tuple[frozenset[int], int], dict] = {}
        self._base_steps: dict[int, str] = {}

    def audience(self, groups: frozenset[int], company_id: int | None) -> frozenset[int]:
        """The ids of the rules reaching an audience: its key in the caches."""
        key = (groups, company_id)
        reach = self._audiences.get(key)
        if reach is None:
            reach = frozenset(
                rule.spec.id for rule in self.snapshot.rules if rule.reaches(groups, company_id)
            )
            self._audiences[key] = reach
        return reach

    def rules(self, product_id: int, reach: frozenset[int]) -> list[PreparedRule]:
        key = (reach, product_id)
        found = self._rules.get(key)
        if found is not None:
            return found
        common = self._global.get(reach)
        if common is None:
            common = [
                self.prepared[rule.spec.id]
                for rule in self.snapshot.global_rules
                if rule.spec.id in reach
            ]
            common.sort(key=run_order)
            self._global[reach] = common
        extra = self.snapshot.rules_by_product.get(product_id)
        if extra:
            found = common + [
                self.prepared[rule.spec.id] for rule in extra if rule.spec.id in reach
            ]
            found.sort(key=run_order)
        else:
            found = common
        self._rules[key] = found
        return found

    def segment_levels(self, product_id: int, groups: frozenset[int]) -> dict:
        key = (groups, product_id)
        levels = self._segment_levels.get(key)
        if levels is None:
            levels = self.snapshot.levels(product_id, groups, None)
            self._segment_levels[key] = levels
        return levels

    def company_rules(
        self, product_id: int, shared: list[PreparedRule], own: list[CompiledRule]
    ) -> list[PreparedRule]:
        """The rules reaching a company for a product: ``shared`` (its segment's, from
        :meth:`rules`), and of ``own`` (the rules for this company, which reach no segment)
        those matching the product. Most products match none of a company's own rules and share
        the segment's list as it is."""
        if not own:
            return shared
        extra = [
            self.prepared[rule.spec.id]
            for rule in own
            if rule.products is None or product_id in rule.products
        ]
        if not extra:
            return shared
        found = shared + extra
        found.sort(key=run_order)
        return found

    def tiers(
        self,
        product_id: int,
        groups: frozenset[int],
        company_id: int | None,
        rules: list[PreparedRule],
    ) -> list[Tier]:
        """:meth:`Snapshot.tiers`, given the rules reaching the audience for the product
        (:meth:`rules` or :meth:`company_rules`)."""
        snapshot = self.snapshot
        base, cost = snapshot.offers.get(product_id, (None, None))
        if base is None:
            return []
        levels = self.segment_levels(product_id, groups)
        if company_id is not None:
            own = snapshot.company_rows.get(company_id)
            if own:
                rows = snapshot._own_or_parent(own, product_id)
                if rows:
                    levels = {"company": rows, **levels}
        base_step = self._base_steps.get(product_id)
        if base_step is None:
            base_step = self._base_steps[product_id] = base_step_json(base)
        return compute_prepared(base, cost, levels, rules, steps_as_json=True, base_step=base_step)


class _Work:
    """The rows of a compile, product by product: the storefront's rows (``segments`` given:
    every audience is compiled), the segments' where they differ from those, and the companies'
    where they differ from their segment's. Parts of the catalog are independent of each other,
    so forked workers can each take some."""

    def __init__(self, snapshot: Snapshot, sf_id: int, segments: set[str] | None, companies):
        self.snapshot = snapshot
        self.tables = _Tables(snapshot)
        self.sf_id = sf_id
        self.segments = segments
        self.companies: dict[int, frozenset[int]] = companies
        self._wanted: dict[int, set[int] | None] = {}

    def rows(self, part: list[int]) -> Iterator[tuple]:
        snapshot, tables, sf_id = self.snapshot, self.tables, self.sf_id
        tiers_of, rules_of = tables.tiers, tables.rules
        nobody: frozenset[int] = frozenset()
        segment_tiers: dict[str, dict[int, list[Tier]]] = {}
        if self.segments is not None:
            base_tiers: dict[int, list[Tier]] = {}
            reach = tables.audience(nobody, None)
            for pid in part:
                tiers = tiers_of(pid, nobody, None, rules_of(pid, reach))
                base_tiers[pid] = tiers
                yield from _rows(sf_id, pid, "", None, tiers)
            segment_tiers[""] = base_tiers
            for key in sorted(self.segments - {""}):
                groups = segment_groups(key)
                segment_tiers[key] = base_tiers
                if not snapshot.segment_has_own_prices(groups):
                    continue
                own: dict[int, list[Tier]] = {}
                reach = tables.audience(groups, None)
                for pid in part:
                    tiers = tiers_of(pid, groups, None, rules_of(pid, reach))
                    own[pid] = tiers
                    if not same_tiers(tiers, base_tiers[pid]):
                        yield from _rows(sf_id, pid, key, None, tiers)
                segment_tiers[key] = own
        in_part = set(part)
        company_rules = tables.company_rules
        for company_id, groups in self.companies.items():
            if company_id not in self._wanted:
                self._wanted[company_id] = snapshot.company_products(company_id)
            wanted = self._wanted[company_id]
            wanted = in_part if wanted is None else wanted & in_part
            if not wanted:
                continue
            key = segment_key(groups)
            reference = segment_tiers.get(key)
            segment_reach = tables.audience(groups, None)
            own_rules = snapshot.rules_of_company.get(company_id, ())
            for pid in wanted:
                segment_rules = rules_of(pid, segment_reach)
                rules = company_rules(pid, segment_rules, own_rules)
                tiers = tiers_of(pid, groups, company_id, rules)
                if reference is not None:
                    segment = reference.get(pid)
                else:
                    segment = tiers_of(pid, groups, None, segment_rules)
                if segment is not None and same_tiers(tiers, segment):
                    continue
                yield from _rows(sf_id, pid, key, company_id, tiers)


def _split(ids: list[int], parts: int) -> list[list[int]]:
    size = max(1, -(-len(ids) // parts))
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _workers_for(products: int) -> int:
    """How many processes compute a compile of ``products`` products: forked workers on
    PostgreSQL (their rows stream into one COPY) for compiles large enough to repay a fork.
    Settings: ``PIPIT_PRICING_COMPILE_WORKERS`` (default: the CPUs; 1 turns it off) and
    ``PIPIT_PRICING_PARALLEL_FROM`` (products, default 500)."""
    if connection.vendor != "postgresql" or not hasattr(os, "fork"):
        return 1
    if products < getattr(settings, "PIPIT_PRICING_PARALLEL_FROM", 500):
        return 1
    workers = getattr(settings, "PIPIT_PRICING_COMPILE_WORKERS", None) or os.cpu_count() or 1
    return max(1, min(int(workers), 8))


class CompileWorkerError(RuntimeError):
    """A forked compile worker failed; the compile's transaction is rolled back."""


def _no_queries(execute, sql, params, many, context):
    # A forked worker shares its parent's database socket: a query from it would corrupt the
    # parent's session. Workers compute from the snapshot only.
    raise CompileWorkerError("a compile worker may not query the database")


_HEADER = struct.Struct(">cQ")


class _Forked:
    """Forked workers computing ``work`` over ``parts`` (worker ``i`` takes parts ``i``,
    ``i + workers``, ...), each sending its rows back through a pipe as COPY text.

    The snapshot is shared copy-on-write with the parent; nothing is pickled. A worker that
    fails sends its traceback, which :meth:`blocks` raises as :class:`CompileWorkerError`.
    """

    def __init__(self, work: _Work, parts: list[list[int]], workers: int):
        self.work = work
        self.parts = parts
        self.workers = min(workers, max(1, len(parts)))
        self.children: list[tuple[int, int]] = []
        self.rows = 0
        self.cpu_seconds: list[float] = []  # each worker's, once reaped

    def __enter__(self) -> _Forked:
        gc.freeze()  # objects made so far stay out of the workers' collections: fewer copies
        try:
            for index in range(self.workers):
                read_fd, write_fd = os.pipe()
                pid = os.fork()
                if pid == 0:  # the worker
                    os.close(read_fd)
                    self._serve(index, write_fd)  # never returns
                os.close(write_fd)
                self.children.append((pid, read_fd))
        except BaseException:
            self._reap(kill=True)
            raise
        finally:
            gc.unfreeze()
        return self

    def _serve(self, index: int, fd: int) -> None:
        code = 0
        gc.disable()  # the worker's objects live until it exits: nothing to collect
        try:
            connection.execute_wrappers.append(_no_queries)
            with os.fdopen(fd, "wb", buffering=1 << 20) as out:
                try:
                    for part in self.parts[index :: self.workers]:
                        rows = list(self.work.rows(part))
                        for block in _copy_lines(rows):
                            payload = block.encode()
                            out.write(_HEADER.pack(b"D", len(payload)) + payload)
                        count = str(len(rows)).encode()
                        out.write(_HEADER.pack(b"N", len(count)) + count)
                except BaseException:
                    code = 1
                    failure = traceback.format_exc().encode()
                    out.write(_HEADER.pack(b"X", len(failure)) + failure)
        except BaseException:
            code = 1
        finally:
            os._exit(code)

    def blocks(self) -> Iterator[bytes]:
        """The workers' COPY text as it arrives; :attr:`rows` counts the rows."""
        selector = selectors.DefaultSelector()
        buffers: dict[int, bytearray] = {}
        for _pid, fd in self.children:
            selector.register(fd, selectors.EVENT_READ)
            buffers[fd] = bytearray()
        try:
            while buffers:
                for key, _events in selector.select():
                    fd = key.fd
                    chunk = os.read(fd, 1 << 20)
                    buffer = buffers[fd]
                    if not chunk:
                        selector.unregister(fd)
                        del buffers[fd]
                        if buffer:
                            raise CompileWorkerError("a compile worker stopped mid-message")
                        continue
                    buffer += chunk
                    while len(buffer) >= _HEADER.size:
                        kind, size = _HEADER.unpack_from(buffer)
                        if len(buffer) < _HEADER.size + size:
                            break
                        payload = bytes(buffer[_HEADER.size : _HEADER.size + size])
                        del buffer[: _HEADER.size + size]
                        if kind == b"D":
                            yield payload
                        elif kind == b"N":
                            self.rows += int(payload)
                        else:
                            raise CompileWorkerError(payload.decode(errors="replace"))
        finally:
            selector.close()
        failed = self._reap(kill=False)
        if failed:
            raise CompileWorkerError(f"compile workers exited with {failed}")

    def _reap(self, kill: bool) -> list[int]:
        failed = []
        for pid, fd in self.children:
            with contextlib.suppress(OSError):
                os.close(fd)
            if kill:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                _pid, status, usage = os.wait4(pid, 0)
                self.cpu_seconds.append(round(usage.ru_utime + usage.ru_stime, 2))
                if os.waitstatus_to_exitcode(status) != 0:
                    failed.append(os.waitstatus_to_exitcode(status))
        self.children = []
        return failed

    def __exit__(self, *exc_info) -> None:
        # Normally reaped by blocks(); on an error on the way, the workers are stopped.
        self._reap(kill=True)


# -- writing -------------------------------------------------------------------------------------

COLUMNS = (
    "storefront_id",
    "product_id",
    "segment",
    "company_id",
    "min_quantity",
    "price",
    "base_price",
    "steps",
)


def _copy_lines(rows: list[tuple]) -> Iterator[str]:
    """``rows`` in COPY's text format, some thousands of lines a piece. Nothing in a row needs
    escaping: ids, digits and dots, and the steps' JSON of kinds, ids and prices."""
    lines = []
    for sf_id, product_id, segment, company_id, min_quantity, price, base, steps in rows:
        company = "\\N" if company_id is None else company_id
        lines.append(
            f"{sf_id}\t{product_id}\t{segment}\t{company}\t{min_quantity}\t{price}\t{base}\t{steps}\n"
        )
        if len(lines) >= 5000:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _write(rows: list[tuple]) -> None:
    if not rows:
        return
    table = EffectivePrice._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for block in _copy_lines(rows):
                    copy.write(block)
        return
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            cursor.executemany(sql, rows[start : start + 20000])


def _write_blocks(blocks: Iterable[bytes]) -> None:
    """COPY text blocks (PostgreSQL) into the price table."""
    table = EffectivePrice._meta.db_table
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for block in blocks:
                copy.write(block)


def _rows(storefront_id, product_id, segment, company_id, tiers: list[Tier]):
    # Tiers come from _Tables.tiers: their steps are already the JSON text the table stores.
    for tier in tiers:
        yield (
            storefront_id,
            product_id,
            segment,
            company_id,
            tier.min_quantity,
            tier.price,
            tier.base_price,
            tier.steps,
        )


def _delete(storefront_id: int, scope: Scope) -> None:
    rows = EffectivePrice.objects.filter(storefront_id=storefront_id)
    if scope.companies is not None:
        companies = list(scope.companies)
        if connection.vendor == "postgresql":
            rows = rows.filter(_AnyOf(F("company_id"), companies))
        else:
            rows = rows.filter(company_id__in=companies)
    if scope.products is None:
        rows._raw_delete(rows.db)
        return
    for part in id_batches(rows, "product_id", scope.products):
        part._raw_delete(part.db)


def _new_segments(storefront, scope: Scope, known: set[str]) -> bool:
    links = CustomerGroup.companies.through.objects.filter(
        company_id__in=list(scope.companies), customergroup__storefront=storefront
    ).values_list("company_id", "customergroup_id")
    grouped: dict[int, set[int]] = defaultdict(set)
    for company_id, group_id in links:
        grouped[company_id].add(group_id)
    return any(segment_key(groups) not in known for groups in grouped.values())


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {EffectivePrice._meta.db_table}")


@dataclass
class CompileResult:
    rows: int
    products: int
    seconds: float
    full: bool
    #: Seconds per step: "load" (the snapshot), "compute" (the tier tables), "write" (old rows
    #: out, new rows in), "finish" (footprints, statistics, state).
    phases: dict[str, float] = field(default_factory=dict)
    #: CPU seconds of each forked worker (none when computed in this process).
    worker_cpu: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a compile: it builds a million small objects
    (list rows, tiers) without cycles, and the collector kept walking them as they grew: half
    of the time a snapshot took to load. Back as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compile_prices(
    storefront,
    scope: Scope | None = None,
    on: datetime.date | None = None,
    *,
    day_complete: bool = False,
    universe: dict[int, int | None] | None = None,
) -> CompileResult:
    """Recompile the storefront's effective prices for ``scope`` (everything by default).

    ``day_complete`` says the scope covers everything that changed since the last compiled day
    (the roll-over), so the table now stands for ``on``; a full rebuild always does.
    ``universe`` is the storefront's purchasable products if the caller has them at hand.
    """
    with _collector_paused():
        return _compile(storefront, scope, on, day_complete=day_complete, universe=universe)


def _compile(storefront, scope, on, *, day_complete, universe) -> CompileResult:
    scope = scope or Scope()
    on = on or timezone.localdate()
    started = time.perf_counter()
    full = scope.products is None and scope.companies is None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _without_jit()
        state, _created = PricingState.objects.get_or_create(storefront=storefront)
        state = PricingState.objects.select_for_update().get(pk=state.pk)
        if scope.is_empty:
            return CompileResult(0, 0, 0.0, False)
        known_segments = set(state.segments or [])
        if scope.companies is not None and _new_segments(storefront, scope, known_segments):
            # A company moved into a set of groups nobody had before: that segment's prices
            # exist nowhere yet, so everything is compiled (rare: a group membership change).
            scope, full = Scope(), True
        phases: dict[str, float] = {}
        mark = time.perf_counter()
        snapshot = Snapshot(storefront, on, scope.products, universe)
        phases["load"], mark = time.perf_counter() - mark, time.perf_counter()
        if scope.products is not None:
            # Rows of a parent's list price cover its variants: those are recompiled too.
            scope = Scope(scope.products | frozenset(snapshot.products_in_scope), scope.companies)
        sf_id = storefront.pk
        products = snapshot.products_in_scope
        if scope.companies is None:
            segments = {segment_key(g) for g in snapshot.company_groups.values()} | {""}
            companies = snapshot.company_groups
            known_segments = segments if full else known_segments | segments
        else:
            segments = None
            companies = {c: g for c, g in snapshot.company_groups.items() if c in scope.companies}
        work = _Work(snapshot, sf_id, segments, companies)
        workers = _workers_for(len(products))
        if workers > 1:
            # Forked workers compute parts of the catalog while this process deletes the old
            # rows, then writes their rows as they come in.
            with _Forked(work, _split(list(products), workers * 4), workers) as forked:
                _delete(sf_id, scope)
                phases["delete"], mark = time.perf_counter() - mark, time.perf_counter()
                _write_blocks(forked.blocks())
                written = forked.rows
            worker_cpu = forked.cpu_seconds
            phases[f"compute and write ({workers} processes)"] = time.perf_counter() - mark
        else:
            worker_cpu = []
            rows = list(work.rows(list(products)))
            written = len(rows)
            phases["compute"], mark = time.perf_counter() - mark, time.perf_counter()
            _delete(sf_id, scope)
            phases["delete"], mark = time.perf_counter() - mark, time.perf_counter()
            _write(rows)
            phases["write"] = time.perf_counter() - mark
        mark = time.perf_counter()
        elapsed = time.perf_counter() - started
        if full or day_complete:
            state.compiled_on = on
        state.compiled_at = timezone.now()
        state.segments = sorted(known_segments)
        if full:
            state.rows = written
            state.last_full_seconds = elapsed
            found = []
            for rule in snapshot.rules:
                companies_reached = rule.companies if rule.customer_scope == "companies" else None
                found.append(
                    (
                        snapshot.rule_objects[rule.spec.id],
                        Scope.of(rule.products, companies_reached),
                    )
                )
            for price_list in snapshot.lists.values():
                found.append((price_list, footprint_of(price_list, snapshot.universe)))
            remember_footprints(found)
        state.save()
    from .resolver import forget_compiled_day

    transaction.on_commit(lambda: forget_compiled_day(storefront.pk))
    if full and connection.vendor == "postgresql":
        # The storefront's rows were all replaced: fresh planner statistics, or the resolver's
        # lookups may be planned for the old table (seconds instead of a millisecond) until
        # autovacuum gets round to it, if it runs at all.
        transaction.on_commit(_analyze)
    phases["finish"] = time.perf_counter() - mark
    result = CompileResult(
        written, len(products), time.perf_counter() - started, full, phases, worker_cpu
    )
    logger.info(
        "pricing: compiled %s rows for %s products of %s in %.2fs (full=%s)",
        result.rows,
        result.products,
        storefront.code,
        result.seconds,
        full,
    )
    return result
