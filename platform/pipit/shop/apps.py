"""Oscar's shop, mounted under ``/shop/`` with Pipit's own catalogue, search and order views."""

from django.http import Http404
from django.urls import include, path, re_path
from oscar.config import Shop

DISABLED_OSCAR_PATHS = ("accounts/wishlists/", "wishlists/", "accounts/alerts/", "offers/")


def disabled(request, *args, **kwargs):
    raise Http404


class ShopConfig(Shop):
    # Oscar's class loader finds its own modules through an app named "oscar"; keep that name.
    name = "oscar"

    def get_urls(self):
        urls = super().get_urls()
        # Oscar's "" route redirects to its catalogue; Wagtail serves "/" instead.
        urls = [u for u in urls if getattr(u, "name", None) != "home"]
        replaced = {"catalogue/", "search/"}
        urls = [u for u in urls if str(u.pattern) not in replaced]
        from .views import LoginView, ScopedBasketAddView

        return [
            # Not part of Pipit yet, and Oscar's versions take any product id installation-wide:
            # saved lists, stock alerts and the offers pages answer 404 until they are scoped.
            *[re_path(rf"^{prefix}", disabled) for prefix in DISABLED_OSCAR_PATHS],
            # Same path and name as Oscar's login, without its open sign-up.
            path("accounts/login/", LoginView.as_view(), name="login-without-signup"),
            path("basket/add/<int:pk>/", ScopedBasketAddView.as_view(), name="scoped-basket-add"),
            path("catalogue/", include("pipit.catalog.urls")),
            path("search/", include("pipit.catalog.search_urls")),
            # Company-wide order history replaces Oscar's per-user one; it is mounted first so the
            # paths Oscar's templates reverse (customer:order-list, customer:order) land here.
            path("accounts/", include("pipit.ordering.account_urls")),
            path("accounts/", include("pipit.companies.account_urls")),
            path("accounts/promotions/", include("pipit.cms.account_urls")),
            path("accounts/api-tokens/", include("pipit.api.account_urls")),
            *urls,
        ]
