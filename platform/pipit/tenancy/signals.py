from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Site

from . import resolver
from .models import Storefront


@receiver([post_save, post_delete], sender=Storefront)
@receiver([post_save, post_delete], sender=Site)
def _storefront_changed(**kwargs):
    resolver.invalidate()


@receiver(m2m_changed, sender=Storefront.warehouses.through)
@receiver(m2m_changed, sender=Storefront.categories.through)
def _storefront_scope_changed(**kwargs):
    resolver.invalidate()
