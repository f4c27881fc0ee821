"""Every hook a plugin may implement, declared once.

Two kinds:

* **value** hooks run as a pipeline: each plugin switched on for the storefront receives the value
  the previous one returned and returns the (possibly changed) value. A plugin that raises is
  logged and skipped; the value it received passes on unchanged (the documented fallback). Run
  them with :func:`pipit.plugins.dispatch.run_value_hook`.
* **event** hooks run after the transaction that caused them commits, in a Celery task, with a
  JSON-serialisable ``dict`` payload, so that the same events can later be sent as webhooks. Emit
  them with :func:`pipit.plugins.dispatch.emit_event`.

A plugin implements a hook by decorating a method with :func:`hook`::

    class MyPlugin(Plugin):
        @hook("checkout_validation")
        def no_weekend_orders(self, errors, *, storefront, settings, basket, user, company):
            return [*errors, "..."]

Every implementation receives ``storefront`` (the :class:`~pipit.tenancy.models.Storefront`) and
``settings`` (the plugin's saved settings for that storefront, a ``dict``) as keyword arguments,
plus the hook's own arguments listed below. Keep this set small: add a hook when a plugin needs it.

**UI slots** (:data:`SLOTS`) are named places in the storefront's templates where the plugins
switched on for the storefront render content. A plugin fills one with a method decorated with
:func:`slot`; the theme marks the place with ``{% load pipit_plugins %}{% plugin_slot "name"
product=product %}``. See :mod:`pipit.plugins.templatetags.pipit_plugins`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from django.core.exceptions import ImproperlyConfigured

HOOK_ATTRIBUTE = "_pipit_hook"
SLOT_ATTRIBUTE = "_pipit_slot"

F = TypeVar("F", bound=Callable)


class HookError(ImproperlyConfigured):
    """A plugin names an undeclared hook or slot, or implements one twice or as the wrong kind."""


@dataclass(frozen=True)
class HookSpec:
    """The declaration of one hook: its name, kind, meaning and call signature or payload."""

    name: str
    kind: Literal["value", "event"]
    doc: str
    #: For value hooks: the value and the keyword arguments; for event hooks: the payload keys.
    signature: str


HOOKS: dict[str, HookSpec] = {
    spec.name: spec
    for spec in [
        HookSpec(
            name="product_availability",
            kind="value",
            doc=(
                "Whether and how a product can be bought on this storefront. Receives the "
                "availability Pipit's pricing strategy computed (an Oscar availability object: "
                "is_available_to_buy, is_purchase_permitted(quantity), message) and returns an "
                "availability object. Runs for every product shown or put in a cart, so do no "
                "query per product. For a parent product ``stockrecord`` is None. ``user`` may "
                "be anonymous; ``company`` is the buyer's company or None. Fallback: the "
                "availability received."
            ),
            signature=(
                "(availability, *, storefront, settings, product, stockrecord, user, company) "
                "-> availability"
            ),
        ),
        HookSpec(
            name="checkout_validation",
            kind="value",
            doc=(
                "Extra checks before an order is placed. Receives the list of error messages "
                "found so far (buyer-facing strings) and returns the list, with any errors of its "
                "own appended; a non-empty list stops the checkout (the buyer sees them as "
                "errors of the cart; nothing is written). Runs inside the order's transaction "
                "with the basket priced for this buyer, before stock is reserved. Fallback: the "
                "list received."
            ),
            signature="(errors: list[str], *, storefront, settings, basket, user, company) -> list",
        ),
        HookSpec(
            name="shipping_methods",
            kind="value",
            doc=(
                "The delivery methods a buyer may choose for this basket, and their cost. "
                "Receives the list computed so far (Oscar shipping method objects with a unique "
                "``code``, a ``name``, an optional ``description`` and ``calculate(basket)`` "
                "returning an ``oscar.core.prices.Price`` with tax known; Pipit's default is "
                "``pipit.ordering.shipping.SupplierDelivery``, the supplier's own delivery "
                "priced separately) and returns the list, to which it may add, from which it "
                "may remove, or which it may replace; the first is preselected. ``address`` is "
                "the ``CompanyAddress`` delivered to: the one chosen at checkout (possibly not "
                "saved yet: a new address being typed), the company's default delivery address "
                "for the cart's estimate, or None when there is none. Runs on the cart, checkout "
                "and API cart pages and again when the order is placed, where the buyer's "
                "choice must still be offered at the same price. An empty list means the basket "
                "cannot be delivered there: checkout refuses it. Fallback: the list received."
            ),
            signature=(
                "(methods: list, *, storefront, settings, basket, user, company, address) -> list"
            ),
        ),
        HookSpec(
            name="order_placed",
            kind="event",
            doc="A buyer placed an order; runs after the order's transaction commits.",
            signature=(
                "{order_number: str, storefront_id: int, company_id: int | None, "
                "total_incl_tax: str, currency: str}"
            ),
        ),
        HookSpec(
            name="order_status_changed",
            kind="event",
            doc="An order's status changed; runs after the change commits.",
            signature=(
                "{order_number: str, storefront_id: int, company_id: int | None, "
                "old_status: str, new_status: str}"
            ),
        ),
        HookSpec(
            name="company_approved",
            kind="event",
            doc=(
                "Staff approved a registration request: a buyer company and its first user "
                "exist; runs after the approval commits."
            ),
            signature="{company_id: int, storefront_id: int, name: str, inn: str, user_email: str}",
        ),
        HookSpec(
            name="price_list_published",
            kind="event",
            doc=(
                "A price list was published, unpublished or deleted and the storefront's prices "
                "were recompiled for it; runs after the recompile commits."
            ),
            signature=(
                "{price_list_id: int, storefront_id: int, name: str, kind: str, live: bool, "
                "rows_recompiled: int}"
            ),
        ),
    ]
}


def get_spec(name: str, kind: str | None = None) -> HookSpec:
    """The declaration of hook ``name``; ImproperlyConfigured if undeclared or of another kind."""
    spec = HOOKS.get(name)
    if spec is None:
        raise HookError(f"Unknown Pipit hook {name!r}; declared hooks: {', '.join(sorted(HOOKS))}.")
    if kind is not None and spec.kind != kind:
        raise HookError(f"Pipit hook {name!r} is a {spec.kind} hook, not a {kind} hook.")
    return spec


def hook(name: str) -> Callable[[F], F]:
    """Mark a :class:`~pipit.plugins.base.Plugin` method as the implementation of hook ``name``.

    An undeclared name raises :class:`HookError` (an ``ImproperlyConfigured``) naming it as
    soon as the plugin's module is imported, i.e. at start-up.
    """
    get_spec(name)

    def decorator(func: F) -> F:
        setattr(func, HOOK_ATTRIBUTE, name)
        return func

    return decorator


@dataclass(frozen=True)
class SlotSpec:
    """The declaration of one UI slot: its name, where it is and what the template passes."""

    name: str
    doc: str
    #: The keyword arguments the template passes besides request, storefront and settings.
    context: tuple[str, ...] = ()


SLOTS: dict[str, SlotSpec] = {
    spec.name: spec
    for spec in [
        SlotSpec(
            name="header",
            doc="In the storefront header, beside the account and basket links.",
        ),
        SlotSpec(
            name="product_page",
            doc="On the product page, below the price and the add-to-cart form.",
            context=("product",),
        ),
        SlotSpec(
            name="cart",
            doc="On the cart page, below the lines and totals.",
            context=("basket",),
        ),
        SlotSpec(
            name="checkout",
            doc="On the checkout's order preview, above the button that places the order.",
            context=("basket",),
        ),
        SlotSpec(
            name="account_menu",
            doc="In the account menu; render list items (``<li>``) of links.",
        ),
        SlotSpec(
            name="account_dashboard",
            doc="On the account's profile page, below the buyer's details.",
        ),
        SlotSpec(
            name="order_list_row",
            doc="In each row of the order history, in its last cell (e.g. a button).",
            context=("order",),
        ),
        SlotSpec(
            name="order_detail",
            doc="On an order's page in the account, below its lines and totals.",
            context=("order",),
        ),
    ]
}


def get_slot_spec(name: str) -> SlotSpec:
    """The declaration of UI slot ``name``; :class:`HookError` if undeclared."""
    spec = SLOTS.get(name)
    if spec is None:
        raise HookError(f"Unknown Pipit UI slot {name!r}; declared slots: {', '.join(SLOTS)}.")
    return spec


def slot(name: str) -> Callable[[F], F]:
    """Mark a :class:`~pipit.plugins.base.Plugin` method as the plugin's content for UI slot
    ``name``.

    The method is called with keyword arguments ``request``, ``storefront``, ``settings`` and the
    slot's own context (e.g. ``product``); accept ``**context`` so that a slot gaining an argument
    does not break it. It returns ``None`` (nothing to show), a string (escaped unless marked
    safe) or a ``(template_name, context)`` pair, rendered with the storefront's theme and the
    page's context. An undeclared name raises :class:`HookError` when the module is imported.
    """
    get_slot_spec(name)

    def decorator(func: F) -> F:
        setattr(func, SLOT_ATTRIBUTE, name)
        return func

    return decorator
