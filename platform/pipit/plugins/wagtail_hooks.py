"""The Plugins screen in the admin's Commerce submenu."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from pipit.tenancy.admin_views import COMMERCE_MENU_HOOK

from .admin_views import PluginEditView, PluginIndexView, can_manage_plugins

urlpatterns = [
    path("", PluginIndexView.as_view(), name="index"),
    path("<str:plugin_id>/<int:storefront_id>/", PluginEditView.as_view(), name="edit"),
]


@hooks.register("register_admin_urls")
def register_plugin_urls():
    return [path("plugins/", include((urlpatterns, "pipit_plugins"), namespace="pipit_plugins"))]


class PluginsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_plugins(request.user)


@hooks.register(COMMERCE_MENU_HOOK)
def plugins_menu_item():
    return PluginsMenuItem(
        _("Plugins"), reverse("pipit_plugins:index"), name="plugins", icon_name="code", order=800
    )
