"""Who may act on a storefront: the one rule the storefront pages, the API and pricing share."""

from __future__ import annotations

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
        cached = getattr(user, "_pipit_staff_storefront_ids", None)
        if cached is None:
            cached = set(Storefront.objects.for_staff(user).values_list("pk", flat=True))
            user._pipit_staff_storefront_ids = cached
        return storefront.pk in cached
    return False
