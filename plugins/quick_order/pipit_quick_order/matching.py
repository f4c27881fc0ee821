"""Matching an order list to the storefront's products, priced for the buyer, in fixed queries.

:func:`match_lines` takes the parsed lines and answers, for each, what a buyer needs to decide:
the product with its price and stock per warehouse, or why not (out of stock until a date, not
enough stock, no such SKU with look-alike SKUs, several products with that code, an unreadable
line), with analogs where the product cannot be had. The number of queries does not depend on the
number of lines: SKUs, aliases, products with their prices and stock, and analogs are each loaded
in one go for the whole list, and the storefront's SKU list for the look-alike suggestions comes
from the cache.
"""

from __future__ import annotations

import datetime
import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.cache import cache
from django.db.models import F, Func, Value
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.apps.catalogue.models import Product
from pipit.catalog.analogs import analogs_for
from pipit.catalog.queries import purchasable_for_storefront, purchase_info, with_purchase_info
from pipit.oscar_apps.partner.models import StockRecord
from pipit.tenancy.models import Storefront

from .models import SkuAlias
from .parsing import InputLine, normalise_sku

#: How long the storefront's SKU list for the look-alike suggestions is kept (seconds). New
#: products are matched at once (exact matches read the database); they join the suggestions
#: within this time.
SKU_INDEX_TIMEOUT = 300
SUGGESTIONS = 3
ANALOGS = 3
# difflib similarity from which a SKU counts as a look-alike ("15208-65F0F" for "15208-65F0E").
_SIMILARITY = 0.75
# Look-alikes are scored only among the SKUs sharing the most character trigrams with the
# unknown one, so a 500-line list against thousands of SKUs stays fast.
_TRIGRAM_SHORTLIST = 40


class Status(StrEnum):
    OK = "ok"
    OUT_OF_STOCK = "out_of_stock"
    SHORT = "short"  # in stock, but less than asked
    UNAVAILABLE = "unavailable"  # no price or offer for this buyer
    UNMATCHED = "unmatched"
    AMBIGUOUS = "ambiguous"
    BAD = "bad"  # the line cannot be read
    MERGED = "merged"  # the same product as an earlier line: counted there


STATUS_LABELS = {
    Status.OK: gettext_lazy("Ready"),
    Status.OUT_OF_STOCK: gettext_lazy("Out of stock"),
    Status.SHORT: gettext_lazy("Not enough stock"),
    Status.UNAVAILABLE: gettext_lazy("Not available"),
    Status.UNMATCHED: gettext_lazy("Not found"),
    Status.AMBIGUOUS: gettext_lazy("Choose a product"),
    Status.BAD: gettext_lazy("Cannot read the line"),
    Status.MERGED: gettext_lazy("Added to an earlier line"),
}


@dataclass
class Offer:
    """A product as the buyer sees it here: code, title, page, price and stock per warehouse."""

    product: Product
    sku: str
    title: str
    url: str
    price: object  # an Oscar price: .exists, .excl_tax, .incl_tax, .currency
    availability: object  # an Oscar availability: .is_available_to_buy, .message
    levels: list  # pipit.pricing.strategy.WarehouseLevel
    restock_date: datetime.date | None
    num_available: int | None

    @property
    def pk(self) -> int:
        return self.product.pk


@dataclass
class MatchedLine:
    line: InputLine
    status: Status
    offer: Offer | None = None
    quantity: int | None = None  # the quantity to add (merged lines summed)
    message: str = ""
    via_alias: str = ""  # the buyer's alias that found the product
    candidates: list[Offer] = field(default_factory=list)  # ambiguous: pick one
    suggestions: list[Offer] = field(default_factory=list)  # unmatched: look-alike SKUs
    analogs: list[Offer] = field(default_factory=list)
    merged_into: int | None = None  # the line number this one was added to
    merged_from: list[InputLine] = field(default_factory=list)  # later lines added to this one

    @property
    def is_good(self) -> bool:
        return self.status == Status.OK

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def kept_quantity(self) -> str:
        """The quantity the buyer wrote ("" if none), kept when they pick another product."""
        return str(self.line.quantity) if self.line.quantity_given and self.line.quantity else ""

    @property
    def quantities(self) -> list[int]:
        """This line's quantity and those merged into it, as written."""
        return [q for q in [self.line.quantity, *(m.quantity for m in self.merged_from)] if q]


