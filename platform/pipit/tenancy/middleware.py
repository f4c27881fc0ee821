from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseForbidden, HttpResponseNotFound
from django.http.request import split_domain_port
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .access import user_allowed_on_storefront
from .context import reset_current_storefront, set_current_storefront
from .resolver import storefront_for_host
from .views import platform_index

# What a platform host (not a storefront: e.g. localhost) serves: the admin and its assets.
PLATFORM_PATHS = ("/admin/", "/django-admin/", "/static/", "/media/", "/api/schema/", "/api/docs/")


def _not_found(host: str) -> HttpResponseNotFound:
    message = escape(_("No storefront is served at %(host)s.") % {"host": host})
    return HttpResponseNotFound(f"<!doctype html><title>404</title><h1>404</h1><p>{message}</p>")


class StorefrontMiddleware:
    """Resolve ``request.storefront`` from the host; an unknown host answers 404.

    Wagtail's own ``Site.find_for_request`` falls back to the default site for an unknown host,
    which would serve one tenant's pages on any domain. Here the storefront's site is pinned on the
    request, so Wagtail never guesses.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = split_domain_port(request._get_raw_host())[0].lower()
        storefront = storefront_for_host(host) if host else None
        request.storefront = storefront
        if storefront is not None:
            request._wagtail_site = storefront.site
        elif host in settings.PIPIT_PLATFORM_HOSTS:
            if request.path == "/":
                return platform_index(request)
            if not request.path.startswith(PLATFORM_PATHS):
                return _not_found(host)
        else:
            return _not_found(host)

        token = set_current_storefront(storefront)
        try:
            return self.get_response(request)
        finally:
            reset_current_storefront(token)


class StorefrontLanguageMiddleware:
    """Storefront pages speak the storefront's language; the admin keeps the user's choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        storefront = request.storefront
        if storefront is None or request.path.startswith(("/admin/", "/django-admin/")):
            # Staff read the admin in their browser's language until they pick one in their
            # Wagtail account settings (which Wagtail then applies itself).
            with translation.override(translation.get_language_from_request(request)):
                return self.get_response(request)
        # override() restores the thread's language afterwards, so nothing that runs later on
        # this thread (another request, an in-process task) inherits this storefront's language.
        with translation.override(storefront.language):
            request.LANGUAGE_CODE = storefront.language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", storefront.language)
        return response


# Unscoped back-office screens list every storefront's data, so only platform superusers may
# open them: Oscar's dashboard, Django's own admin (Oscar registers its models there), Wagtail's
# reports, and Wagtail's admin API for images and documents (not filtered by collection).
PLATFORM_ONLY_PATHS = (
    "/shop/dashboard/",
    "/django-admin/",
    "/admin/reports/",
    "/admin/api/main/images/",
    "/admin/api/main/documents/",
)


class StorefrontUserMiddleware:
    """On storefront pages, a user who does not belong to this storefront is anonymous.

    Session cookies are per host in a browser, but a cookie can be replayed on another host by
    hand; and staff may log in anywhere. Neither may see this storefront's prices or account
    pages unless they are its buyers or staff (see :func:`user_allowed_on_storefront`). The admin
    keeps the real user: its screens are scoped by the user's own storefronts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        storefront = request.storefront
        if (
            storefront is not None
            and request.user.is_authenticated
            and not request.path.startswith(("/admin/", "/django-admin/"))
            and not user_allowed_on_storefront(request.user, storefront)
        ):
            request.user = AnonymousUser()
        return self.get_response(request)


class PlatformDashboardMiddleware:
    """Only platform superusers reach the unscoped back-office screens (``PLATFORM_ONLY_PATHS``).

    Storefront staff work in the Wagtail admin, whose screens are scoped to their storefronts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PLATFORM_ONLY_PATHS) and not request.user.is_superuser:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            return HttpResponseForbidden(_("This screen is for platform superusers only."))
        return self.get_response(request)
