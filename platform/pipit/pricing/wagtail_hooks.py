"""Admin screens of the pricing engine, under the "Pricing" menu.

The screens live in their own modules, each registering itself when imported here:
``admin_crud`` (customer groups, price lists and their rows, price rules), ``admin_insight``
(explain a price, the catalog as a company sees it, impact preview before publishing) and
``admin_import`` (contract price import).
"""

from wagtail import hooks

from . import admin_crud, admin_import, admin_insight  # noqa: F401  (they register their screens)
from .admin_menu import PricingMenuGroup


@hooks.register("register_admin_viewset")
def register_pricing_menu():
    return PricingMenuGroup()
