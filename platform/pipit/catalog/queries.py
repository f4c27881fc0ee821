"""Storefront-scoped catalog querysets: the only way views, API and tasks reach products."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from oscar.apps.catalogue.models import Category, Product, ProductCategory
from oscar.apps.partner.models import StockRecord

from pipit.inventory.models import WarehouseStock
from pipit.tenancy.models import Storefront


def categories_for_storefront(storefront: Storefront) -> QuerySet[Category]:
    return Category.objects.filter(storefront.category_filter(), is_public=True)


def products_for_storefront(storefront: Storefront) -> QuerySet[Product]:
    """Public top-level products the storefront sells: in its categories, from its partners."""
    in_scope_category = ProductCategory.objects.filter(product=OuterRef("pk")).filter(
        storefront.category_filter("category__")
    )
    sold_here = StockRecord.objects.filter(partner_id__in=storefront.partner_ids).filter(
        product=OuterRef("pk")
    ) | StockRecord.objects.filter(
        partner_id__in=storefront.partner_ids, product__parent=OuterRef("pk")
    )
    return Product.objects.browsable().filter(Exists(in_scope_category), Exists(sold_here))


def with_purchase_info(qs: QuerySet[Product], storefront: Storefront) -> QuerySet[Product]:
    """Prefetch what :class:`~pipit.pricing.strategy.StorefrontStrategy` reads, so pricing a page
    of products costs a fixed number of queries."""
    stock = Prefetch(
        "warehouse_stocks",
        queryset=WarehouseStock.objects.filter(
            warehouse_id__in=storefront.warehouse_ids
        ).select_related("warehouse"),
    )
    records = Prefetch(
        "stockrecords",
        queryset=StockRecord.objects.filter(partner_id__in=storefront.partner_ids).prefetch_related(
            stock
        ),
    )
    children = Prefetch(
        "children",
        queryset=Product.objects.filter(is_public=True).prefetch_related(records),
    )
    return qs.prefetch_related(records, children)


def hand_over_children(product: Product) -> Product:
    """Let Oscar's strategy use the public children :func:`with_purchase_info` prefetched.

    ``Structured.fetch_for_parent`` reads ``product.get_public_children()``, which answers from
    ``_prefetched_public_children`` when set and otherwise queries ``children.public()`` per parent.
    """
    if product.is_parent and not hasattr(product, "_prefetched_public_children"):
        product._prefetched_public_children = list(product.children.all())
    return product
