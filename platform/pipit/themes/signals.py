"""Drop cached chrome (tokens, category menu) the moment what it shows changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from oscar.apps.catalogue.models import Category
from wagtail.images import get_image_model

from pipit.tenancy.models import Storefront

from . import navigation, tokens
from .models import DesignTokens


@receiver([post_save, post_delete], sender=DesignTokens)
def _tokens_changed(instance, **kwargs):
    tokens.invalidate(instance.site_id)


# pre_delete: by post_delete the logo reference has already been set to NULL.
@receiver([post_save, pre_delete], sender=get_image_model())
def _image_changed(instance, **kwargs):
    for site_id in DesignTokens.objects.filter(logo=instance).values_list("site_id", flat=True):
        tokens.invalidate(site_id)


@receiver([post_save, post_delete], sender=Category)
@receiver(m2m_changed, sender=Storefront.categories.through)
def _categories_changed(**kwargs):
    navigation.invalidate()
