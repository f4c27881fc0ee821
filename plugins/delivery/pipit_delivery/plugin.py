"""The Delivery cost plugin: what Pipit loads through the "pipit.plugins" entry point."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from pipit.companies.access import buyer_company
from pipit.ordering.shipping import SupplierDelivery
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook, slot

from . import rates


class DeliverySettings(forms.Form):
    """Settings a storefront admin edits in Commerce → Plugins, saved per storefront. The rules
    themselves (zones and methods) are edited under Commerce → Delivery methods / zones."""

    keep_default_method = forms.BooleanField(
        label=_("Also offer delivery by the supplier, priced separately"),
        required=False,
        initial=True,
        help_text=_(
            "Pipit's own method, at no charge on the order. Switch it off when every order must "
            "take one of the delivery methods here; an address none of them serves then cannot "
            "order."
        ),
    )
    free_delivery_hint = forms.BooleanField(
        label=_("Tell buyers how much more gives free delivery"),
        required=False,
        initial=True,
        help_text=_("In the cart, under the delivery costs."),
    )


def keeps_default(settings: dict) -> bool:
    return bool(settings.get("keep_default_method", True))


class DeliveryPlugin(Plugin):
    id = "delivery"
    name = "Delivery cost"
    version = "0.1.0"  # keep in step with pyproject.toml
    description = (
        "Delivery methods and their costs per storefront: zones by city and postcode, weight and "
        "volume rates, free delivery above an order total, pickup from a warehouse."
    )
    pipit_requires = ">=0.1,<0.2"
    settings_form = DeliverySettings

    @hook("shipping_methods")
    def delivery_methods(
        self, methods, *, storefront, settings, basket, user, company, address, **kwargs
    ):
        """The storefront's active methods that serve ``address`` and take the basket's weight and
        volume, first; then the methods received, without Pipit's supplier delivery unless the
        settings keep it. A storefront with no active method yet changes nothing."""
        mine = rates.options_for(storefront, basket, address)
        if mine is None:
            return methods
        others = [m for m in methods if keeps_default(settings) or m.code != SupplierDelivery.code]
        taken = {option.code for option in mine}
        return [*mine, *(m for m in others if m.code not in taken)]

    @slot("cart")
    def delivery_costs(self, *, request, storefront, settings, basket, **context):
        """The methods and costs for the buyer company's default delivery address, with how much
        more the cart needs for free delivery."""
        company = buyer_company(request.user, storefront)
        if company is None or basket.is_empty or not basket.is_tax_known:
            return None
        address = (
            company.addresses.filter(kind="delivery").order_by("-is_default", "label", "pk").first()
        )
        options = rates.options_for(storefront, basket, address)
        if not options:
            return None
        rows = [(option, option.calculate(basket)) for option in options]
        hint = None
        if settings.get("free_delivery_hint", True):
            hint = _free_delivery_hint(rows, basket)
        return "pipit_delivery/cart_costs.html", {
            "delivery_rows": rows,
            "delivery_address": address,
            "delivery_hint": hint,
            "delivery_currency": basket.currency,
        }

    def load_demo(self, storefront) -> None:
        """Zones and methods for the demo's Russian storefronts; see :mod:`pipit_delivery.demo`."""
        from .demo import load_demo

        load_demo(storefront)


def _free_delivery_hint(rows, basket) -> dict | None:
    """The paid method that becomes free soonest: its name, threshold and the amount missing."""
    total = basket.total_incl_tax
    candidates = [
        option
        for option, price in rows
        if option.rule.free_above is not None
        and price.incl_tax > 0
        and total < option.rule.free_above
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda option: option.rule.free_above)
    return {
        "name": best.name,
        "threshold": best.rule.free_above,
        "missing": (best.rule.free_above - total).quantize(Decimal("0.01")),
    }
