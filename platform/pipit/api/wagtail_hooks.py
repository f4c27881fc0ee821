"""The "API tokens" screen in the admin's Commerce menu."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from pipit.tenancy.admin_views import COMMERCE_MENU_HOOK

from .admin_views import TokenIndexView, TokenRevokeView, can_manage_tokens


@hooks.register("register_admin_urls")
def register_token_urls():
    urls = [
        path("", TokenIndexView.as_view(), name="tokens"),
        path("<int:user_id>/revoke/", TokenRevokeView.as_view(), name="revoke"),
    ]
    return [path("api-tokens/", include((urls, "pipit_api_admin")))]


class TokenMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_tokens(request.user)


@hooks.register(COMMERCE_MENU_HOOK)
def token_menu_item():
    return TokenMenuItem(
        _("API tokens"),
        reverse("pipit_api_admin:tokens"),
        name="api-tokens",
        icon_name="key",
        order=800,
    )
