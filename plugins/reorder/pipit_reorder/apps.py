from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReorderConfig(AppConfig):
    """The plugin's Django app: its templates, static file and Russian/English catalogs.

    Pipit adds it to INSTALLED_APPS through the "pipit.plugin_apps" entry point in pyproject.toml.
    """

    name = "pipit_reorder"
    label = "pipit_reorder"
    verbose_name = _("Repeat order")
    default_auto_field = "django.db.models.BigAutoField"
