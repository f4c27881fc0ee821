from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "pipit.core"
    label = "pipit_core"
    verbose_name = _("Pipit core")
