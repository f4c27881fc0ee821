"""The buyer's "API access" page: see, create, regenerate and revoke their own API token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from rest_framework.authtoken.models import Token

from pipit.tenancy.access import user_allowed_on_storefront


class ApiTokenView(LoginRequiredMixin, TemplateView):
    """The key is shown once, right after it is made; afterwards only its last characters."""

    template_name = "api/account_tokens.html"
    page_title = _("API access")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_allowed_on_storefront(
            request.user, request.storefront
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=self.page_title,
            token=Token.objects.filter(user=self.request.user).first(),
            api_root=self.request.build_absolute_uri("/api/v1/"),
            docs_url="/api/docs/",
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "create":
            with transaction.atomic():
                Token.objects.filter(user=request.user).delete()
                token = Token.objects.create(user=request.user)
            # Rendered, not redirected: the full key must not land in a URL or the session.
            return self.render_to_response(self.get_context_data(new_key=token.key))
        if action == "revoke":
            deleted, _rows = Token.objects.filter(user=request.user).delete()
            if deleted:
                messages.success(request, _("Your API token was revoked. It no longer works."))
            return redirect("api-tokens:index")
        messages.error(request, _("Unknown action."))
        return redirect("api-tokens:index")
