from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "pipit.promotions"
    label = "promotions"
    verbose_name = _("Order promotions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (publishing keeps the Oscar offers in step)
