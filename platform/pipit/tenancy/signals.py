from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Site

from pipit.inventory.models import Warehouse

from . import resolver
from .models import Storefront


def _invalidate_after_commit(**kwargs):
    # Now, so that the rest of this transaction (a test, a provisioning script) sees the change;
    # and again after the commit: a request between the first clear and the commit would rebuild
    # the map from the old rows and cache them again.
    resolver.invalidate()
    transaction.on_commit(resolver.invalidate)


for _sender in (Storefront, Site, Warehouse):
    post_save.connect(_invalidate_after_commit, sender=_sender, dispatch_uid=f"hostmap-{_sender}")
    post_delete.connect(
        _invalidate_after_commit, sender=_sender, dispatch_uid=f"hostmap-d-{_sender}"
    )


@receiver(m2m_changed, sender=Storefront.warehouses.through)
@receiver(m2m_changed, sender=Storefront.categories.through)
def _storefront_scope_changed(**kwargs):
    _invalidate_after_commit()
