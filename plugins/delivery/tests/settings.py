"""Pipit's test settings with this plugin's Django app installed (for its models and templates)."""

from pipit.settings.test import *  # noqa: F403

# Installed with pip, Pipit already found the app through the "pipit.plugin_apps" entry point.
if not any(app.split(".")[0] == "pipit_delivery" for app in INSTALLED_APPS):  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "pipit_delivery.apps.DeliveryConfig"]  # noqa: F405
