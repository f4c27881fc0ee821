"""The Saved lists plugin (requisition lists): what Pipit loads through the "pipit.plugins" entry
point.

Named lists of products and quantities that every buyer of a company shares: made from the cart,
an order or product pages, edited, and put in the cart again at today's prices.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from pipit.companies.access import buyer_company
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import slot

from . import services
from .forms import AddProductForm, SaveToListForm


class SavedListsSettings(forms.Form):
    """Limits a storefront admin sets in Commerce → Plugins (saved per storefront)."""

    max_lists_per_company = forms.IntegerField(
        label=_("Lists per company, at most"),
        min_value=1,
        max_value=1000,
        initial=services.DEFAULT_MAX_LISTS,
        help_text=_("A company that has this many lists must delete one to create another."),
    )
    max_items_per_list = forms.IntegerField(
        label=_("Products per list, at most"),
        min_value=1,
        max_value=5000,
        initial=services.DEFAULT_MAX_ITEMS,
        help_text=_("Adding products beyond this is refused with a message."),
    )


class SavedListsPlugin(Plugin):
    id = "saved_lists"
    name = "Saved lists"
    version = "0.1.0"  # keep in step with pyproject.toml
    description = (
        "Requisition lists: named lists of products and quantities shared inside a buyer "
        "company, made from the cart, an order or product pages, and added to the cart again."
    )
    pipit_requires = ">=0.1,<0.2"
    settings_form = SavedListsSettings
    urls = "pipit_saved_lists.urls"
    api_urls = "pipit_saved_lists.api_urls"

    # -- UI slots -------------------------------------------------------------------------------

    @slot("cart")
    def save_cart(self, *, request, storefront, settings, basket, **context):
        """“Save cart as a list” below the cart's lines (buyers of a company, non-empty cart)."""
        company = buyer_company(request.user, storefront)
        if company is None or basket is None or basket.is_empty:
            return None
        form = SaveToListForm(storefront=storefront, company=company, auto_id="saved-lists-%s")
        return "pipit_saved_lists/slots/cart.html", {"saved_lists_form": form}

    @slot("order_detail")
    def save_order(self, *, request, storefront, settings, order, **context):
        """“Save as a list” on an order's page in the account."""
        company = buyer_company(request.user, storefront)
        if company is None or order is None or order.company_id != company.pk:
            return None
        return "pipit_saved_lists/slots/order.html", {
            "saved_lists_order": order,
            "saved_lists_name": _("Order %(number)s") % {"number": order.number},
        }

    @slot("product_page")
    def save_product(self, *, request, storefront, settings, product, **context):
        """“Add to a saved list” under the product's price (a variant to choose for a parent)."""
        company = buyer_company(request.user, storefront)
        if company is None or product is None:
            return None
        if product.is_parent:
            candidates = services.purchasable(storefront).filter(parent_id=product.pk)
        else:
            candidates = services.purchasable(storefront).filter(pk=product.pk)
        form = AddProductForm(
            storefront=storefront,
            company=company,
            candidates=candidates,
            initial={"product": None if product.is_parent else product.pk},
            auto_id="saved-lists-%s",
        )
        return "pipit_saved_lists/slots/product.html", {
            "saved_lists_form": form,
            "saved_lists_product": product,
        }

    @slot("account_menu")
    def menu_link(self, *, request, storefront, settings, **context):
        """The “Saved lists” item of the account menu (an <li>, like the others)."""
        if buyer_company(request.user, storefront) is None:
            return None
        match = getattr(request, "resolver_match", None)
        active = match is not None and self.id in match.namespaces
        return "pipit_saved_lists/slots/account_menu.html", {"saved_lists_active": active}

    @slot("account_dashboard")
    def dashboard(self, *, request, storefront, settings, **context):
        """The company's latest lists on the account overview."""
        company = buyer_company(request.user, storefront)
        if company is None:
            return None
        latest = list(services.lists_with_counts(storefront, company)[:5])
        return "pipit_saved_lists/slots/dashboard.html", {"saved_lists_latest": latest}

    # -- demo -----------------------------------------------------------------------------------

    def load_demo(self, storefront) -> None:
        """One or two lists per demo company of ``storefront``, from its purchasable products.

        Idempotent: a list that exists (by name) is left as the buyers changed it.
        """
        from .demo import load_demo

        load_demo(storefront)
