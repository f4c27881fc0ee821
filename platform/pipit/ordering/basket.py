"""Putting several products into a buyer's basket at once: repeat order, quick order, saved lists.

Every bulk "add to cart" goes through :func:`add_to_basket`, so they all refuse the same lines for
the same reasons and never change a quantity the buyer asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.catalogue.models import Product


@dataclass(frozen=True)
class RefusedLine:
    """A line that was not added, with the buyer-facing reason."""

    product: Product
    quantity: int
    reason: str


@dataclass
class BasketAddResult:
    added: list[tuple[Product, int]] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)

    @property
    def added_quantity(self) -> int:
        return sum(quantity for _product, quantity in self.added)


def add_to_basket(basket, lines: Iterable[tuple[Product, int]]) -> BasketAddResult:
    """Add each ``(product, quantity)`` to ``basket`` at the price its strategy gives today.

    ``basket.strategy`` must be the buyer's (``request.basket`` has it). A line is refused, with
    the reason, when the product is not for sale to this buyer, its price is hidden, the
    quantity is not a positive whole number, or the stock does not cover the quantity (counting
    what the basket already holds); it is never added with a smaller quantity. Pass products
    from :func:`pipit.catalog.queries.purchasable_for_storefront` (scoped to the storefront),
    ideally with :func:`~pipit.catalog.queries.with_purchase_info` applied.
    """
    result = BasketAddResult()
    lines = list(lines)
    in_basket: dict[int, int] = {}
    if basket.pk:
        for line in basket.all_lines():
            in_basket[line.product_id] = in_basket.get(line.product_id, 0) + line.quantity
    with transaction.atomic():
        for product, quantity in lines:
            reason = _refusal(basket, product, quantity, in_basket.get(product.pk, 0))
            if reason:
                result.refused.append(RefusedLine(product, quantity, reason))
                continue
            basket.add_product(product, quantity)
            in_basket[product.pk] = in_basket.get(product.pk, 0) + quantity
            result.added.append((product, quantity))
    return result


def _refusal(basket, product: Product, quantity, already: int) -> str | None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        return _("The quantity must be a whole number of at least 1.")
    if product.is_parent:
        return _("Choose a variant of this product.")
    info = basket.strategy.fetch_for_product(product)
    if info.stockrecord is None or not info.availability.is_available_to_buy:
        return str(info.availability.message) or _("This product is not available.")
    if not info.price.exists:
        return _("Sign in as a buyer to see prices and order.")
    allowed, message = basket.is_quantity_allowed(quantity)
    if not allowed:
        return str(message)
    permitted, message = info.availability.is_purchase_permitted(already + quantity)
    if not permitted:
        return str(message)
    return None
