"""Orders to repeat and the cart to look at, for the Repeat order tests."""

from __future__ import annotations

from oscar.core.loading import get_model
from pipit.ordering.services import place_order
from pipit.pricing.strategy import StorefrontStrategy

Basket = get_model("basket", "Basket")


def place(storefront, company, user, lines):
    """An order of ``user`` on ``storefront`` with ``[(product, quantity), ...]``."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    for product, quantity in lines:
        basket.add_product(product, quantity)
    order = place_order(
        storefront=storefront,
        user=user,
        basket=basket,
        shipping_address=company.addresses.get(),
    )
    return order


def cart(user) -> dict[str, tuple[int, str]]:
    """The user's open cart: product title → (quantity, unit price excl. tax as text)."""
    basket = Basket.open.filter(owner=user).first()
    if basket is None:
        return {}
    return {
        line.product.get_title(): (line.quantity, str(line.price_excl_tax))
        for line in basket.lines.select_related("product")
    }
