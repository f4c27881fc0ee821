from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "pipit.cms"
    label = "cms"
    verbose_name = _("CMS")
    default_auto_field = "django.db.models.BigAutoField"
