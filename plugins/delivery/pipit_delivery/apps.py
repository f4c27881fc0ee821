from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """The plugin's Django app: delivery zones and methods (models, admin screens), the cart's
    delivery cost table (template, stylesheet) and translations.

    Pipit adds it to INSTALLED_APPS through the "pipit.plugin_apps" entry point in pyproject.toml.
    """

    name = "pipit_delivery"
    label = "pipit_delivery"
    verbose_name = "Delivery cost"
    default_auto_field = "django.db.models.BigAutoField"