@dataclass
class MatchResult:
    lines: list[MatchedLine]
    header: str = ""

    @property
    def good(self) -> list[MatchedLine]:
        return [m for m in self.lines if m.is_good]

    @property
    def problems(self) -> list[MatchedLine]:
        return [m for m in self.lines if not m.is_good and m.status != Status.MERGED]

    @property
    def good_quantity(self) -> int:
        return sum(m.quantity or 0 for m in self.good)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for m in self.lines:
            counts[m.status.value] += 1
        return dict(counts)


# -- lookups ---------------------------------------------------------------------------------


# What normalise_sku drops, for the SQL side: spaces of the kinds spreadsheets and ERPs write,
# and every dash.
_SQL_IGNORED = (" ", "\t", "\u00a0", "-", *map(chr, range(0x2010, 0x2016)), "\u2212")


def _normalised(field_name: str) -> Func:
    """The SQL twin of :func:`normalise_sku`."""
    expression = Upper(F(field_name))
    for character in _SQL_IGNORED:
        expression = Func(expression, Value(character), Value(""), function="REPLACE")
    return expression


def _sql_keys(keys: set[str]) -> list[str]:
    # SQLite's UPPER() changes ASCII letters only: a lower-case Cyrillic SKU stays lower case
    # there, so such keys are looked up in lower case too (PostgreSQL needs none of this).
    return sorted(keys | {k.lower() for k in keys if not k.isascii()})


def exact_matches(storefront: Storefront, keys: Iterable[str]) -> dict[str, set[int]]:
    """Normalised SKU → ids of purchasable products with that partner SKU (an offer of one of
    the storefront's partners) or UPC. Two queries for any number of keys."""
    keys = {k for k in keys if k}
    found: dict[str, set[int]] = defaultdict(set)
    if not keys:
        return found
    sql_keys = _sql_keys(keys)
    purchasable = purchasable_for_storefront(storefront)
    by_sku = (
        StockRecord.objects.filter(
            partner_id__in=storefront.partner_ids, product__in=purchasable.values("pk")
        )
        .annotate(key=_normalised("partner_sku"))
        .filter(key__in=sql_keys)
        .values_list("key", "product_id")
    )
    by_upc = (
        purchasable.exclude(upc__isnull=True)
        .exclude(upc="")
        .annotate(key=_normalised("upc"))
        .filter(key__in=sql_keys)
        .values_list("key", "pk")
    )
    for key, product_id in [*by_sku, *by_upc]:
        found[normalise_sku(key)].add(product_id)
    return found


def alias_matches(storefront: Storefront, company, keys: Iterable[str]) -> dict[str, int]:
    """Normalised alias → product id, for the company's aliases of products still sold here."""
    keys = sorted({k for k in keys if k})
    if company is None or not keys:
        return {}
    rows = SkuAlias.objects.filter(
        company=company,
        normalised__in=keys,
        product__in=purchasable_for_storefront(storefront).values("pk"),
    ).values_list("normalised", "product_id")
    return dict(rows)


def sku_index(storefront: Storefront) -> list[tuple[str, str, int]]:
    """``(normalised SKU, SKU as written, product id)`` for every purchasable product's partner
    SKUs and UPC: the list look-alike suggestions are drawn from. One query, then cached per
    storefront for :data:`SKU_INDEX_TIMEOUT` seconds."""
    cache_key = f"pipit_quick_order:sku_index:{storefront.pk}"
    index = cache.get(cache_key)
    if index is None:
        purchasable = purchasable_for_storefront(storefront)
        rows = (
            StockRecord.objects.filter(
                partner_id__in=storefront.partner_ids, product__in=purchasable.values("pk")
            )
            .values_list("partner_sku", "product_id", "product__upc")
            .order_by("partner_sku")
        )
        seen: set[tuple[str, int]] = set()
        index = []
        for sku, product_id, upc in rows:
            for code in (sku, upc):
                key = normalise_sku(code or "")
                if key and (key, product_id) not in seen:
                    seen.add((key, product_id))
                    index.append((key, code, product_id))
        cache.set(cache_key, index, SKU_INDEX_TIMEOUT)
    return index


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class LookAlikes:
    """Look-alike SKUs for unknown codes, from :func:`sku_index` (no query when cached)."""

    def __init__(self, index: list[tuple[str, str, int]]):
        self.products: dict[str, set[int]] = defaultdict(set)
        self.by_trigram: dict[str, set[str]] = defaultdict(set)
        for key, _code, product_id in index:
            self.products[key].add(product_id)
        for key in self.products:
            for gram in _trigrams(key):
                self.by_trigram[gram].add(key)

    def suggest(self, key: str, limit: int = SUGGESTIONS) -> list[int]:
        """Product ids whose SKU looks like ``key``, most alike first."""
        if not key:
            return []
        shared: dict[str, int] = defaultdict(int)
        for gram in _trigrams(key):
            for candidate in self.by_trigram.get(gram, ()):
                shared[candidate] += 1
        shortlist = sorted(shared, key=lambda k: (-shared[k], k))[:_TRIGRAM_SHORTLIST]
        close = difflib.get_close_matches(key, shortlist, n=limit, cutoff=_SIMILARITY)
        ids: list[int] = []
        for match in close:
            for product_id in sorted(self.products[match]):
                if product_id not in ids:
                    ids.append(product_id)
        return ids[:limit]


