"""The published terms of a storefront's promotions, as the cart reads them: cached, no query warm.

Oscar loads the site offers of the whole installation for every basket. The condition, the
benefits and the cart hint find the terms of an offer here (one cached list per storefront,
dropped whenever a promotion is published, unpublished or deleted) and refuse any offer of
another storefront, outside its dates or for a buyer outside its audience.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

CACHE_KEY = "pipit:promotions:terms:%s"
CACHE_SECONDS = 3600
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Terms:
    """One published promotion: what it gives, to whom, when, on which products."""

    promotion_id: int
    offer_id: int
    storefront_id: int
    name: str
    description: str
    kind: str
    threshold: Decimal | None
    value: Decimal | None
    buy_quantity: int | None
    free_quantity: int | None
    customer_scope: str
    group_ids: frozenset[int]
    company_ids: frozenset[int]
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    priority: int
    exclusive: bool
    range_id: int | None
    currency: str

    @property
    def is_threshold(self) -> bool:
        return self.kind in ("percent_off", "amount_off")

    @property
    def discount_percent(self) -> Decimal:
        return Decimal("100") if self.kind == "buy_n_get_m" else (self.value or Decimal("0"))

    def valid_on(self, on: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )

    def is_for(self, storefront, company) -> bool:
        """Whether a buyer of ``company`` (``None``: no company) on ``storefront`` may get it."""
        if storefront is None or storefront.pk != self.storefront_id:
            return False
        if self.customer_scope == "all":
            return True
        if company is None:
            return False
        if self.customer_scope == "companies":
            return company.pk in self.company_ids
        return bool(company_groups(company) & self.group_ids)

    def as_json(self) -> dict:
        return {
            "promotion": self.promotion_id,
            "offer": self.offer_id,
            "storefront": self.storefront_id,
            "name": self.name,
            "description": self.description,
            "kind": self.kind,
            "threshold": _str(self.threshold),
            "value": _str(self.value),
            "buy": self.buy_quantity,
            "free": self.free_quantity,
            "customers": self.customer_scope,
            "groups": sorted(self.group_ids),
            "companies": sorted(self.company_ids),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "priority": self.priority,
            "exclusive": self.exclusive,
            "range": self.range_id,
            "currency": self.currency,
        }

    @classmethod
    def from_json(cls, data: dict) -> Terms:
        return cls(
            promotion_id=data["promotion"],
            offer_id=data["offer"],
            storefront_id=data["storefront"],
            name=data["name"],
            description=data.get("description", ""),
            kind=data["kind"],
            threshold=_decimal(data.get("threshold")),
            value=_decimal(data.get("value")),
            buy_quantity=data.get("buy"),
            free_quantity=data.get("free"),
            customer_scope=data.get("customers", "all"),
            group_ids=frozenset(data.get("groups") or ()),
            company_ids=frozenset(data.get("companies") or ()),
            valid_from=_date(data.get("valid_from")),
            valid_to=_date(data.get("valid_to")),
            priority=data.get("priority", 0),
            exclusive=data.get("exclusive", False),
            range_id=data.get("range"),
            currency=data.get("currency", ""),
        )


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def _date(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# -- loading ---------------------------------------------------------------------------------


def live_terms(storefront_id: int) -> dict[int, Terms]:
    """Offer id → terms of the storefront's published promotions (cached; one query cold)."""
    key = CACHE_KEY % storefront_id
    rows = cache.get(key)
    if rows is None:
        from .models import PromotionOffer

        rows = list(
            PromotionOffer.objects.filter(storefront_id=storefront_id, active=True).values_list(
                "terms", flat=True
            )
        )
        cache.set(key, rows, CACHE_SECONDS)
    terms = (Terms.from_json(row) for row in rows)
    return {t.offer_id: t for t in terms}


def forget_terms(storefront_id: int) -> None:
    """Drop the cached terms now and again after the commit (a request racing the transaction
    may have cached the old ones meanwhile)."""
    key = CACHE_KEY % storefront_id
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def terms_for_basket(basket) -> dict[int, Terms]:
    """The terms of the basket's storefront, read once per strategy (one request)."""
    strategy = getattr(basket, "strategy", None)
    storefront = getattr(strategy, "storefront", None)
    if storefront is None:
        return {}
    memo = strategy.__dict__.setdefault("_pipit_promotion_terms", {})
    if storefront.pk not in memo:
        memo[storefront.pk] = live_terms(storefront.pk)
    return memo[storefront.pk]


def offer_terms(offer, basket) -> Terms | None:
    """The terms of ``offer`` if it may apply to this basket now: its storefront, its buyer, today.

    ``None`` for an offer of another storefront, a buyer outside the audience, a date outside the
    validity window, and any offer that is not a Pipit promotion.
    """
    terms = terms_for_basket(basket).get(offer.pk)
    return terms if terms is not None and applies_now(terms, basket) else None


def applies_now(terms: Terms, basket) -> bool:
    """Whether the promotion is for this basket's buyer on its storefront, today."""
    strategy = basket.strategy
    return terms.valid_on(timezone.localdate()) and terms.is_for(
        strategy.storefront, getattr(strategy, "company", None)
    )


def company_groups(company) -> frozenset[int]:
    """The company's customer groups, from the pricing engine's cached segment (no query warm)."""
    from pipit.pricing.compiler import segment_groups
    from pipit.pricing.resolver import company_segment

    return segment_groups(company_segment(company))


# -- the basket ------------------------------------------------------------------------------


def priced_lines(basket) -> list:
    """Lines with a known price including VAT (the only ones promotions count and discount)."""
    lines = []
    for line in basket.all_lines():
        if not line.stockrecord_id:
            continue
        price = line.purchase_info.price
        if not price.exists or not price.is_tax_known:
            continue
        lines.append(line)
    return lines


def goods_total(basket) -> Decimal:
    """What thresholds are measured against: the cart's products at the buyer's prices including
    VAT, before promotion discounts, without delivery."""
    total = sum((line.line_price_incl_tax for line in priced_lines(basket)), Decimal("0"))
    return total.quantize(CENT, ROUND_HALF_UP)


def products_in_range(basket, range_id: int | None) -> frozenset[int]:
    """Ids of the basket's products that a multi-buy's Oscar range covers: one query per range
    and set of products, kept on the basket's strategy (one request).

    Mirrors ``Range.product_queryset`` (chosen products and their variants, products in the
    chosen categories and their subcategories, and their variants) for the basket's products
    only, where Oscar's ``Range.contains_product`` would ask once per line.
    """
    if range_id is None:
        return frozenset()
    product_ids = frozenset(line.product_id for line in basket.all_lines())
    if not product_ids:
        return frozenset()
    holder = getattr(basket, "strategy", None) or basket
    memo = holder.__dict__.setdefault("_pipit_range_products", {})
    key = (range_id, product_ids)
    if key not in memo:
        from oscar.apps.catalogue.expressions import ExpandDownwardsCategoryQueryset
        from oscar.apps.catalogue.models import Category, Product

        categories = ExpandDownwardsCategoryQueryset(
            Category.objects.filter(includes=range_id).values("id")
        )
        covered = (
            Q(includes=range_id)
            | Q(parent__includes=range_id)
            | Q(categories__in=categories)
            | Q(parent__categories__in=categories)
        )
        memo[key] = frozenset(
            Product.objects.filter(pk__in=product_ids)
            .filter(covered)
            .values_list("pk", flat=True)
            .distinct()
        )
    return memo[key]


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)
