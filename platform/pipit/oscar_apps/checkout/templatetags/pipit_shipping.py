"""``{% cart_shipping_quote basket as shipping_quote %}``: the cart's delivery estimate.

The options offered for the basket to the buyer company's default delivery address, the first
preselected (see :func:`pipit.ordering.shipping.cart_quote`); None for visitors who are not
company buyers. ``oscar/basket/partials/basket_totals.html`` shows it.
"""

from __future__ import annotations

from django import template

from pipit.ordering.shipping import ShippingQuote, cart_quote

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_shipping_quote(context, basket) -> ShippingQuote | None:
    request = context.get("request")
    if request is None or basket is None:
        return None
    return cart_quote(request, basket)