# -- offers ----------------------------------------------------------------------------------


def load_offers(storefront: Storefront, strategy, product_ids: Iterable[int]) -> dict[int, Offer]:
    """Offers for the purchasable products ``product_ids``, priced by ``strategy`` (fixed
    queries: the products with their parents, offers and stock)."""
    ids = set(product_ids)
    if not ids:
        return {}
    products = with_purchase_info(
        purchasable_for_storefront(storefront)
        .filter(pk__in=ids)
        .select_related("product_class", "parent", "parent__product_class"),
        storefront,
    )
    products = list(products)
    strategy.prime(products)  # every line's price in one query
    return {p.pk: make_offer(strategy, p) for p in products}


def make_offer(strategy, product: Product) -> Offer:
    info = purchase_info(strategy, product)
    record = info.stockrecord
    levels = strategy.warehouse_levels(record) if record is not None else []
    availability = info.availability
    page = product.parent if product.parent_id else product
    return Offer(
        product=product,
        sku=(record.partner_sku if record is not None else "") or product.upc or "",
        title=product.get_title(),
        url=page.get_absolute_url(),
        price=info.price,
        availability=availability,
        levels=levels,
        restock_date=getattr(availability, "restock_date", None),
        num_available=getattr(availability, "num_available", None),
    )


# -- the whole list --------------------------------------------------------------------------


def match_lines(
    storefront: Storefront, strategy, company, lines: list[InputLine], *, header: str = ""
) -> MatchResult:
    """Match, price and check every line; see the module documentation."""
    keys = set()
    for line in lines:
        keys.add(line.key)
        if line.whole_line_sku:
            keys.add(normalise_sku(line.whole_line_sku))
    keys.discard("")
    exact = exact_matches(storefront, keys)
    aliases = alias_matches(storefront, company, keys - set(exact))

    def found(key: str) -> tuple[set[int], str]:
        if key in exact:
            return exact[key], ""
        if key in aliases:
            return {aliases[key]}, key
        return set(), ""

    # First pass: which product (or products) each line names.
    named: list[tuple[set[int], str]] = []
    for line in lines:
        ids, alias = (set(), "")
        if line.sku:
            ids, alias = found(line.key)
        if not ids and line.whole_line_sku:
            whole_ids, whole_alias = found(normalise_sku(line.whole_line_sku))
            if whole_ids:
                # "0 986 452 041" is one SKU, not SKU "0 986 452" times 41.
                line.sku, line.whole_line_sku = line.whole_line_sku, ""
                line.quantity, line.quantity_given, line.error = 1, False, ""
                ids, alias = whole_ids, whole_alias
        named.append((ids, alias))

    unmatched_keys = {
        line.key for line, (ids, _a) in zip(lines, named, strict=True) if not ids and line.key
    }
    suggestions: dict[str, list[int]] = {}
    if unmatched_keys:
        look_alikes = LookAlikes(sku_index(storefront))
        suggestions = {key: look_alikes.suggest(key) for key in unmatched_keys}

    wanted = {pk for ids, _a in named for pk in ids}
    wanted |= {pk for ids in suggestions.values() for pk in ids}
    offers = load_offers(storefront, strategy, wanted)

    result = MatchResult(lines=[], header=header)
    first_line_of: dict[int, MatchedLine] = {}
    for line, (ids, alias) in zip(lines, named, strict=True):
        ids = {pk for pk in ids if pk in offers}
        if len(ids) > 1 and line.chosen in ids:
            ids = {line.chosen}  # the buyer chose among the products sharing this code
        if line.error:
            result.lines.append(MatchedLine(line, Status.BAD, message=line.error))
        elif len(ids) > 1:
            candidates = sorted((offers[pk] for pk in ids), key=lambda o: (o.sku, o.pk))
            result.lines.append(
                MatchedLine(
                    line,
                    Status.AMBIGUOUS,
                    quantity=line.quantity,
                    candidates=candidates,
                    message=_("Several products have this code: choose one."),
                )
            )
        elif not ids:
            result.lines.append(
                MatchedLine(
                    line,
                    Status.UNMATCHED,
                    quantity=line.quantity,
                    suggestions=[
                        offers[pk] for pk in suggestions.get(line.key, []) if pk in offers
                    ],
                    message=_("No product with this SKU on this storefront."),
                )
            )
        else:
            offer = offers[next(iter(ids))]
            earlier = first_line_of.get(offer.pk)
            if earlier is not None:
                # The same product twice: one cart line with the quantities added up, shown on the
                # first line; this one says where it went.
                earlier.merged_from.append(line)
                earlier.quantity = (earlier.quantity or 0) + (line.quantity or 0)
                result.lines.append(
                    MatchedLine(
                        line,
                        Status.MERGED,
                        offer=offer,
                        quantity=line.quantity,
                        via_alias=alias,
                        merged_into=earlier.line.number,
                    )
                )
                continue
            matched = MatchedLine(
                line, Status.OK, offer=offer, quantity=line.quantity, via_alias=alias
            )
            first_line_of[offer.pk] = matched
            result.lines.append(matched)

    for matched in first_line_of.values():
        _check_stock(matched)
    _attach_analogs(storefront, strategy, result, offers)
    return result


