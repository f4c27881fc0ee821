from django.apps import AppConfig


class SavedListsConfig(AppConfig):
    """The plugin's Django app: its templates (the cart note), later its models and static files.

    Pipit adds it to INSTALLED_APPS through the "pipit.plugin_apps" entry point in pyproject.toml.
    """

    name = "pipit_saved_lists"
    label = "pipit_saved_lists"
    verbose_name = "Saved lists"
    default_auto_field = "django.db.models.BigAutoField"
