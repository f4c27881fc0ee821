"""What the API needs from the shop: the caller's strategy and basket, and scoped product sets.

Every lookup here is scoped to the storefront of the request (and the caller's company where it
applies); views never fetch a product, basket line or order by a bare id.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal, InvalidOperation

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Category, Product, ProductAttributeValue, ProductCategory
from oscar.apps.offer.applicator import Applicator
from oscar.apps.partner.strategy import PurchaseInfo

from pipit.catalog.queries import (
    categories_for_storefront,
    products_for_storefront,
    with_purchase_info,
)
from pipit.catalog.search import search_products
from pipit.inventory.models import WarehouseStock
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


def purchase_info(strategy: StorefrontStrategy, product: Product) -> PurchaseInfo:
    """Price and availability of ``product`` (a parent's from its variants)."""
    if product.is_parent:
        variants_of(product)  # so that Oscar's fetch_for_parent reads the prefetched variants
        return strategy.fetch_for_parent(product)
    return strategy.fetch_for_product(product)


def variants_of(product: Product) -> list[Product]:
    """A parent's public variants, from the prefetch when there is one, loaded once otherwise.

    Oscar's ``get_public_children()`` answers from ``_prefetched_public_children``; a prefetch
    made as plain ``children`` (public ones only) is handed over under that name.
    """
    if not product.is_parent:
        return []
    if not hasattr(product, "_prefetched_public_children"):
        cache = getattr(product, "_prefetched_objects_cache", {})
        children = cache["children"] if "children" in cache else product.children.public()
        product._prefetched_public_children = list(children)
    return product._prefetched_public_children


# -- catalog listing ---------------------------------------------------------------------------


def _attribute_values() -> Prefetch:
    return Prefetch(
        "attribute_values",
        queryset=ProductAttributeValue.objects.select_related(
            "attribute", "value_option"
        ).prefetch_related("value_multi_option"),
    )


def api_products(storefront: Storefront) -> QuerySet[Product]:
    """The storefront's products with everything the product representation reads prefetched.

    Variants' attributes are prefetched on the page afterwards (:func:`prefetch_variants`).
    """
    qs = with_purchase_info(products_for_storefront(storefront), storefront)
    return qs.select_related("product_class").prefetch_related(
        Prefetch("categories", queryset=categories_for_storefront(storefront).order_by("path")),
        _attribute_values(),
    )


def prefetch_variants(products: list[Product]) -> None:
    """Load the attributes of the variants of ``products`` in one go."""
    variants = [variant for product in products for variant in variants_of(product)]
    prefetch_related_objects(variants, _attribute_values())


def in_category(qs: QuerySet[Product], category: Category) -> QuerySet[Product]:
    """Products in ``category`` or any of its descendants."""
    return qs.filter(
        Exists(
            ProductCategory.objects.filter(
                product=OuterRef("pk"), category__path__startswith=category.path
            )
        )
    )


def in_stock(qs: QuerySet[Product], storefront: Storefront) -> QuerySet[Product]:
    """Products (or, for a parent, any variant) with stock free in the storefront's warehouses."""
    free = WarehouseStock.objects.filter(
        warehouse_id__in=storefront.warehouse_ids,
        stockrecord__partner_id__in=storefront.partner_ids,
        num_in_stock__gt=F("num_allocated"),
    )
    return qs.filter(
        Exists(free.filter(stockrecord__product=OuterRef("pk")))
        | Exists(
            free.filter(
                stockrecord__product__parent=OuterRef("pk"), stockrecord__product__is_public=True
            )
        )
    )


def with_attribute(qs: QuerySet[Product], code: str, value: str) -> QuerySet[Product]:
    """Products whose attribute ``code`` (on the product or one of its variants) equals ``value``.

    The value is compared as text, option name, number or yes/no, whichever the attribute holds.
    """
    match = (
        Q(value_text__iexact=value)
        | Q(value_option__option__iexact=value)
        | Q(value_multi_option__option__iexact=value)
    )
    with contextlib.suppress(ValueError):
        match |= Q(value_integer=int(value))
    with contextlib.suppress(InvalidOperation, ValueError):
        number = Decimal(value)
        if number.is_finite():
            match |= Q(value_float=float(number))
    if value.lower() in {"true", "yes", "1", "false", "no", "0"}:
        match |= Q(value_boolean=value.lower() in {"true", "yes", "1"})
    values = ProductAttributeValue.objects.filter(match, attribute__code=code)
    return qs.filter(
        Exists(values.filter(product=OuterRef("pk")))
        | Exists(values.filter(product__parent=OuterRef("pk"), product__is_public=True))
    )


def search(qs: QuerySet[Product], storefront: Storefront, q: str) -> QuerySet[Product]:
    """Products of ``qs`` matching ``q``, annotated with ``search_rank`` (0 is the best match).

    Relevance comes from the catalog's search (exact SKU/UPC first, then full text); the ranking is
    re-applied to ``qs`` so that its filters and prefetches are kept.
    """
    ranked = list(search_products(storefront, q).values_list("pk", flat=True))
    if not ranked:
        return qs.none()
    rank = Case(
        *[When(pk=pk, then=Value(position)) for position, pk in enumerate(ranked)],
        output_field=IntegerField(),
    )
    return qs.filter(pk__in=ranked).annotate(search_rank=rank)
