"""Storefront-scoped catalog querysets: the only way views, API and tasks reach products.

Also the pieces every product list shares (the catalog pages, the REST API, the CMS carousels):
the purchase-info and attribute prefetches, the stock and attribute filters, and how a parent's
prefetched variants are handed to Oscar's strategy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, Expression, F, IntegerField, OuterRef, Prefetch, Q, QuerySet
from oscar.apps.catalogue.models import Category, Product, ProductAttributeValue, ProductCategory
from oscar.apps.partner.strategy import PurchaseInfo

from pipit.inventory.models import Warehouse, WarehouseStock
from pipit.oscar_apps.partner.models import StockRecord
from pipit.tenancy.access import staff_storefronts
from pipit.tenancy.models import Storefront

from .listing_cache import TIMEOUT as LISTING_TIMEOUT
from .listing_cache import listing_key

_INT = re.compile(r"-?\d+")
_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


def categories_for_storefront(storefront: Storefront) -> QuerySet[Category]:
    return Category.objects.filter(storefront.category_filter(), is_public=True)


def products_for_storefront(storefront: Storefront) -> QuerySet[Product]:
    """Public top-level products the storefront sells: in its categories, from its partners."""
    in_scope_category = ProductCategory.objects.filter(product=OuterRef("pk")).filter(
        storefront.category_filter("category__")
    )
    sold_here = _offered_by(tuple(storefront.partner_ids))
    return Product.objects.browsable().filter(Exists(in_scope_category)).filter(sold_here)


def purchasable_for_storefront(storefront: Storefront) -> QuerySet[Product]:
    """What a buyer can put in the cart on the storefront: its standalone products and the
    public variants of its parent products, each with an offer from one of its partners.

    Quick order, repeat order and saved lists look SKUs and products up here; the product
    pages list :func:`products_for_storefront` (the browsable, top-level products).
    """
    browsable = products_for_storefront(storefront)
    offered = StockRecord.objects.filter(partner_id__in=storefront.partner_ids)
    return Product.objects.filter(
        Q(structure=Product.STANDALONE, pk__in=browsable.values("pk"))
        | Q(structure=Product.CHILD, is_public=True, parent__in=browsable.values("pk"))
    ).filter(pk__in=offered.values("product_id"))


def products_for_staff(user) -> QuerySet[Product]:
    """Products in the scope of any storefront ``user`` staffs: what the catalog admin lists and
    an editor may put on a page. A superuser reaches every browsable product."""
    if user.is_active and user.is_superuser:
        return Product.objects.browsable()
    scope = Q(pk__in=[])
    for storefront in staff_storefronts(user):
        scope |= Q(pk__in=products_for_storefront(storefront).values("pk"))
    return Product.objects.filter(scope)


def categories_for_staff(user) -> QuerySet[Category]:
    """Categories inside the catalog scope of any storefront ``user`` staffs (all for a
    superuser)."""
    if user.is_active and user.is_superuser:
        return Category.objects.all()
    scope = Q(pk__in=[])
    for storefront in staff_storefronts(user):
        scope |= Q(pk__in=categories_for_storefront(storefront).values("pk"))
    return Category.objects.filter(scope)


class IdList(Expression):
    """Integers as literal SQL, for ``filter(pk__in=IdList(ids))``: a list of hundreds of ids
    already read from the database costs no parameter parsing per id (psycopg parses each
    ``%s`` of a query on every call) and meets no limit on the number of SQL variables."""

    output_field = IntegerField()

    def __init__(self, ids: Iterable[int]):
        super().__init__()
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection):
        if not self.ids:
            raise EmptyResultSet
        return "(" + ", ".join(map(str, self.ids)) + ")", []


# -- prefetches -----------------------------------------------------------------------------------


def attribute_values_prefetch() -> Prefetch:
    """A product's attribute values with what ``value_as_text`` reads (options, multi-options)."""
    return Prefetch(
        "attribute_values",
        queryset=ProductAttributeValue.objects.select_related(
            "attribute", "value_option"
        ).prefetch_related("value_multi_option"),
    )


