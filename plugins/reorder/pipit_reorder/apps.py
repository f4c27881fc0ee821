from django.apps import AppConfig


class ReorderConfig(AppConfig):
    """The plugin's Django app: its templates (the cart note), later its models and static files.

    Pipit adds it to INSTALLED_APPS through the "pipit.plugin_apps" entry point in pyproject.toml.
    """

    name = "pipit_reorder"
    label = "pipit_reorder"
    verbose_name = "Reorder"
    default_auto_field = "django.db.models.BigAutoField"
