"""The "Pricing" submenu of the admin. Each pricing screen registers itself under
:data:`PRICING_MENU_HOOK` (``menu_hook`` on a viewset), so the menu is assembled from the modules
that own the screens."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup

PRICING_MENU_HOOK = "register_pricing_menu_item"


class PricingMenuGroup(ViewSetGroup):
    menu_label = _("Pricing")
    menu_name = "pricing"
    menu_icon = "tag"
    menu_order = 160
    submenu_hook = PRICING_MENU_HOOK
    items = ()
