from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "pipit.tenancy"
    label = "tenancy"
    verbose_name = _("Storefronts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401

        post_migrate.connect(sync_role_permissions, dispatch_uid="tenancy-sync-roles")


def sync_role_permissions(sender, app_config=None, using="default", **kwargs):
    """After ``migrate``, give existing storefront staff groups the permissions their roles have
    now (a new app's models, say), once every app's permissions exist: at the last app's turn."""
    from django.apps import apps

    if app_config is not list(apps.get_app_configs())[-1]:
        return
    from .models import Storefront
    from .services import ensure_staff_groups

    for storefront in Storefront.objects.using(using).select_related("site"):
        ensure_staff_groups(storefront)
