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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from django.core.exceptions import ImproperlyConfigured

HOOK_ATTRIBUTE = "_pipit_hook"

F = TypeVar("F", bound=Callable)


class HookError(ImproperlyConfigured):
    """A plugin names an undeclared hook, or implements a hook twice or as the wrong kind."""


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
