from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuickOrderConfig(AppConfig):
    """The plugin's Django app: the buyers' SKU aliases, the pages' templates, translations and the
    ``bench_quick_order`` command.

    Pipit adds it to INSTALLED_APPS through the "pipit.plugin_apps" entry point in pyproject.toml.
    """

    name = "pipit_quick_order"
    label = "pipit_quick_order"
    verbose_name = _("Quick order")
    default_auto_field = "django.db.models.BigAutoField"
