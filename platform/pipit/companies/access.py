"""The buyer's company on a storefront: the one audited rule every view, service and API uses.

Code that needs "the company this signed-in buyer acts for here" calls :func:`buyer_company` (or,
in a view, :func:`require_buyer_company`) and nothing else. Reading ``user.company_membership``
directly skips the storefront and suspension checks; the seven hand-written variants this module
replaced disagreed on exactly those (one let a suspended company's buyers read order history).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import Company, CompanyMember


def _membership(user) -> CompanyMember | None:
    """The user's membership with its company, in at most one query.

    The auth backend's ``get_user`` and the API token lookup ``select_related`` the membership and
    its company, so on a request this costs nothing; otherwise one joined query fills the same
    cache, so later reads (``user.company_membership.company``) do not query either.
    """
    user_field = CompanyMember._meta.get_field("user")
    # The reverse side (``user.company_membership``); works through request.user's lazy wrapper.
    reverse = user_field.remote_field
    if not reverse.is_cached(user):
        membership = CompanyMember.objects.select_related("company").filter(user=user).first()
        # Cached even when None, as select_related does: "no membership" is not asked twice.
        reverse.set_cached_value(user, membership)
        if membership is not None:
            user_field.set_cached_value(membership, user)
    try:
        return user.company_membership
    except CompanyMember.DoesNotExist:
        return None


def buyer_company(user, storefront, *, active: bool = True) -> Company | None:
    """The company ``user`` buys for on ``storefront``, or ``None``.

    ``None`` for anonymous visitors, staff without a company, and buyers whose company belongs to
    another storefront. With ``active=True`` (the default, and what every place a buyer reads
    company data or acts uses) a suspended company is ``None`` too; ``active=False`` exists only so
    a caller can tell a suspended buyer *why* they are refused.
    """
    if storefront is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    membership = _membership(user)
    if membership is None:
        return None
    company = membership.company
    if company.storefront_id != storefront.pk:
        return None
    if active and not company.is_active:
        return None
    return company


def require_buyer_company(
    request, *, not_found: bool = False, message: str | None = None
) -> Company:
    """:func:`buyer_company` of the request's user on the request's storefront, for views.

    Raises :class:`~django.core.exceptions.PermissionDenied` (403) when there is none, or
    :class:`~django.http.Http404` with ``not_found=True`` for pages that must not admit they exist.
    """
    company = buyer_company(getattr(request, "user", None), getattr(request, "storefront", None))
    if company is None:
        message = message or _("This page is for buyers of a company of this storefront.")
        raise Http404(message) if not_found else PermissionDenied(message)
    return company
