"""Celery tasks of the catalog: rebuilding search documents (which record the storefronts that
sell each product) after catalog or storefront-scope changes."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="pipit.catalog.update_search_documents")
def update_search_documents(product_ids: list[int]) -> int:
    """Rebuild the search documents of these products (variant ids count as their parents)."""
    from .search import update_documents

    return update_documents(product_ids)


@shared_task(name="pipit.catalog.update_category_search_documents")
def update_category_search_documents(category_id: int) -> int:
    """A category was renamed or moved: rebuild the documents of every product under it."""
    from oscar.apps.catalogue.models import Category, Product

    from .search import update_documents

    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        return 0
    ids = (
        Product.objects.filter(categories__path__startswith=category.path)
        .values_list("pk", flat=True)
        .distinct()
    )
    return update_documents(list(ids))


@shared_task(name="pipit.catalog.refresh_storefront_search_scope")
def refresh_storefront_search_scope(storefront_id: int) -> int:
    """A storefront's categories or warehouses changed: update which documents it searches."""
    from .search import refresh_storefront_scope

    return refresh_storefront_scope(storefront_id)
