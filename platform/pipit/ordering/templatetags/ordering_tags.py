from django import template
from django.conf import settings
from django.db import connection
from django.utils.functional import empty

from pipit.ordering import statuses

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    """Units in the visitor's open basket, for the header's cart link.

    Oscar's ``request.basket`` loads the basket with its lines and offers (three queries, a few
    milliseconds on every page); the header needs one number. When the page has not loaded the
    basket anyway and no cookie basket waits to be merged into a buyer's (which only loading it
    does), the number is one sum over the buyer's open basket lines; anonymous visitors without a
    basket cookie have none.
    """
    request = context.get("request")
    if request is None or not hasattr(request, "basket"):
        return 0
    if not hasattr(request, "_pipit_cart_count"):
        request._pipit_cart_count = _cart_count(request)
    return request._pipit_cart_count


def _cart_count(request) -> int:
    basket = request.basket
    loaded = getattr(basket, "_wrapped", None) is not empty
    cookie = settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES
    user = getattr(request, "user", None)
    if loaded or cookie:
        return basket.num_items or 0
    if user is None or not user.is_authenticated:
        return 0
    from oscar.apps.basket.models import Basket, Line

    # As Line.objects.filter(basket__owner=user, basket__status=OPEN).aggregate(Sum("quantity")),
    # without the ORM's query building (a millisecond of a catalog page).
    lines, baskets = Line._meta.db_table, Basket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUM(line.quantity) FROM {lines} line"
            f" JOIN {baskets} basket ON basket.id = line.basket_id"
            " WHERE basket.owner_id = %s AND basket.status = %s",
            [user.pk, Basket.OPEN],
        )
        (units,) = cursor.fetchone()
    return int(units or 0)


@register.filter
def stock_warning(line) -> str:
    """Why the strategy would refuse this basket line's quantity now ("" when it is fine)."""
    if not line.stockrecord_id:
        return ""
    permitted, reason = line.purchase_info.availability.is_purchase_permitted(line.quantity)
    return "" if permitted else str(reason)


@register.filter
def status_label(status: str) -> str:
    return statuses.label(status)