def stockrecords_prefetch(storefront: Storefront) -> Prefetch:
    """The storefront's offers of a product with their stock in the storefront's warehouses:
    what :class:`~pipit.pricing.strategy.StorefrontStrategy` reads for one product."""
    stock = Prefetch(
        "warehouse_stocks",
        queryset=WarehouseStock.objects.filter(
            warehouse_id__in=storefront.warehouse_ids
        ).select_related("warehouse"),
    )
    return Prefetch(
        "stockrecords",
        queryset=StockRecord.objects.filter(partner_id__in=storefront.partner_ids).prefetch_related(
            stock
        ),
    )


def attach_offers(products: list[Product], storefront: Storefront) -> None:
    """What :func:`stockrecords_prefetch` loads, set on loaded products as plain lists: each
    product's ``_storefront_records`` (the storefront's offers, as ``stockrecords.all()`` lists
    them) and each offer's ``_storefront_stocks`` (its stock in the storefront's warehouses), which
    :class:`~pipit.pricing.strategy.StorefrontStrategy` reads first. Two queries; Django's
    prefetch would also build a queryset per product and per offer (half the time of a
    listing's offers)."""
    by_id = {product.pk: product for product in products}
    for product in products:
        product._storefront_records = []
    if not by_id:
        return
    records = list(
        StockRecord.objects.filter(
            partner_id__in=storefront.partner_ids, product_id__in=IdList(by_id)
        )
    )
    by_record = {}
    for record in records:
        product = by_id[record.product_id]
        # Each row's own related objects, as Django's prefetch caches them (the id columns
        # already match: the descriptors' checks cost a tenth of this function's time).
        record._state.fields_cache["product"] = product
        record._storefront_stocks = []
        product._storefront_records.append(record)
        by_record[record.pk] = record
    if not by_record:
        return
    warehouses = _storefront_warehouses(storefront)
    stocks = WarehouseStock.objects.filter(
        warehouse_id__in=list(warehouses), stockrecord_id__in=IdList(by_record)
    )
    for stock in stocks:
        record = by_record[stock.stockrecord_id]
        stock._state.fields_cache["stockrecord"] = record
        stock._state.fields_cache["warehouse"] = warehouses[stock.warehouse_id]
        record._storefront_stocks.append(stock)


def _storefront_warehouses(storefront: Storefront) -> dict:
    """The storefront's warehouses by id, from the cache while the catalog is unchanged (a
    saved warehouse raises the catalog version): set on the stock rows of a page instead of
    joined into them (a warehouse object per row)."""
    key = listing_key(storefront, "warehouses")
    found = cache.get(key)
    if found is None:
        found = Warehouse.objects.in_bulk(storefront.warehouse_ids)
        cache.set(key, found, LISTING_TIMEOUT)
    return found


def with_purchase_info(qs: QuerySet[Product], storefront: Storefront) -> QuerySet[Product]:
    """Prefetch what :class:`~pipit.pricing.strategy.StorefrontStrategy` reads, so pricing a page
    of products costs a fixed number of queries."""
    records = stockrecords_prefetch(storefront)
    children = Prefetch(
        "children",
        queryset=Product.objects.filter(is_public=True).prefetch_related(records),
    )
    return qs.prefetch_related(records, children)


# -- variants and purchase info -------------------------------------------------------------------


def public_variants(product: Product) -> list[Product]:
    """A parent's public variants, from a prefetch when there is one, loaded once otherwise.

    Oscar's ``get_public_children()`` (read by the strategy's ``fetch_for_parent``) answers from
    ``_prefetched_public_children`` and otherwise queries per parent; a prefetch made as plain
    ``children`` (public ones only, as :func:`with_purchase_info` does) is handed over under
    that name.
    """
    if not product.is_parent:
        return []
    if not hasattr(product, "_prefetched_public_children"):
        cache = getattr(product, "_prefetched_objects_cache", {})
        children = cache["children"] if "children" in cache else product.children.public()
        product._prefetched_public_children = list(children)
    return product._prefetched_public_children


def purchase_info(strategy, product: Product) -> PurchaseInfo:
    """Price and availability of ``product`` for the strategy's buyer (a parent's from its
    variants, read from the prefetch)."""
    if product.is_parent:
        public_variants(product)
        return strategy.fetch_for_parent(product)
    return strategy.fetch_for_product(product)


