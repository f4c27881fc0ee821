"""The Oscar benefits order promotions give.

Unlike Oscar's own benefits they read the promotion's published terms (never a per-line range
query), work on prices including VAT and record the discount as such, and round each line's
discount to the cent before adding it up: so an order's total is exactly its lines less its
discounts. A discount never exceeds what is left of a line after promotions applied before it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.apps.offer.models import Benefit
from oscar.apps.offer.results import ZERO_DISCOUNT, BasketDiscount
from oscar.apps.offer.utils import unit_price

from .conditions import in_scope_lines
from .terms import round_money

ZERO = Decimal("0.00")


def remaining(line) -> Decimal:
    """What is left of the line's price including VAT after the discounts applied so far."""
    return max(ZERO, line.line_price_incl_tax - line.discount_value)


def _discount(line, amount: Decimal, quantity: int, offer) -> None:
    line.discount(amount, quantity, incl_tax=True, offer=offer)


class PromotionBenefit(Benefit):
    class Meta:
        proxy = True

    @property
    def name(self) -> str:
        return gettext("Pipit order promotion")

    @property
    def description(self) -> str:
        return self.name

    def terms_for(self, condition, offer, basket):
        terms_of = getattr(condition, "terms", None)
        return terms_of(offer, basket) if terms_of is not None else None


class OrderPercentBenefit(PromotionBenefit):
    """Percent off every line of the order (what is left of it after earlier promotions)."""

    class Meta:
        proxy = True
        verbose_name = _("Pipit percent off the order")

    def apply(self, basket, condition, offer, **kwargs):
        terms = self.terms_for(condition, offer, basket)
        if terms is None or not terms.value:
            return ZERO_DISCOUNT
        percent = min(terms.value, Decimal("100"))
        total = ZERO
        for line in in_scope_lines(terms, offer, basket):
            quantity = line.quantity_without_offer_discount(offer)
            if quantity <= 0:
                continue
            left = remaining(line) * quantity / line.quantity
            amount = min(round_money(left * percent / 100), remaining(line))
            if amount <= 0:
                continue
            _discount(line, amount, quantity, offer)
            total += amount
        return BasketDiscount(total) if total > 0 else ZERO_DISCOUNT


class OrderAmountBenefit(PromotionBenefit):
    """A fixed amount (including VAT) off the order, spread over its lines by their value."""

    class Meta:
        proxy = True
        verbose_name = _("Pipit amount off the order")

    def apply(self, basket, condition, offer, **kwargs):
        terms = self.terms_for(condition, offer, basket)
        if terms is None or not terms.value:
            return ZERO_DISCOUNT
        shares = []
        for line in in_scope_lines(terms, offer, basket):
            quantity = line.quantity_without_offer_discount(offer)
            left = remaining(line) * quantity / line.quantity if quantity > 0 else ZERO
            if left > 0:
                shares.append((line, quantity, left))
        base = sum((left for _line, _q, left in shares), ZERO)
        wanted = min(terms.value, round_money(base))
        if wanted <= 0:
            return ZERO_DISCOUNT
        total = ZERO
        for index, (line, quantity, left) in enumerate(shares):
            if index == len(shares) - 1:
                amount = wanted - total  # the last line takes the rounding remainder
            else:
                amount = round_money(wanted * left / base)
            amount = min(amount, round_money(left), remaining(line))
            if amount <= 0:
                continue
            _discount(line, amount, quantity, offer)
            total += amount
        return BasketDiscount(total) if total > 0 else ZERO_DISCOUNT


class MultiBuyBenefit(PromotionBenefit):
    """Sets of N items of the chosen products, most expensive first; in each set the cheapest M
    items (one for "every N-th item") get the discount (100%: free). Every full set in the cart
    is counted in one application; the items of a set are used up for this promotion."""

    class Meta:
        proxy = True
        verbose_name = _("Pipit multi-buy")

    def apply(self, basket, condition, offer, **kwargs):
        terms = self.terms_for(condition, offer, basket)
        if terms is None or not terms.buy_quantity:
            return ZERO_DISCOUNT
        size = terms.buy_quantity
        per_set = (terms.free_quantity or 0) if terms.kind == "buy_n_get_m" else 1
        percent = min(terms.discount_percent, Decimal("100"))
        if per_set <= 0 or per_set >= size or percent <= 0:
            return ZERO_DISCOUNT

        runs = []
        for line in in_scope_lines(terms, offer, basket):
            available = line.quantity_without_offer_discount(offer)
            price = unit_price(offer, line)
            if available > 0 and price:
                runs.append((price, line, available))
        runs.sort(key=lambda run: (-run[0], run[1].pk or 0))
        in_sets = sum(available for _price, _line, available in runs) // size * size
        if not in_sets:
            return ZERO_DISCOUNT

        def discounted_before(position: int) -> int:
            # Of the first ``position`` items (most expensive first), how many are among the
            # cheapest ``per_set`` of their set.
            position = min(position, in_sets)
            return position // size * per_set + max(0, position % size - (size - per_set))

        total = ZERO
        start = 0
        for price, line, available in runs:
            end = start + available
            used = min(end, in_sets) - min(start, in_sets)
            if used <= 0:
                break
            discounted = discounted_before(end) - discounted_before(start)
            if discounted:
                amount = min(round_money(price * percent / 100) * discounted, remaining(line))
                if amount > 0:
                    _discount(line, amount, discounted, offer)
                    total += amount
                else:
                    line.consume(discounted, offer=offer)
            if used - discounted:
                line.consume(used - discounted, offer=offer)
            start = end
        return BasketDiscount(total) if total > 0 else ZERO_DISCOUNT


BENEFIT_CLASSES = {
    "percent_off": OrderPercentBenefit,
    "amount_off": OrderAmountBenefit,
    "buy_n_get_m": MultiBuyBenefit,
    "nth_percent": MultiBuyBenefit,
}
