"""The Reorder plugin ("Repeat order"): what Pipit loads through the "pipit.plugins" entry point.

A buyer repeats one of their company's orders from the order history or the order's page: a
review page lists every original line at today's price for this buyer, with its stock and what
will happen to it, offers analogs for what cannot be had, and adds only what the buyer confirms.
Quantities are never changed without the buyer choosing it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import slot

DEFAULT_MAX_ANALOGS = 3


class ReorderSettings(forms.Form):
    """Per-storefront settings (Commerce → Plugins)."""

    show_analogs = forms.BooleanField(
        label=_("Offer analogs"),
        required=False,
        initial=True,
        help_text=_(
            "For lines that are out of stock or no longer sold, offer interchangeable products "
            "(the analogs kept with each product)."
        ),
    )
    max_analogs = forms.IntegerField(
        label=_("Analogs per line"),
        min_value=1,
        max_value=5,
        initial=DEFAULT_MAX_ANALOGS,
        help_text=_("How many analogs to offer for one line, best first (1 to 5)."),
    )


def analog_limit(settings: dict[str, Any]) -> int:
    """How many analogs to offer per line on a storefront: 0 when switched off.

    Settings are ``{}`` until an admin saves the form, so the form's defaults apply then.
    """
    if not settings.get("show_analogs", True):
        return 0
    try:
        limit = int(settings.get("max_analogs") or DEFAULT_MAX_ANALOGS)
    except (TypeError, ValueError):
        limit = DEFAULT_MAX_ANALOGS
    return min(max(limit, 1), 5)


class ReorderPlugin(Plugin):
    id = "reorder"
    name = "Repeat order"
    version = "0.1.0"  # keep in step with pyproject.toml
    description = (
        "Buyers repeat an order of their company from the order history: every line at today's "
        "price, unavailable and discontinued lines reported with analogs, quantities never "
        "changed silently."
    )
    pipit_requires = ">=0.1,<0.2"
    settings_form = ReorderSettings
    # Review page at /shop/p/reorder/orders/<number>/ (URL names "reorder:..."), API at
    # /api/v1/p/reorder/orders/<number>/; both 404 where the plugin is switched off.
    urls = "pipit_reorder.urls"
    api_urls = "pipit_reorder.api_urls"

    @slot("order_list_row")
    def history_button(self, *, request, storefront, settings, order, **context):
        """A "Repeat order" button in each row of the company's order history."""
        return "pipit_reorder/row_button.html", {"reorder_order": order}

    @slot("order_detail")
    def detail_panel(self, *, request, storefront, settings, order, **context):
        """Below an order's lines: review before adding, or add every available line at once."""
        return "pipit_reorder/detail_panel.html", {"reorder_order": order}

    def load_demo(self, storefront) -> None:
        """Nothing to write: a buyer repeats the orders their company placed.

        The demo storefronts ship without orders; once a demo buyer has placed one, the order
        history offers to repeat it.
        """
