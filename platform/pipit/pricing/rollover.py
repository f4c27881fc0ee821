"""The day changes: rows, lists and rules whose validity starts or ends need recompiling."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from .compiler import EMPTY, Scope, compile_prices, footprint_of


def boundary_scope(storefront, since: datetime.date, today: datetime.date) -> Scope:
    """What may price differently on ``today`` than on ``since``."""
    from .models import PriceList, PriceListItem, PriceRule

    def crossing(prefix: str = "") -> Q:
        return Q(**{f"{prefix}valid_from__gt": since, f"{prefix}valid_from__lte": today}) | Q(
            **{f"{prefix}valid_to__gte": since, f"{prefix}valid_to__lt": today}
        )

    scope = EMPTY
    for model in (PriceList, PriceRule):
        for obj in model.objects.filter(storefront=storefront, live=True).filter(crossing()):
            scope = scope | footprint_of(obj)
    rows = PriceListItem.objects.filter(
        crossing(), price_list__storefront=storefront, price_list__live=True
    ).values_list("product_id", "company_id", "price_list__kind")
    products, companies, everyone = set(), set(), False
    for product_id, company_id, kind in rows:
        products.add(product_id)
        if kind == PriceList.Kind.COMPANY and company_id:
            companies.add(company_id)
        else:
            everyone = True
    if products:
        scope = scope | Scope.of(products, None if everyone else companies)
    return scope


def roll_over_storefront(storefront) -> int:
    from .models import PricingState

    today = timezone.localdate()
    state = PricingState.objects.filter(storefront=storefront).first()
    if state is None or state.compiled_on is None:
        return compile_prices(storefront, Scope(), today).rows
    if state.compiled_on >= today:
        return 0
    scope = boundary_scope(storefront, state.compiled_on, today)
    if scope.is_empty:
        PricingState.objects.filter(pk=state.pk).update(compiled_on=today)
        from .resolver import forget_compiled_day

        forget_compiled_day(storefront.pk)
        return 0
    return compile_prices(storefront, scope, today, day_complete=True).rows
