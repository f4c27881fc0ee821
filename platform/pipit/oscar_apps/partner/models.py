"""Oscar's partner models, with the offer's cost (purchase price) that margins and "markup over
cost" price rules read."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractStockRecord


class StockRecord(AbstractStockRecord):
    cost_price = models.DecimalField(
        _("cost price before tax"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What the supplier pays: margins and markup-over-cost rules use it."),
    )


from oscar.apps.partner.models import *  # noqa: E402,F403
