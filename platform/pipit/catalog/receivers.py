"""Keep search documents in step with the catalog: every change is queued for a rebuild once the
transaction commits (see :func:`pipit.catalog.search.schedule_update`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.dispatch import receiver
from oscar.apps.catalogue.models import (
    AttributeOption,
    Category,
    Product,
    ProductAttributeValue,
    ProductCategory,
    ProductImage,
)

from pipit.inventory.models import Warehouse, WarehouseStock
from pipit.oscar_apps.partner.models import StockRecord
from pipit.tenancy.models import Storefront

from .listing_cache import catalog_changed
from .models import ProductSearchDocument
from .search import schedule_scope_refresh, schedule_update, unindex_documents

#: What a search document reads from a stock record: its SKU, and which partner sells what. Price
#: and stock changes (the bulk of stock-record saves) leave the document as it is.
STOCKRECORD_SEARCH_FIELDS = ("partner_sku", "partner_id", "product_id")


_UNKNOWN = object()


def _stockrecord_state(record: StockRecord) -> tuple:
    # __dict__, not getattr: reading a deferred field would cost a query per loaded row. A
    # deferred field reads as unknown, which never equals the saved value: the document is rebuilt.
    return tuple(record.__dict__.get(name, _UNKNOWN) for name in STOCKRECORD_SEARCH_FIELDS)


@receiver(post_init, sender=StockRecord, dispatch_uid="catalog-search-stockrecord-loaded")
def _stockrecord_loaded(sender, instance, **kwargs):
    instance._search_state = _stockrecord_state(instance)


def _product_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw:  # loaddata: the fixture's rows may not all exist yet; rebuild_all() follows loads
        return
    if isinstance(instance, StockRecord) and kwargs.get("signal") is post_save:
        before = getattr(instance, "_search_state", None)
        after = _stockrecord_state(instance)
        instance._search_state = after
        if not created and before == after:
            return
        if before and before[2] not in (_UNKNOWN, after[2]):
            schedule_update([before[2]])  # moved to another product: rebuild the old one too
    product_id = instance.pk if isinstance(instance, Product) else instance.product_id
    parent_id = instance.parent_id if isinstance(instance, Product) else None
    schedule_update([parent_id or product_id])


for _model in (Product, StockRecord, ProductAttributeValue, ProductCategory):
    post_save.connect(_product_changed, sender=_model, dispatch_uid=f"catalog-search-{_model}")
for _model in (StockRecord, ProductAttributeValue, ProductCategory):
    post_delete.connect(_product_changed, sender=_model, dispatch_uid=f"catalog-del-{_model}")


@receiver(post_delete, sender=Product, dispatch_uid="catalog-search-product-deleted")
def _product_deleted(sender, instance, **kwargs):
    if instance.parent_id:
        schedule_update([instance.parent_id])
        return
    # The document row goes with the product (cascade); its index entry is removed here.
    document = ProductSearchDocument(product_id=instance.pk)
    transaction.on_commit(lambda: unindex_documents([document]))


@receiver(post_save, sender=Category, dispatch_uid="catalog-search-category-saved")
def _category_saved(sender, instance, created=False, raw=False, **kwargs):
    if created or raw:
        return
    from .tasks import update_category_search_documents

    category_id = instance.pk
    transaction.on_commit(lambda: update_category_search_documents.delay(category_id))


# -- storefront scope: which storefronts a document is searched in --------------------------------


def _scope_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Storefront):
        schedule_scope_refresh([instance.pk])
    elif pk_set is not None:  # a warehouse or category gained or lost storefronts
        schedule_scope_refresh(pk_set)
    else:  # cleared from the other side: the storefronts are not known any more
        schedule_scope_refresh(Storefront.objects.values_list("pk", flat=True))


for _through in (Storefront.categories.through, Storefront.warehouses.through):
    m2m_changed.connect(_scope_changed, sender=_through, dispatch_uid=f"catalog-scope-{_through}")


@receiver(post_save, sender=Warehouse, dispatch_uid="catalog-scope-warehouse-saved")
def _warehouse_saved(sender, instance, created=False, raw=False, **kwargs):
    # A warehouse switched to another partner changes which products its storefronts sell.
    if not created and not raw:
        schedule_scope_refresh(instance.storefronts.values_list("pk", flat=True))


# -- the listing cache: what a listing or a card's catalog data reads changed ----------------------


def _listing_facts_changed(sender, raw=False, **kwargs):
    # Any save: a changed title reorders a category, a changed stock level moves a product in
    # or out of "in stock", a changed attribute value changes the facet counts.
    if not raw:
        catalog_changed()


def _listing_links_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        catalog_changed()


for _model in (
    Product,
    Category,
    ProductCategory,
    ProductImage,
    ProductAttributeValue,
    AttributeOption,
    StockRecord,
    WarehouseStock,
    Warehouse,
    Storefront,
):
    post_save.connect(_listing_facts_changed, sender=_model, dispatch_uid=f"listing-save-{_model}")
    post_delete.connect(_listing_facts_changed, sender=_model, dispatch_uid=f"listing-del-{_model}")
for _through in (
    Product.categories.through,
    Storefront.categories.through,
    Storefront.warehouses.through,
):
    m2m_changed.connect(
        _listing_links_changed, sender=_through, dispatch_uid=f"listing-links-{_through}"
    )
