"""Delivery of B2B orders: the methods a buyer may choose, and what each costs.

Pipit's own method is the supplier's delivery, priced separately (nothing is charged on the
order). Plugins replace or extend the list through the ``shipping_methods`` value hook (a delivery
cost plugin adds couriers, transport companies and pickup points with their prices). The checkout,
the cart's estimate, the API and :func:`pipit.ordering.services.place_order` all ask
:func:`shipping_methods`, so the buyer is charged what they were shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.shipping.methods import Free
from oscar.core.prices import Price

from pipit.companies.access import buyer_company
from pipit.companies.models import Company, CompanyAddress
from pipit.plugins.dispatch import run_value_hook
from pipit.plugins.models import enabled_plugins

logger = logging.getLogger("pipit.ordering")

HOOK = "shipping_methods"


class SupplierDelivery(Free):
    """Delivery by the supplier at no charge on the order ("priced separately").

    A delivery-cost plugin can replace it with priced methods; the order keeps the chosen method's
    name and code, as Oscar does.
    """

    code = "supplier-delivery"
    name = _("Delivery by the supplier")
    description = _("Priced separately by the supplier; not charged on this order.")
    #: Shown as "priced separately" rather than as a free delivery.
    priced_separately = True


@dataclass(frozen=True)
class ShippingOption:
    """A shipping method with its charge for one basket, as shown to the buyer."""

    method: object
    charge: Price

    @property
    def code(self) -> str:
        return str(self.method.code)

    @property
    def name(self) -> str:
        return str(self.method.name)

    @property
    def description(self) -> str:
        return str(getattr(self.method, "description", "") or "")

    @property
    def priced_separately(self) -> bool:
        return bool(getattr(self.method, "priced_separately", False))

    @property
    def is_free(self) -> bool:
        return not self.priced_separately and self.charge.incl_tax == 0

    @property
    def fingerprint(self) -> str:
        """Code and price: what the buyer saw, to tell whether it changed before they ordered."""
        return f"{self.code}={self.charge.excl_tax}/{self.charge.incl_tax}"


@dataclass(frozen=True)
class ShippingQuote:
    """The delivery options for a basket and an address, with the one chosen (the first unless
    the buyer picked another) and the order total it makes."""

    options: list[ShippingOption]
    chosen: ShippingOption | None
    total: Price | None

    @property
    def fingerprint(self) -> str:
        return ";".join(option.fingerprint for option in self.options)


def shipping_methods(
    storefront,
    basket,
    user,
    company: Company | None,
    address: CompanyAddress | None = None,
    *,
    savepoint: bool = False,
) -> list:
    """The delivery methods offered for ``basket`` delivered to ``address``, preselected first.

    Starts from Pipit's :class:`SupplierDelivery` and passes the list through the storefront's
    ``shipping_methods`` plugins. A plugin that raises is skipped (its input passes on); a plugin
    that returns something other than a list of methods is ignored the same way. Pass
    ``savepoint=True`` inside a transaction that must survive a plugin's failed query.
    """
    default = [SupplierDelivery()]
    methods = run_value_hook(
        HOOK,
        list(default),
        storefront=storefront,
        savepoint=savepoint,
        basket=basket,
        user=user,
        company=company,
        address=address,
    )
    if not isinstance(methods, (list, tuple)) or not all(map(_is_method, methods)):
        logger.error(
            "The shipping_methods plugins of storefront %s returned %r, not a list of shipping "
            "methods; the default delivery is offered.",
            getattr(storefront, "pk", None),
            methods,
        )
        return default
    unique: dict[str, object] = {}
    for method in methods:
        unique.setdefault(str(method.code), method)  # the first of a code wins
    return list(unique.values())


def shipping_options(methods: list, basket, *, savepoint: bool = False) -> list[ShippingOption]:
    """``methods`` priced for ``basket``. A method whose price cannot be computed is left out
    (and logged) rather than offered at an unknown cost; with ``savepoint=True`` each is priced
    in its own savepoint, so that a failed query does not break the caller's transaction."""
    options = []
    for method in methods:
        try:
            if savepoint:
                with transaction.atomic():
                    charge = method.calculate(basket)
            else:
                charge = method.calculate(basket)
        except Exception:
            logger.exception("Shipping method %r failed to price a basket.", method.code)
            continue
        if not isinstance(charge, Price) or not charge.is_tax_known:
            logger.error("Shipping method %r priced a basket as %r.", method.code, charge)
            continue
        options.append(ShippingOption(method=method, charge=charge))
    return options


def quote(
    storefront, basket, user, company: Company | None, address=None, *, chosen_code: str = ""
) -> ShippingQuote:
    """The priced options for ``basket`` to ``address``, the one ``chosen_code`` names (the
    first when it is empty or no longer offered) and the order total with it."""
    options = shipping_options(shipping_methods(storefront, basket, user, company, address), basket)
    chosen = next((o for o in options if o.code == chosen_code), None) or next(iter(options), None)
    total = OrderTotalCalculator().calculate(basket, chosen.charge) if chosen else None
    return ShippingQuote(options=options, chosen=chosen, total=total)


def default_delivery_address(company: Company | None) -> CompanyAddress | None:
    """The company's default delivery address (else its first one): what the cart estimates for."""
    if company is None:
        return None
    return company.addresses.filter(kind="delivery").order_by("-is_default", "label", "pk").first()


def cart_quote(request, basket, address: CompanyAddress | None = None) -> ShippingQuote | None:
    """The delivery estimate of the cart: the options for ``address`` (by default the buyer
    company's default delivery address), the first preselected. None for visitors who are not
    company buyers and for an empty cart."""
    storefront = getattr(request, "storefront", None)
    company = buyer_company(request.user, storefront)
    if company is None or basket.is_empty:
        return None
    # Only plugins look at the address; without one switched on the cart needs no extra query.
    if address is None and _plugins_decide(storefront):
        address = default_delivery_address(company)
    return quote(storefront, basket, request.user, company, address)


def _plugins_decide(storefront) -> bool:
    return any(plugin.implementation(HOOK) for plugin, _settings in enabled_plugins(storefront))


def _is_method(method) -> bool:
    return bool(getattr(method, "code", None)) and callable(getattr(method, "calculate", None))
