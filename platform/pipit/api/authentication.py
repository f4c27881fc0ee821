"""API authentication that respects tenancy: a buyer's credentials work only on their storefront."""

from rest_framework import authentication, exceptions

from pipit.companies.models import company_of


def _check_storefront(request, user):
    if user.is_staff or user.is_superuser:
        return
    storefront = getattr(request._request, "storefront", None)
    company = company_of(user)
    if storefront is None or company is None or company.storefront_id != storefront.pk:
        raise exceptions.AuthenticationFailed("These credentials are not valid on this storefront.")


class StorefrontSessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _check_storefront(request, result[0])
        return result


class StorefrontTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _check_storefront(request, result[0])
        return result
