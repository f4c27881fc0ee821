"""API authentication that respects tenancy: credentials work only on the caller's storefront.

A buyer's token or session is valid on the host of their company's storefront only; staff on the
storefronts they administer; superusers everywhere. Anything else is refused as unauthenticated
(401 for tokens), so a token leaked from one storefront opens nothing on another.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from pipit.tenancy.access import user_allowed_on_storefront


def _check_storefront(request, user) -> None:
    storefront = getattr(request._request, "storefront", None)
    if storefront is None and user.is_active and user.is_superuser:
        # A platform host (no storefront) serves only the API schema and docs; a superuser's
        # admin session stays valid there, as it always was.
        return
    if not user_allowed_on_storefront(user, storefront):
        raise exceptions.AuthenticationFailed(
            _("These credentials are not valid on this storefront.")
        )


class StorefrontTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, accepted on the token owner's storefront only."""

    keyword = "Token"
    model = Token

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _check_storefront(request, result[0])
        return result

    def authenticate_credentials(self, key):
        try:
            # The membership is read by the storefront check and by every view: load it now.
            token = Token.objects.select_related("user__company_membership__company").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


class StorefrontSessionAuthentication(authentication.SessionAuthentication):
    """The storefront's own login session (with Django's CSRF check), for the site's scripts."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _check_storefront(request, result[0])
        return result
