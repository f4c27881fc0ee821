"""Keep each promotion's Oscar offer in step with what is published, inside the same transaction.

- published (also a scheduled publication coming due, through ``publish_scheduled``, which
  Celery beat runs hourly): the offer is created or updated and opened. A promotion's own
  validity dates need no such run: they apply from local midnight;
- unpublished (also a scheduled expiry): the offer is suspended;
- deleted: the offer, its condition, benefit and range are removed;
- an order's discount row is named after the promotion the buyer saw, not Oscar's internal
  (installation-unique) offer name.
"""

from __future__ import annotations

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from oscar.core.loading import get_model
from wagtail.signals import published, unpublished

from . import services
from .models import OrderPromotion

OrderDiscount = get_model("order", "OrderDiscount")


@receiver(published, sender=OrderPromotion, dispatch_uid="promotions-published")
def _published(sender, instance: OrderPromotion, **kwargs):
    if instance.live:
        services.sync_offer(instance)
    else:
        # Wagtail sends "published" for a first publication scheduled for later, too; the
        # promotion is not live until ``publish_scheduled`` makes it so.
        services.suspend_offer(instance)


@receiver(unpublished, sender=OrderPromotion, dispatch_uid="promotions-unpublished")
def _unpublished(sender, instance: OrderPromotion, **kwargs):
    services.suspend_offer(instance)


@receiver(pre_delete, sender=OrderPromotion, dispatch_uid="promotions-deleted")
def _deleted(sender, instance: OrderPromotion, **kwargs):
    services.remove_offer(instance)


@receiver(pre_save, sender=OrderDiscount, dispatch_uid="promotions-discount-name")
def _name_discount(sender, instance, raw=False, **kwargs):
    if raw or not instance.offer_id or instance.pk:
        return
    name = services.promotion_name_for_offer(instance.offer_id)
    if name:
        instance.offer_name = name[: OrderDiscount._meta.get_field("offer_name").max_length]
