"""Facets, filters, sorting and product cards shared by the category, index and search pages.

A listing takes a storefront-scoped product queryset and the request's query string
(``f_<attribute code>=value`` repeated, ``in_stock=1``, ``sort=...``) and answers with the filtered
queryset, the facet counts and the cards of one page. Every step is a fixed number of queries,
whatever the number of products on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from oscar.apps.catalogue.models import (
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductImage,
)

from pipit.oscar_apps.partner.models import StockRecord
from pipit.tenancy.models import Storefront

from .listing_cache import TIMEOUT as LISTING_TIMEOUT
from .listing_cache import ListingEntry, catalog_version, listing_key
from .queries import (
    IdList,
    attach_offers,
    attribute_condition,
    in_stock_condition,
    public_variants,
    purchase_info,
    with_purchase_info,
)

FILTER_PREFIX = "f_"
BRAND_CODE = "brand"
FACET_TYPES = [
    ProductAttribute.OPTION,
    ProductAttribute.TEXT,
    ProductAttribute.INTEGER,
    ProductAttribute.FLOAT,
    ProductAttribute.BOOLEAN,
]
#: Longer text values are descriptions, not something to filter by.
MAX_FACET_VALUE_LENGTH = 60
MAX_FACET_VALUES = 30
# Each selected attribute costs a subquery and a facet query: bound what a URL can ask for.
MAX_SELECTED_ATTRIBUTES = 10
MAX_SELECTED_VALUES = 30
#: Up to this many products (a category, a search), a listing loads the ids of its products once,
#: in sort order and flagged with their stock and the selected filters, and answers its counts,
#: facets and page from them: a fixed handful of queries, each on these products only. A larger
#: set (the whole catalog) is counted and faceted by queries over the filtered set instead.
MAX_MATERIALIZED = 1000
_VALUE_COLUMNS = (
    "attribute__code",
    "attribute__name",
    "attribute__type",
    "value_text",
    "value_integer",
    "value_float",
    "value_boolean",
    "value_option__option",
)

SORTS = {
    "title": (_("Name, A to Z"), ["title", "pk"]),
    "-title": (_("Name, Z to A"), ["-title", "-pk"]),
    "price": (_("Price, low to high"), [F("sort_price").asc(nulls_last=True), "title", "pk"]),
    "-price": (_("Price, high to low"), [F("sort_price").desc(nulls_last=True), "title", "pk"]),
    "relevance": (_("Relevance"), ["search_rank", "pk"]),
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    code: str
    name: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def has_selection(self) -> bool:
        return any(v.selected for v in self.values)


@dataclass
class ProductCard:
    """What a product tile shows: the product with its price and stock for this buyer.

    The catalog listings and the CMS carousels build these with :func:`product_cards` and render
    them with ``catalog/_card.html``.
    """

    product: Product
    info: object  # Oscar PurchaseInfo
    url: str
    image: ProductImage | None
    sku: str
    brand: str
    variant_count: int

    @property
    def prices_hidden(self) -> bool:
        return getattr(self.info.price, "hidden", False)


def _to_key(row: dict) -> tuple[str, str] | None:
    """(value, label) of an aggregated attribute value row, or None for an unusable value."""
    kind = row["attribute__type"]
    if kind == ProductAttribute.OPTION:
        value = row["value_option__option"]
    elif kind == ProductAttribute.TEXT:
        value = row["value_text"]
    elif kind == ProductAttribute.INTEGER:
        value = None if row["value_integer"] is None else str(row["value_integer"])
    elif kind == ProductAttribute.FLOAT:
        value = None if row["value_float"] is None else repr(row["value_float"])
    elif kind == ProductAttribute.BOOLEAN:
        if row["value_boolean"] is None:
            return None
        yes = pgettext_lazy("Product attribute value", "Yes")
        no = pgettext_lazy("Product attribute value", "No")
        return ("1", str(yes)) if row["value_boolean"] else ("0", str(no))
    else:
        return None
    if value in (None, "") or len(value) > MAX_FACET_VALUE_LENGTH:
        return None
    return value, value


class Listing:
    """A filtered, faceted, sorted page of products. Build it in a view:

    ``listing = Listing(request, products_for_storefront(sf))`` then read ``facets``,
    ``page_products(page)`` and ``url_with(...)``.
    """

    def __init__(
        self,
        storefront: Storefront,
        strategy,
        products: QuerySet[Product],
        params: QueryDict,
        *,
        default_sort: str = "title",
        sorts: tuple[str, ...] = ("title", "-title", "price", "-price"),
        cache_as: str | None = None,
    ):
        """``cache_as`` names what ``products`` are (``"category:12"``) when they are a function
        of the catalog alone: the listing's ids, stock flags, counts and facet counts are then
        shared through the cache (:mod:`~pipit.catalog.listing_cache`) by every visitor of the
        storefront until the catalog changes."""
        self.storefront = storefront
        self.cache_as = cache_as
        self.strategy = strategy
        self.base = products
        self.params = params
        self.selected: dict[str, list[str]] = {}
        for key in params:
            if key.startswith(FILTER_PREFIX) and len(key) > len(FILTER_PREFIX):
                values = [v for v in params.getlist(key) if v][:MAX_SELECTED_VALUES]
                if values and len(self.selected) < MAX_SELECTED_ATTRIBUTES:
                    self.selected[key[len(FILTER_PREFIX) :]] = values
        self.in_stock = params.get("in_stock") == "1"
        if not getattr(strategy, "prices_visible", True):
            # Sorting by a price the visitor may not see would leak the price order.
            sorts = tuple(s for s in sorts if "price" not in s)
        self.sort_choices = [(key, SORTS[key][0]) for key in sorts]
        sort = params.get("sort", default_sort)
        self.sort = sort if sort in sorts else default_sort

    @cached_property
    def _entry(self) -> ListingEntry:
        if self.cache_as is None:
            return ListingEntry(None)
        selected = tuple(sorted((code, tuple(values)) for code, values in self.selected.items()))
        # The price sort reads ids in pk order (the buyer's prices order the page's own query).
        order = "pk" if "price" in self.sort else self.sort
        return ListingEntry(listing_key(self.storefront, self.cache_as, selected, order))

    # -- filtering ------------------------------------------------------------------------------
    def filtered(self, *, except_code: str | None = None, with_stock: bool = True) -> QuerySet:
        qs = self.base
        for code, values in self.selected.items():
            if code == except_code:
                continue
            qs = qs.filter(attribute_condition(code, values))
        if self.in_stock and with_stock:
            qs = qs.filter(in_stock_condition(self.storefront))
        return qs

    # -- facets ---------------------------------------------------------------------------------
    def _value_counts(self, products: QuerySet, code: str | None = None) -> list[dict]:
        rows = (
            ProductAttributeValue.objects.filter(attribute__type__in=FACET_TYPES)
            .annotate(top_id=Coalesce("product__parent_id", "product_id"))
            .filter(top_id__in=products.values("pk"))
        )
        if code is not None:
            rows = rows.filter(attribute__code=code)
        return list(
            rows.values(*_VALUE_COLUMNS).annotate(n=Count("top_id", distinct=True)).order_by()
        )

    def _materialized_value_counts(self, rows: list[tuple]) -> list[dict]:
        """What :meth:`_value_counts` answers for the filtered set (and, for each selected
        attribute, for the set filtered by the other attributes), from one query on the values of
        the materialized products and their variants (and one for the variants' ids)."""
        tops = [row[0] for row in rows]
        # The variants first, then the values of the products and their variants by product id:
        # two index lookups (one query joining values to products scans all values of the
        # catalog). Listed products are top-level (``browsable``): a value counts for its
        # product's parent, else for the product.
        parents = dict(
            Product.objects.filter(parent_id__in=IdList(tops))
            .values_list("pk", "parent_id")
            .order_by()
        )
        values = (
            ProductAttributeValue.objects.filter(attribute__type__in=FACET_TYPES)
            .filter(product_id__in=IdList([*tops, *parents]))
            .values_list("product_id", *_VALUE_COLUMNS)
            .order_by()
        )
        groups: dict[tuple, set[int]] = {}
        for product_id, *key in values:
            groups.setdefault(tuple(key), set()).add(parents.get(product_id, product_id))
        scopes = {None: set(self._matching_ids(rows))}
        for index, code in enumerate(self.selected):
            scopes[code] = set(self._matching_ids(rows, except_index=index))
        counts = []
        for key, members in groups.items():
            code = key[0]
            n = len(members & scopes[code if code in self.selected else None])
            if n:
                counts.append({**dict(zip(_VALUE_COLUMNS, key, strict=True)), "n": n})
        return counts

    @property
    def facets(self) -> list[Facet]:
        if not hasattr(self, "_facets"):
            self._facets = self._build_facets()
        return self._facets

    def _build_facets(self) -> list[Facet]:
        # Values of one attribute are OR-ed, so its counts ignore its own selection: one query for
        # all unselected attributes plus one per attribute with a selection (or one query in all
        # for a materialized listing).
        rows = self._entry.get(f"facets:{self.in_stock}", self._facet_rows)
        facets: dict[str, Facet] = {}
        counts: dict[tuple[str, str], list] = {}
        for row in rows:
            key = _to_key(row)
            if key is None:
                continue
            code = row["attribute__code"]
            facet = facets.setdefault(code, Facet(code=code, name=row["attribute__name"]))
            if (code, key[0]) in counts:
                counts[(code, key[0])][1] += row["n"]
            else:
                counts[(code, key[0])] = [key[1], row["n"], facet]
        for (code, value), (label, n, facet) in counts.items():
            selected = _folded(value) in self._selected_folded(code)
            facet.values.append(
                FacetValue(value, label, n, selected, self.toggle_url(code, value, selected))
            )
        # Selected values stay visible even when nothing matches them any more.
        for code, values in self.selected.items():
            facet = facets.get(code)
            if facet is None:
                continue
            present = {_folded(v.value) for v in facet.values}
            for value in values:
                if _folded(value) not in present:
                    facet.values.append(
                        FacetValue(value, value, 0, True, self.toggle_url(code, value, True))
                    )
        for facet in facets.values():
            facet.values.sort(key=_facet_value_order)
            if len(facet.values) > MAX_FACET_VALUES:
                keep = sorted(facet.values, key=lambda v: (not v.selected, -v.count))
                keep = keep[:MAX_FACET_VALUES]
                facet.values = sorted(keep, key=_facet_value_order)
        ordered = sorted(facets.values(), key=lambda f: (f.code != BRAND_CODE, str(f.name).lower()))
        if BRAND_CODE in facets:
            facets[BRAND_CODE].name = _("Brand")
        return ordered

    def _facet_rows(self) -> list[dict]:
        materialized = self._materialized()
        if materialized is not None:
            return self._materialized_value_counts(materialized)
        rows = [
            r
            for r in self._value_counts(self.filtered())
            if r["attribute__code"] not in self.selected
        ]
        for code in self.selected:
            rows += self._value_counts(self.filtered(except_code=code), code)
        return rows

    def _selected_folded(self, code: str) -> set[str]:
        # Filters match case-insensitively (see queries.attribute_value_match): so does selection.
        return {_folded(v) for v in self.selected.get(code, [])}

    def in_stock_count(self) -> int:
        materialized = self._materialized()
        if materialized is not None:
            return sum(1 for row in materialized if row[1] and all(row[2:]))
        return self._entry.get(
            "in_stock_count",
            lambda: (
                self.filtered(with_stock=False).filter(in_stock_condition(self.storefront)).count()
            ),
        )

    # -- materialized ids -----------------------------------------------------------------------
    def _materialized(self) -> list[tuple] | None:
        """``(pk, in stock, matches selected filter 1, 2, ...)`` of every base product in sort
        order (by pk for a price sort; one query), or None when there are more than
        :data:`MAX_MATERIALIZED`."""
        if not hasattr(self, "_rows"):
            self._rows = self._entry.get("rows", self._read_rows)
        return self._rows

    def _read_rows(self) -> list[tuple] | None:
        flags = {"listing_in_stock": in_stock_condition(self.storefront)}
        for index, (code, values) in enumerate(self.selected.items()):
            flags[f"listing_filter_{index}"] = attribute_condition(code, values)
        # A price order is left to the page's own query (LIMIT 24): sorting every product
        # by the buyer's price subqueries here costs more than PostgreSQL's JIT threshold.
        order = self._ordered if "price" not in self.sort else lambda qs: qs.order_by("pk")
        qs = order(
            self.base.annotate(
                **{
                    name: ExpressionWrapper(q, output_field=BooleanField())
                    for name, q in flags.items()
                }
            )
        )
        rows = list(qs.values_list("pk", *flags)[: MAX_MATERIALIZED + 1])
        return rows if len(rows) <= MAX_MATERIALIZED else None

    def _matching_ids(self, rows: list[tuple], except_index: int | None = None) -> list[int]:
        """Ids of ``rows`` passing the filters (all but the ``except_index``-th selected one)."""
        in_stock = self.in_stock
        return [
            row[0]
            for row in rows
            if (row[1] or not in_stock)
            and all(flag for index, flag in enumerate(row[2:]) if index != except_index)
        ]

    # -- urls -----------------------------------------------------------------------------------
    def url_with(self, **changes) -> str:
        """The current query string with some parameters replaced (None removes), page reset."""
        params = self.params.copy()
        params.pop("page", None)
        for key, value in changes.items():
            params.pop(key, None)
            if value not in (None, ""):
                params[key] = value
        return "?" + params.urlencode() if params else "?"

    def toggle_url(self, code: str, value: str, selected: bool) -> str:
        params = self.params.copy()
        params.pop("page", None)
        key = FILTER_PREFIX + code
        values = [v for v in params.getlist(key) if _folded(v) != _folded(value)]
        if not selected:
            values.append(value)
        params.setlist(key, values)
        return "?" + params.urlencode() if params else "?"

    @property
    def clear_url(self) -> str:
        keep = {k: self.params[k] for k in ("q", "sort") if self.params.get(k)}
        return "?" + urlencode(keep)

    @property
    def in_stock_url(self) -> str:
        return self.url_with(in_stock=None if self.in_stock else "1")

    def page_url(self, number: int) -> str:
        params = self.params.copy()
        params["page"] = str(number)
        return "?" + params.urlencode()

    @property
    def sort_options(self) -> list[tuple[str, str, bool]]:
        return [
            (self.url_with(sort=key), label, key == self.sort) for key, label in self.sort_choices
        ]

    @property
    def is_filtered(self) -> bool:
        return bool(self.selected) or self.in_stock

    # -- products -------------------------------------------------------------------------------
    def sorted_products(self) -> QuerySet[Product]:
        return self._ordered(self.filtered())

    def page(self, number, per_page: int) -> tuple[Page, list[Product]]:
        """Page ``number`` (out of range: the last) and its products, loaded for cards."""
        materialized = self._materialized()
        if materialized is None:
            paginator = Paginator(self.sorted_products(), per_page)
            # A cached_property: the count from the cache spares the COUNT over the catalog.
            paginator.count = self._entry.get(f"count:{self.in_stock}", lambda: paginator.count)
            page = paginator.get_page(number)
            products = load_card_products(list(page.object_list), self.storefront)
            page.object_list = products
            return page, products
        # The count is already known: no COUNT query, and the page loads by primary key.
        page = Paginator(self._matching_ids(materialized), per_page).get_page(number)
        if "price" in self.sort:
            bottom = (page.number - 1) * per_page
            top = bottom + len(page.object_list)
            products = list(self.sorted_products()[bottom:top]) if top > bottom else []
            products = load_card_products(products, self.storefront)
            page.object_list = products
            return page, products
        products = card_products(list(page.object_list), self.storefront)
        page.object_list = products
        return page, products

    def _ordered(self, qs: QuerySet[Product]) -> QuerySet[Product]:
        if "price" in self.sort:
            sf = self.storefront
            offers = StockRecord.objects.filter(
                partner_id__in=sf.partner_ids, price__isnull=False, product__is_public=True
            ).order_by("price")
            # A standalone product's own offer, else a parent's cheapest variant's (two subqueries,
            # each on an indexed column: see queries.own_or_variant_exists).
            cheapest = [
                Subquery(offers.filter(product_id=OuterRef("pk")).values("price")[:1]),
                Subquery(offers.filter(product__parent_id=OuterRef("pk")).values("price")[:1]),
            ]
            # The buyer's own prices (contract, group, rules) order the list; the partner's base
            # price only where nothing is compiled.
            prices = getattr(self.strategy, "prices", None)
            ordering = [*prices.sort_expressions(), *cheapest] if prices else cheapest
            qs = qs.annotate(sort_price=Coalesce(*ordering))
        return qs.order_by(*SORTS[self.sort][1])

    def cards(self, products: list[Product]) -> list[ProductCard]:
        """Cards for one page of products, priced through the request's strategy."""
        return product_cards(products, self.strategy)


def product_cards(products: list[Product], strategy) -> list[ProductCard]:
    """Cards for products loaded through :func:`card_queryset`, priced by ``strategy``; reads
    only prefetched data (and the buyer's prices of the whole page, in one query)."""
    strategy.prime(products)
    cards = []
    for product in products:
        info = purchase_info(strategy, product)
        record = info.stockrecord
        # Lists from load_card_products, else the prefetches of card_queryset.
        images = getattr(product, "_card_images", None)
        if images is None:
            images = product.images.all()
        values = getattr(product, "_card_brand_values", None)
        if values is None:
            values = product.attribute_values.all()  # prefetched: the brand value only
        brand = next(
            (str(v.value_as_text) for v in values if v.attribute.code == BRAND_CODE),
            "",
        )
        cards.append(
            ProductCard(
                product=product,
                info=info,
                url=product.get_absolute_url(),
                image=images[0] if images else None,
                sku=record.partner_sku if record else "",
                brand=brand,
                variant_count=len(public_variants(product)),
            )
        )
    return cards


def _folded(value: str) -> str:
    return value.casefold()


def _facet_value_order(value: FacetValue):
    try:
        return (0, float(value.value), "")
    except ValueError:
        return (1, 0.0, value.label.lower())


def _brand_prefetch(to_attr: str | None = None) -> Prefetch:
    return Prefetch(
        "attribute_values",
        queryset=ProductAttributeValue.objects.filter(attribute__code=BRAND_CODE).select_related(
            "attribute", "value_option"
        ),
        to_attr=to_attr,
    )


def load_card_products(products: list[Product], storefront: Storefront) -> list[Product]:
    """Prefetch onto loaded products what :func:`card_queryset` does, in six queries rather than
    eight: the offers (and their stock) of the products and of their public variants are read
    together, not one level after the other.

    The public variants, images and brand values are set as lists (``to_attr``), which only the
    cards read: Django builds no per-product queryset for them (a filtered queryset clone per
    product and relation was ~10 ms of a 24-product page). The variants go where Oscar's
    ``get_public_children()`` and the strategy look first."""
    _catalog_prefetches(products)
    variants = [child for product in products for child in product._prefetched_public_children]
    attach_offers([*products, *variants], storefront)
    return products


def _catalog_prefetches(products: list[Product]) -> None:
    """What a card shows of the catalog: public variants, images, the brand (lists, see
    :func:`load_card_products`)."""
    prefetch_related_objects(
        products,
        Prefetch(
            "children",
            queryset=Product.objects.filter(is_public=True),
            to_attr="_prefetched_public_children",
        ),
        Prefetch("images", queryset=ProductImage.objects.all(), to_attr="_card_images"),
        _brand_prefetch(to_attr="_card_brand_values"),
    )


def card_products(ids: list[int], storefront: Storefront) -> list[Product]:
    """The products ``ids`` (in that order, missing ones left out) ready for
    :func:`product_cards`, as :func:`load_card_products` gives them.

    What they show of the catalog (the product, its public variants, images and brand) is the
    same for every buyer and changes only with the catalog: it is kept in Django's cache per
    product and catalog version (see :mod:`~pipit.catalog.listing_cache`), so a page of a
    listing reads it with one ``get_many``. The offers and stock, which change with every
    order, are read from the database on every request, as the prices are.
    """
    version = catalog_version()
    keys = {pid: card_product_key(pid, version) for pid in ids}
    found = cache.get_many(list(keys.values()))
    products = {pid: found[key] for pid, key in keys.items() if key in found}
    missing = [pid for pid in ids if pid not in products]
    if missing:
        loaded = list(Product.objects.filter(pk__in=IdList(missing)).order_by())
        _catalog_prefetches(loaded)
        cache.set_many({keys[p.pk]: p for p in loaded}, LISTING_TIMEOUT)
        products.update((p.pk, p) for p in loaded)
    ordered = [products[pid] for pid in ids if pid in products]
    variants = [child for product in ordered for child in product._prefetched_public_children]
    attach_offers([*ordered, *variants], storefront)
    return ordered


def card_product_key(product_id: int, version: int) -> str:
    """The cache key of a product's card data at catalog ``version``."""
    return f"pipit:card-product:{version}:{product_id}"


def card_queryset(qs: QuerySet[Product], storefront: Storefront) -> QuerySet[Product]:
    """Everything a product card reads, prefetched: a page costs the same queries at any size."""
    return with_purchase_info(qs, storefront).prefetch_related("images", _brand_prefetch())