def _check_stock(matched: MatchedLine) -> None:
    """Turn an OK line into out of stock / not enough stock / not available where it is."""
    offer = matched.offer
    availability = offer.availability
    if not availability.is_available_to_buy:
        # Pipit's warehouse availability knows the stock (and the restock date in its message);
        # a plugin's availability may refuse for reasons of its own, told in its message.
        stock_known = offer.num_available is not None
        matched.status = Status.OUT_OF_STOCK if stock_known else Status.UNAVAILABLE
        matched.message = str(availability.message) or _("This product is not available.")
    elif not offer.price.exists:
        matched.status = Status.UNAVAILABLE
        matched.message = _("This product has no price for your company: ask your manager.")
    else:
        permitted, message = availability.is_purchase_permitted(matched.quantity)
        if not permitted:
            matched.status = Status.SHORT
            matched.message = str(message)


_NEEDS_ANALOGS = {Status.OUT_OF_STOCK, Status.SHORT, Status.UNAVAILABLE, Status.UNMATCHED}


def _attach_analogs(
    storefront: Storefront, strategy, result: MatchResult, offers: dict[int, Offer]
) -> None:
    """Analogs of the products that cannot be had, and of the look-alikes of unknown SKUs."""
    wanting: dict[int, Product] = {}
    for matched in result.lines:
        if matched.status not in _NEEDS_ANALOGS:
            continue
        for offer in [matched.offer, *matched.suggestions[:1]]:
            if offer is not None:
                wanting[offer.pk] = offer.product
    if not wanting:
        return
    analogs = analogs_for(storefront, wanting.values(), limit=ANALOGS)
    strategy.prime(p for products in analogs.values() for p in products if p.pk not in offers)
    priced: dict[int, Offer] = {}
    for products in analogs.values():
        for product in products:
            if product.pk not in priced:
                priced[product.pk] = offers.get(product.pk) or make_offer(strategy, product)
    for matched in result.lines:
        if matched.status not in _NEEDS_ANALOGS:
            continue
        source = matched.offer or (matched.suggestions[0] if matched.suggestions else None)
        if source is None:
            continue
        shown = {source.pk, *(s.pk for s in matched.suggestions)}
        matched.analogs = [priced[a.pk] for a in analogs.get(source.pk, []) if a.pk not in shown]


def lines_for_cart(result: MatchResult) -> list[tuple[Product, int]]:
    """``(product, quantity)`` of the good lines, in list order, as they go to the cart."""
    return [(m.offer.product, m.quantity) for m in result.good]
