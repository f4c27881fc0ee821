"""Facets, filters, sorting and product cards shared by the category, index and search pages.

A listing takes a storefront-scoped product queryset and the request's query string
(``f_<attribute code>=value`` repeated, ``in_stock=1``, ``sort=...``) and answers with the filtered
queryset, the facet counts and the cards of one page. Every step is a fixed number of queries,
whatever the number of products on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
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

from .queries import (
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
    ):
        self.storefront = storefront
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
            rows.values(
                "attribute__code",
                "attribute__name",
                "attribute__type",
                "value_text",
                "value_integer",
                "value_float",
                "value_boolean",
                "value_option__option",
            )
            .annotate(n=Count("top_id", distinct=True))
            .order_by()
        )

    @property
    def facets(self) -> list[Facet]:
        if not hasattr(self, "_facets"):
            self._facets = self._build_facets()
        return self._facets

    def _build_facets(self) -> list[Facet]:
        # Values of one attribute are OR-ed, so its counts ignore its own selection: one query for
        # all unselected attributes plus one per attribute with a selection.
        rows = [
            r
            for r in self._value_counts(self.filtered())
            if r["attribute__code"] not in self.selected
        ]
        for code in self.selected:
            rows += self._value_counts(self.filtered(except_code=code), code)
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

    def _selected_folded(self, code: str) -> set[str]:
        # Filters match case-insensitively (see queries.attribute_value_match): so does selection.
        return {_folded(v) for v in self.selected.get(code, [])}

    def in_stock_count(self) -> int:
        return self.filtered(with_stock=False).filter(in_stock_condition(self.storefront)).count()

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
        qs = self.filtered()
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
        images = product.images.all()
        brand = next(
            (
                str(v.value_as_text)
                for v in product.attribute_values.all()  # prefetched: the brand value only
                if v.attribute.code == BRAND_CODE
            ),
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


def card_queryset(qs: QuerySet[Product], storefront: Storefront) -> QuerySet[Product]:
    """Everything a product card reads, prefetched: a page costs the same queries at any size."""
    brand = Prefetch(
        "attribute_values",
        queryset=ProductAttributeValue.objects.filter(attribute__code=BRAND_CODE).select_related(
            "attribute", "value_option"
        ),
    )
    return with_purchase_info(qs, storefront).prefetch_related("images", brand)
