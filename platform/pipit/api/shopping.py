"""What the API needs from the shop: the caller's strategy and basket, and scoped product sets.

Every lookup here is scoped to the storefront of the request (and the caller's company where it
applies); views never fetch a product, basket line or order by a bare id.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Product
from oscar.apps.offer.applicator import Applicator

from pipit.catalog.queries import (
    attribute_condition,
    attribute_values_prefetch,
    categories_for_storefront,
    in_stock_condition,
    products_for_storefront,
    public_variants,
    with_purchase_info,
)
from pipit.catalog.search import with_search_rank
from pipit.pricing.strategy import Selector, StorefrontStrategy
from pipit.tenancy.models import Storefront


def api_strategy(request) -> StorefrontStrategy:
    """The pricing strategy for the API caller.

    Oscar's ``BasketMiddleware`` builds ``request.strategy`` before DRF authenticates, so for a
    token caller it was built for an anonymous visitor (hidden prices). Rebuild it for the
    authenticated user and keep it on the Django request, where Oscar code looks for it.
    """
    django_request = request._request
    strategy = getattr(django_request, "strategy", None)
    user = request.user
    if strategy is None or getattr(strategy.user, "pk", None) != user.pk:
        strategy = Selector().strategy(request=django_request, user=user)
        django_request.strategy = strategy
    return strategy


def api_basket(request) -> Basket:
    """The caller's open basket, priced by their strategy, with offers applied.

    The same basket the storefront's cart page shows (Oscar keeps one open basket per owner);
    token callers have no session, so it is loaded by owner rather than through the middleware.
    """
    user = request.user
    try:
        basket, _created = Basket.open.get_or_create(owner=user)
    except Basket.MultipleObjectsReturned:
        basket = Basket.open.filter(owner=user).order_by("pk").first()
    basket.owner = user
    basket.strategy = api_strategy(request)
    Applicator().apply(basket, user, request._request)
    return basket


def purchasable_products(storefront: Storefront) -> QuerySet[Product]:
    """Products a buyer may put in the cart here: the storefront's products and their variants."""
    scope = products_for_storefront(storefront).values("pk")
    return Product.objects.filter(is_public=True).filter(Q(pk__in=scope) | Q(parent__in=scope))


# -- catalog listing ---------------------------------------------------------------------------


def api_products(storefront: Storefront) -> QuerySet[Product]:
    """The storefront's products with everything the product representation reads prefetched.

    Variants' attributes are prefetched on the page afterwards (:func:`prefetch_variants`).
    """
    qs = with_purchase_info(products_for_storefront(storefront), storefront)
    return qs.select_related("product_class").prefetch_related(
        Prefetch("categories", queryset=categories_for_storefront(storefront).order_by("path")),
        attribute_values_prefetch(),
    )


def prefetch_variants(products: list[Product]) -> None:
    """Load the attributes of the variants of ``products`` in one go."""
    variants = [variant for product in products for variant in public_variants(product)]
    prefetch_related_objects(variants, attribute_values_prefetch())


def in_stock(qs: QuerySet[Product], storefront: Storefront) -> QuerySet[Product]:
    """Products (or, for a parent, any variant) with stock free in the storefront's warehouses."""
    return qs.filter(in_stock_condition(storefront))


def with_attribute(qs: QuerySet[Product], code: str, value: str) -> QuerySet[Product]:
    """Products whose attribute ``code`` (on the product or one of its variants) equals ``value``,
    matched as the catalog pages' filters match (:func:`pipit.catalog.queries.attribute_value_match`).
    """
    return qs.filter(attribute_condition(code, [value]))


def search(qs: QuerySet[Product], storefront: Storefront, q: str) -> QuerySet[Product]:
    """Products of ``qs`` matching ``q``, annotated with ``search_rank`` (0 is the best match), as
    the catalog's search page ranks them (exact SKU/UPC first, then full text)."""
    return with_search_rank(qs, storefront, q)
