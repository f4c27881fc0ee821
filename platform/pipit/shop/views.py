from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from oscar.apps.customer.views import AccountAuthView


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
