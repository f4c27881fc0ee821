"""Who may act on a storefront: the one rule the storefront pages, the API and pricing share.

Also the staff scope every admin screen filters by (:func:`staff_storefront_ids`,
:func:`staff_storefronts`); products and categories in that scope are
:func:`pipit.catalog.queries.products_for_staff` and ``categories_for_staff``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Storefront


def user_allowed_on_storefront(user, storefront: Storefront | None) -> bool:
    """A superuser, staff of this storefront, or a buyer of an active company of this storefront.

    Anyone else who is logged in (a buyer or staff member of another storefront replaying a
    session cookie on this host) is treated as anonymous on this storefront.
    """
    if storefront is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    membership = getattr(user, "company_membership", None)
    if membership is not None:
        company = membership.company
        return company.storefront_id == storefront.pk and company.is_active
    if user.is_staff:
        return storefront.pk in staff_storefront_ids(user)
    return False


def staff_roles(user) -> dict[int, frozenset[str]]:
    """Storefront id → the roles (``StorefrontGroup.Role``) ``user`` holds there.

    Read once per user object and kept on it (one query), like :func:`staff_storefront_ids`.
    Superusers hold no roles: they need none.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_pipit_staff_roles", None)
    if cached is None:
        from .models import StorefrontGroup

        roles: dict[int, set[str]] = {}
        rows = StorefrontGroup.objects.filter(group__user=user).values_list("storefront_id", "role")
        for storefront_id, role in rows:
            roles.setdefault(storefront_id, set()).add(role)
        cached = {pk: frozenset(names) for pk, names in roles.items()}
        user._pipit_staff_roles = cached
    return cached


def staff_storefront_ids(user) -> frozenset[int]:
    """Primary keys of the storefronts ``user`` administers (every one for a superuser).

    Read once per user object and kept on it, so the admin's per-row permission checks and scope
    filters of one request share a single query. The user object lives for one request (the auth
    backend loads it afresh each time), so a change of role groups applies from the next request.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_pipit_staff_storefront_ids", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(Storefront.objects.values_list("pk", flat=True))
        else:
            cached = frozenset(staff_roles(user))
        user._pipit_staff_storefront_ids = cached
    return cached


def staff_storefronts(user) -> QuerySet[Storefront]:
    """The storefronts ``user`` administers (all of them for a superuser), as a queryset."""
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser:
        return Storefront.objects.all()
    return Storefront.objects.filter(pk__in=staff_storefront_ids(user))
