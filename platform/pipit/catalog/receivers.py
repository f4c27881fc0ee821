"""Keep search documents in step with the catalog: every change is queued for a rebuild once the
transaction commits (see :func:`pipit.catalog.search.schedule_update`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oscar.apps.catalogue.models import Category, Product, ProductAttributeValue, ProductCategory
from oscar.apps.partner.models import StockRecord

from .models import ProductSearchDocument
from .search import schedule_update, unindex_documents


def _product_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the fixture's rows may not all exist yet; rebuild_all() follows loads
        return
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
