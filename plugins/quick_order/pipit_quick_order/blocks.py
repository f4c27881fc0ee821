"""The quick order's CMS block: a compact paste form for home and landing pages."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

#: Where the plugin's page is mounted when its URLconf is not loaded (Pipit mounts it at
#: /shop/p/<id>/; the block still renders the right action).
FALLBACK_URL = "/shop/p/quick_order/"


def quick_order_url() -> str:
    try:
        return reverse("quick_order:index")
    except NoReverseMatch:
        return FALLBACK_URL


class QuickOrderBlock(blocks.StructBlock):
    """A heading, an intro and a box to paste ``SKU quantity`` lines into; the lines go to the
    quick order page, which matches and prices them for the buyer."""

    heading = blocks.CharBlock(
        label=_("Heading"), max_length=120, required=False, default=_("Quick order")
    )
    intro = blocks.TextBlock(
        label=_("Intro text"),
        required=False,
        default=_("Paste SKUs and quantities, one product per line."),
    )

    class Meta:
        icon = "list-ul"
        label = _("Quick order form")
        template = "pipit_quick_order/blocks/quick_order.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["quick_order_url"] = quick_order_url()
        return context
