from django.apps import AppConfig


class SavedListsConfig(AppConfig):
    """The plugin's Django app: the saved lists' models and migrations, templates, stylesheet and
    translations.

    Pipit adds it to INSTALLED_APPS through the "pipit.plugin_apps" entry point in pyproject.toml.
    """

    name = "pipit_saved_lists"
    label = "pipit_saved_lists"
    verbose_name = "Saved lists"
    default_auto_field = "django.db.models.BigAutoField"