# -- filters --------------------------------------------------------------------------------------


def own_or_variant_exists(rows: QuerySet, prefix: str = "product") -> Q:
    """Some of ``rows`` belong to the outer product or to one of its variants.

    Two ``EXISTS``, each on one indexed column: PostgreSQL answers each with an index probe per
    product, where one ``EXISTS`` on ``product = outer OR parent = outer`` joins every matching
    row against every product (seconds on a category page of a 24,000-product catalog).
    """
    return Q(Exists(rows.filter(**{f"{prefix}_id": OuterRef("pk")}))) | Q(
        Exists(rows.filter(**{f"{prefix}__parent_id": OuterRef("pk")}))
    )


def products_in_category(storefront: Storefront, category: Category) -> QuerySet[Product]:
    """``in_category(products_for_storefront(storefront), category)`` with one ``EXISTS`` less:
    a category inside the storefront's scope has only descendants inside it, so being in the
    category stands for being in the scope."""
    paths = tuple(storefront.category_paths)
    if not paths or not category.path.startswith(paths):
        return in_category(products_for_storefront(storefront), category)
    return in_category(Product.objects.browsable(), category).filter(
        _offered_by(tuple(storefront.partner_ids))
    )


# Building an EXISTS clones its query (~1 ms each on the catalog pages): the conditions that
# depend only on a storefront's partners and warehouses are built once per set of ids. A Q and
# its subqueries are never changed by a queryset using them (Django copies an expression as it
# resolves it), so one Q serves every request; a changed id set makes another.


@lru_cache(maxsize=256)
def _offered_by(partner_ids: tuple[int, ...]) -> Q:
    offers = StockRecord.objects.filter(partner_id__in=partner_ids)
    return own_or_variant_exists(offers, "product")


def in_category(qs: QuerySet[Product], category: Category) -> QuerySet[Product]:
    """Products in ``category`` or any of its descendants."""
    return qs.filter(
        Exists(
            ProductCategory.objects.filter(
                product=OuterRef("pk"), category__path__startswith=category.path
            )
        )
    )


def in_stock_condition(storefront: Storefront) -> Q:
    """A product (or, for a parent, any public variant) has stock free in the storefront's
    warehouses, offered by one of its partners."""
    return _in_stock(tuple(storefront.partner_ids), tuple(storefront.warehouse_ids))


@lru_cache(maxsize=256)
def _in_stock(partner_ids: tuple[int, ...], warehouse_ids: tuple[int, ...]) -> Q:
    free = WarehouseStock.objects.filter(
        stockrecord__product__is_public=True,
        stockrecord__partner_id__in=partner_ids,
        warehouse_id__in=warehouse_ids,
        num_in_stock__gt=F("num_allocated"),
    )
    return own_or_variant_exists(free, "stockrecord__product")


def attribute_value_match(values: Iterable[str]) -> Q:
    """Attribute values equal to any of ``values``, given as text whatever the attribute's type.

    Text and option names compare case-insensitively (a multi-option value matches when one of
    its options does); numbers as numbers; yes/no as ``1``/``0``, ``true``/``false`` or
    ``yes``/``no``. A value row only has the column of its own type filled, so the alternatives
    never collide.
    """
    q = Q(pk__in=[])
    for value in values:
        q |= (
            Q(value_text__iexact=value)
            | Q(value_option__option__iexact=value)
            | Q(value_multi_option__option__iexact=value)
        )
        if _INT.fullmatch(value):
            q |= Q(value_integer=int(value))
        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError):
            number = None
        if number is not None and number.is_finite():
            q |= Q(value_float=float(number))
        if value.lower() in _TRUE:
            q |= Q(value_boolean=True)
        elif value.lower() in _FALSE:
            q |= Q(value_boolean=False)
    return q


def attribute_condition(code: str, values: Iterable[str]) -> Q:
    """The product or one of its public variants has attribute ``code`` equal to one of
    ``values`` (see :func:`attribute_value_match`)."""
    matching = ProductAttributeValue.objects.filter(
        product__is_public=True, attribute__code=code
    ).filter(attribute_value_match(values))
    return own_or_variant_exists(matching)
