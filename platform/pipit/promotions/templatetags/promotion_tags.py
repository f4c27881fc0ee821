"""``{% cart_promotions basket as promotions %}``: the promotions applied to a cart, with their
discounts, and the next threshold the buyer has not reached (see
:func:`pipit.promotions.services.cart_promotions`)."""

from __future__ import annotations

from django import template

from pipit.promotions import services
from pipit.promotions.services import CartPromotions
from pipit.promotions.services import cart_promotions as build

register = template.Library()


@register.simple_tag
def cart_promotions(basket) -> CartPromotions | None:
    if basket is None or not hasattr(basket, "offer_applications"):
        return None
    # The cart page asks twice (the hint and the totals); the answer holds for one application
    # of the offers.
    memo = basket.__dict__.get("_pipit_cart_promotions")
    if memo is not None and memo[0] is basket.offer_applications:
        return memo[1]
    promotions = build(basket)
    basket.__dict__["_pipit_cart_promotions"] = (basket.offer_applications, promotions)
    return promotions


@register.filter
def promotion_name(offer) -> str:
    """The buyer-facing name of the promotion an Oscar offer runs (Oscar's own offer names are
    internal: unique installation-wide). One query; used by the rare "offer gained/lost" notes."""
    return services.promotion_name_for_offer(offer.pk) or str(offer.name)
