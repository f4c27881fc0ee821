from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PluginsConfig(AppConfig):
    name = "pipit.plugins"
    label = "plugins"
    verbose_name = _("Plugins")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, registry

        # Import every installed plugin now, so a misspelled hook or a broken package shows up at
        # start-up (system checks, logs) rather than on the first request that needs it.
        registry.registry.plugins()
        checks.register()
