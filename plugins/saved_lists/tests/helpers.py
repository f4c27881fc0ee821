"""Helpers of the Saved lists tests: lists, baskets and orders made through the real services."""

from __future__ import annotations

from oscar.apps.basket.models import Basket
from pipit.ordering.services import place_order
from pipit.pricing.strategy import StorefrontStrategy

from pipit_saved_lists import services
from pipit_saved_lists.services import Limits, NewItem


def make_list(storefront, company, user, name="Monthly restock", lines=(), **limits):
    return services.create_list(
        storefront=storefront,
        company=company,
        user=user,
        name=name,
        items=[NewItem(product, quantity) for product, quantity in lines],
        limits=Limits(**limits),
    )


def fill_basket(storefront, user, lines) -> Basket:
    basket = Basket.open.filter(owner=user).first() or Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    for product, quantity in lines:
        basket.add_product(product, quantity)
    return basket


def basket_quantities(user) -> dict[str, int]:
    basket = Basket.open.get(owner=user)
    return {line.product.title: line.quantity for line in basket.lines.select_related("product")}


def order_of(storefront, company, user, lines):
    basket = fill_basket(storefront, user, lines)
    return place_order(
        storefront=storefront,
        user=user,
        basket=basket,
        shipping_address=company.addresses.get(),
    )
