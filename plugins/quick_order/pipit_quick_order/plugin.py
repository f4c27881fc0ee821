"""The Quick order plugin: what Pipit loads through the "pipit.plugins" entry point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pipit.companies.access import buyer_company
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import slot

DEFAULT_MAX_LINES = 500
DEFAULT_MAX_FILE_SIZE_KB = 1024


class QuickOrderSettings(forms.Form):
    """Settings a storefront admin edits in Commerce → Plugins, saved per storefront."""

    max_lines = forms.IntegerField(
        label=_("Most lines in one quick order"),
        min_value=1,
        max_value=2000,
        initial=DEFAULT_MAX_LINES,
        help_text=_("A longer list is refused with a message; nothing of it is processed."),
    )
    max_file_size_kb = forms.IntegerField(
        label=_("Largest uploaded file (KB)"),
        min_value=1,
        max_value=10240,
        initial=DEFAULT_MAX_FILE_SIZE_KB,
        help_text=_("CSV and XLSX order lists larger than this are refused."),
    )


@dataclass(frozen=True)
class Limits:
    max_lines: int
    max_file_size_kb: int

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_size_kb * 1024

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Limits:
        """The limits saved for a storefront, the defaults where none were saved."""
        return cls(
            max_lines=int(settings.get("max_lines") or DEFAULT_MAX_LINES),
            max_file_size_kb=int(settings.get("max_file_size_kb") or DEFAULT_MAX_FILE_SIZE_KB),
        )


def _for_buyers(request, storefront) -> bool:
    # Anonymous visitors see the link (it leads to the login); signed-in staff and others
    # without a company here would only meet a refusal.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return True
    return buyer_company(user, storefront) is not None


class QuickOrderPlugin(Plugin):
    id = "quick_order"
    name = "Quick order"
    version = "0.1.0"  # keep in step with pyproject.toml
    description = (
        "A quick-order page: paste or upload lines of SKU and quantity (the buyer's own SKU "
        "aliases too), see each matched with price and stock per warehouse, with suggestions "
        "for unknown and out-of-stock lines, and add all good lines to the cart at once."
    )
    pipit_requires = ">=0.1,<0.2"
    settings_form = QuickOrderSettings
    # Pages at /shop/p/quick_order/ (URL names "quick_order:..."), API at
    # /api/v1/p/quick_order/; both answer 404 where the plugin is switched off.
    urls = "pipit_quick_order.urls"
    api_urls = "pipit_quick_order.api_urls"

    @slot("header")
    def header_link(self, *, request, storefront, settings, **context):
        """A "Quick order" link beside the cart."""
        if not _for_buyers(request, storefront):
            return None
        return "pipit_quick_order/header_link.html", {}

    @slot("account_menu")
    def account_links(self, *, request, storefront, settings, **context):
        """Quick order and the company's SKU aliases in the account menu."""
        if not _for_buyers(request, storefront):
            return None
        return "pipit_quick_order/account_menu.html", {}

    def blocks(self) -> dict[str, Any]:
        """A compact paste form for home and landing pages, posting to the quick order page."""
        from .blocks import QuickOrderBlock

        return {"form": QuickOrderBlock()}

    def load_demo(self, storefront) -> None:
        """A few SKU aliases for the first demo company, so the aliases page has content."""
        from .demo import load_demo_aliases

        load_demo_aliases(storefront)
