"""The one place the storefront reads prices: the compiled table, for one buyer, in bulk.

:class:`PriceResolver` belongs to a request's strategy. ``prime(ids)`` loads the tier tables of
many products in one indexed query (the company's own rows, else its segment's, else the
storefront's); anything asked later that was not primed is loaded on its own. Listing, product
page, cart, checkout, the API and the plugins all price through the strategy, and so through this.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from .compiler import segment_key
from .engine import StoredTier, Tier
from .models import CustomerGroup, EffectivePrice, PricingState

SEGMENT_KEY = "pipit:pricing:segment:%s"
DAY_KEY = "pipit:pricing:day:%s"
CHECK_KEY = "pipit:pricing:check:%s"


def company_segment(company) -> str:
    """The company's customer groups as a segment key, cached (dropped when membership changes)."""
    if company is None:
        return ""
    key = SEGMENT_KEY % company.pk
    segment = cache.get(key)
    if segment is None:
        groups = CustomerGroup.companies.through.objects.filter(company_id=company.pk).values_list(
            "customergroup_id", flat=True
        )
        segment = segment_key(groups)
        cache.set(key, segment, 24 * 3600)
    return segment


def forget_company_segments(company_ids: Iterable[int]) -> None:
    cache.delete_many([SEGMENT_KEY % pk for pk in company_ids])


def forget_compiled_day(storefront_id: int) -> None:
    cache.delete_many([DAY_KEY % storefront_id, CHECK_KEY % storefront_id])


def ensure_current(storefront) -> None:
    """Start the day's recompile if the prices were compiled for an earlier day.

    Rules, lists and rows have validity dates, so yesterday's table can be wrong today. Production
    runs :func:`pipit.pricing.tasks.roll_over` from Celery beat; this catches the laptop demo and
    any installation without beat, once per storefront per few minutes, without a query on a
    warm request.
    """
    if storefront is None or not getattr(settings, "PIPIT_PRICING_LAZY_ROLLOVER", True):
        return
    today = timezone.localdate()
    compiled = cache.get(DAY_KEY % storefront.pk)
    if compiled == today.isoformat():
        return
    if not cache.add(CHECK_KEY % storefront.pk, 1, 600):
        return
    state = PricingState.objects.filter(storefront_id=storefront.pk).first()
    if state is None:
        return  # nothing was ever compiled here: prices are the partners' base prices
    if state.compiled_on is not None and state.compiled_on >= today:
        cache.set(DAY_KEY % storefront.pk, state.compiled_on.isoformat(), 3600)
        return
    from .tasks import roll_over

    roll_over.delay(storefront.pk)


class PriceResolver:
    """Tier tables for one buyer (or anonymous visitor) on one storefront."""

    def __init__(self, storefront, company=None):
        self.storefront = storefront
        self.company = company
        self._tables: dict[int, list[Tier] | None] = {}
        self._segment: str | None = None

    @property
    def segment(self) -> str:
        if self._segment is None:
            self._segment = company_segment(self.company)
        return self._segment

    def prime(self, product_ids: Iterable[int]) -> None:
        """Load the tier tables of these products (those not loaded yet) in one query."""
        missing = {pid for pid in product_ids if pid not in self._tables}
        if not missing or self.storefront is None:
            return
        ensure_current(self.storefront)
        rows = EffectivePrice.objects.filter(
            storefront_id=self.storefront.pk, product_id__in=missing
        )
        if self.company is not None:
            segments = {"", self.segment}
            rows = rows.filter(
                Q(company_id=self.company.pk) | Q(company_id__isnull=True, segment__in=segments)
            )
        else:
            rows = rows.filter(company_id__isnull=True, segment="")
        found: dict[int, tuple[int, list[Tier]]] = {}
        # The steps as stored (JSON text), decoded only if read: listings never read them.
        rows = rows.annotate(steps_text=Cast("steps", TextField()))
        for product_id, company_id, segment, min_quantity, price, base, steps in rows.values_list(
            "product_id",
            "company_id",
            "segment",
            "min_quantity",
            "price",
            "base_price",
            "steps_text",
        ):
            # Most specific first: the company's rows, its segment's, the storefront's.
            rank = 0 if company_id is not None else (1 if segment else 2)
            current = found.get(product_id)
            if current is None or rank < current[0]:
                found[product_id] = (rank, [])
                current = found[product_id]
            elif rank > current[0]:
                continue
            current[1].append(StoredTier(min_quantity, price, base, steps))
        for pid in missing:
            entry = found.get(pid)
            if entry is None:
                self._tables[pid] = None
            else:
                self._tables[pid] = sorted(entry[1], key=lambda t: t.min_quantity)

    def tiers(self, product_id: int) -> list[Tier] | None:
        """The product's tier table; ``None`` when the product has no compiled prices (yet)."""
        if product_id not in self._tables:
            self.prime([product_id])
        return self._tables.get(product_id)

    def sort_expressions(self) -> list[Subquery]:
        """Subqueries giving a product's (or its cheapest variant's) price from one unit, most
        specific level first, for ``Coalesce`` when a listing is sorted by price."""
        if self.storefront is None:
            return []
        from oscar.apps.catalogue.models import Product

        rows = EffectivePrice.objects.filter(storefront_id=self.storefront.pk).order_by(
            "min_quantity", "price"
        )
        levels = [Q(company_id__isnull=True, segment="")]
        if self.company is not None:
            levels.insert(0, Q(company_id__isnull=True, segment=self.segment))
            levels.insert(0, Q(company_id=self.company.pk))
        # Per level the product's own rows, then its variants' (a parent has no rows of its own;
        # a standalone product no variants): two subqueries on indexed columns, where one on
        # "own or a variant's" makes PostgreSQL scan the level's rows for every product.
        variants = Product.objects.filter(parent_id=OuterRef(OuterRef("pk"))).values("pk")
        found = []
        for level in levels:
            at_level = rows.filter(level)
            found.append(Subquery(at_level.filter(product_id=OuterRef("pk")).values("price")[:1]))
            found.append(Subquery(at_level.filter(product_id__in=variants).values("price")[:1]))
        return found

    def forget(self) -> None:
        self._tables.clear()


def uncompiled_tiers(price: Decimal) -> list[Tier]:
    """The partner's base price as a one-tier table: used for products not compiled yet (just
    added, before their compile job ran)."""
    return [Tier(1, price, price, [["b", str(price)]])]
