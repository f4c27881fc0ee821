from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from oscar.apps.basket.views import BasketAddView
from oscar.apps.customer.views import AccountAuthView

from pipit.catalog.queries import products_for_storefront


class LoginView(AccountAuthView):
    """Oscar's login view without its built-in sign-up.

    B2B storefronts are not open: accounts come from registration requests that staff approve
    (``companies:register``). Oscar's view would still create a user from a hand-made POST with
    ``registration_submit``; here that POST is refused.
    """

    def post(self, request, *args, **kwargs):
        if "registration_submit" in request.POST:
            return HttpResponseBadRequest(
                _("Accounts are created on request; use the request form.")
            )
        return super().post(request, *args, **kwargs)

    def get_registration_form(self, bind_data=False):
        return None


class ScopedBasketAddView(BasketAddView):
    """Oscar's add-to-basket, finding the product among this storefront's products only.

    Oscar looks the product up by bare id, which would let a buyer put another storefront's (or a
    hidden) product into the basket and see its price there.
    """

    def post(self, request, *args, **kwargs):
        self.product = get_object_or_404(
            products_for_storefront(request.storefront), pk=kwargs["pk"]
        )
        # Skip BasketAddView.post, which would fetch the product again by bare id.
        return super(BasketAddView, self).post(request, *args, **kwargs)
