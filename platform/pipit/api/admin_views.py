"""Wagtail admin: the API tokens of the buyers of the staff's storefronts, with revoke.

Keys are never shown here (whoever sees a key can act as its owner); a token is named by its
owner, and revoking it is a POST addressed by the owner's id.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from rest_framework.authtoken.models import Token
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from pipit.tenancy.models import Storefront, StorefrontGroup

#: Staff roles that look after buyer accounts, and so after their tokens.
TOKEN_ROLES = (StorefrontGroup.Role.ADMIN, StorefrontGroup.Role.MANAGER)


def token_storefronts(user) -> QuerySet[Storefront]:
    """Storefronts whose buyers' tokens ``user`` may see and revoke."""
    storefronts = Storefront.objects.for_staff(user)
    if user.is_superuser:
        return storefronts
    return storefronts.filter(
        role_groups__role__in=TOKEN_ROLES, role_groups__group__user=user
    ).distinct()


def can_manage_tokens(user) -> bool:
    return user.is_active and (user.is_superuser or token_storefronts(user).exists())


def tokens_for_staff(user) -> QuerySet[Token]:
    tokens = Token.objects.select_related("user__company_membership__company__storefront")
    if user.is_superuser:
        return tokens
    return tokens.filter(user__company_membership__company__storefront__in=token_storefronts(user))


class TokenAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_manage_tokens(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class TokenIndexView(TokenAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "pipit_api/admin/tokens.html"
    page_title = _("API tokens")
    header_icon = "key"
    per_page = 50

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tokens = tokens_for_staff(self.request.user).order_by("-created")
        query = self.request.GET.get("q", "").strip()
        if query:
            tokens = tokens.filter(user__email__icontains=query)
        page = Paginator(tokens, self.per_page).get_page(self.request.GET.get("p"))
        context.update(page=page, tokens=page.object_list, query=query)
        return context


class TokenRevokeView(TokenAccessMixin, View):
    http_method_names = ["post"]

    def post(self, request, user_id: int):
        token = get_object_or_404(tokens_for_staff(request.user), user_id=user_id)
        email = token.user.email
        token.delete()
        messages.success(request, _("The API token of %(email)s was revoked.") % {"email": email})
        return redirect(reverse("pipit_api_admin:tokens"))
