"""The Oscar condition every order promotion runs with.

Oscar applies its site offers to every basket of the installation; this condition is what keeps a
promotion to its own storefront, its audience and its dates before it looks at the cart.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.apps.offer.models import Condition, ConditionalOffer

from .terms import Terms, goods_total, offer_terms, priced_lines, products_in_range


def _without_combinations(offer) -> None:
    # Pipit promotions combine through ``exclusive`` only, never Oscar's explicit combinations.
    # Oscar asks ``offer.combinations.count()`` for every line two offers share; an empty
    # prefetched result answers that without a query per line.
    cache = offer.__dict__.setdefault("_prefetched_objects_cache", {})
    if "combinations" not in cache:
        empty = ConditionalOffer.objects.none()
        empty._result_cache = []
        empty._prefetch_done = True
        cache["combinations"] = empty


def in_scope_lines(terms: Terms, offer, basket) -> list:
    """Priced lines a promotion counts: every line for a threshold, the range's for a multi-buy."""
    lines = [line for line in priced_lines(basket) if line.product.is_discountable]
    if terms.is_threshold:
        return lines
    covered = products_in_range(basket, terms.range_id)
    return [line for line in lines if line.product_id in covered]


class PromotionCondition(Condition):
    """Satisfied when the basket is of the promotion's storefront, its buyer is in the audience,
    today is within the validity window, and the cart reaches the threshold (threshold kinds) or
    holds a full set of the chosen products (multi-buys)."""

    class Meta:
        proxy = True
        verbose_name = _("Pipit promotion condition")
        verbose_name_plural = _("Pipit promotion conditions")

    @property
    def name(self) -> str:
        return gettext("Pipit order promotion")

    @property
    def description(self) -> str:
        return self.name

    def terms(self, offer, basket) -> Terms | None:
        _without_combinations(offer)
        return offer_terms(offer, basket)

    def is_satisfied(self, offer, basket) -> bool:
        terms = self.terms(offer, basket)
        if terms is None:
            return False
        if terms.is_threshold:
            return goods_total(basket) >= terms.threshold
        available = sum(
            line.quantity_without_offer_discount(offer)
            for line in in_scope_lines(terms, offer, basket)
        )
        return available >= (terms.buy_quantity or 0)

    def is_partially_satisfied(self, offer, basket) -> bool:
        terms = self.terms(offer, basket)
        if terms is None:
            return False
        if terms.is_threshold:
            return Decimal("0") < goods_total(basket) < terms.threshold
        count = sum(line.quantity for line in in_scope_lines(terms, offer, basket))
        return 0 < count < (terms.buy_quantity or 0)

    def get_upsell_message(self, offer, basket) -> str | None:
        from .services import missing_message

        terms = self.terms(offer, basket)
        if terms is None or not terms.is_threshold:
            return None
        missing = terms.threshold - goods_total(basket)
        return str(missing_message(terms, missing)) if missing > 0 else None

    def consume_items(self, offer, basket, affected_lines) -> None:
        # The benefits consume what they discount (and a multi-buy its whole sets).
        return None
