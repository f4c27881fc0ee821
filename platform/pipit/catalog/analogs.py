"""Analogs: interchangeable products a buyer is offered when the one they want cannot be had.

Stored as Oscar's ``ProductRecommendation`` rows (primary → recommendation, highest ranking first):
the 1C/ERP import and the demo load write them, and every feature that suggests a replacement
(quick order, repeat order, the product page) reads them through :func:`analogs_for`, which stays
within the storefront and costs one query for any number of products (plus the purchase-info
prefetch of the analogs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from oscar.apps.catalogue.models import Product, ProductRecommendation

from pipit.tenancy.models import Storefront

from .queries import products_for_storefront, with_purchase_info


def analogs_for(
    storefront: Storefront, products: Iterable[Product], *, limit: int = 3
) -> dict[int, list[Product]]:
    """Product id → up to ``limit`` analogs sold on ``storefront``, best first.

    A variant has its parent's analogs (recommendations are kept on the browsable product). The
    analogs come with their purchase info prefetched, so pricing them with the buyer's strategy
    costs no further query per product.
    """
    products = list(products)
    if not products:
        return {}
    primary_of = {p.pk: p.parent_id or p.pk for p in products}
    rows = (
        ProductRecommendation.objects.filter(primary_id__in=set(primary_of.values()))
        .filter(recommendation__in=products_for_storefront(storefront))
        .order_by("primary_id", "-ranking", "recommendation_id")
        .values_list("primary_id", "recommendation_id")
    )
    by_primary: dict[int, list[int]] = defaultdict(list)
    for primary_id, recommendation_id in rows:
        if len(by_primary[primary_id]) < limit:
            by_primary[primary_id].append(recommendation_id)
    wanted = {pk for ids in by_primary.values() for pk in ids}
    if not wanted:
        return {pk: [] for pk in primary_of}
    loaded = {
        p.pk: p
        for p in with_purchase_info(
            Product.objects.filter(pk__in=wanted).select_related("product_class"), storefront
        )
    }
    return {
        pk: [loaded[a] for a in by_primary.get(primary, []) if a in loaded and a != pk]
        for pk, primary in primary_of.items()
    }
