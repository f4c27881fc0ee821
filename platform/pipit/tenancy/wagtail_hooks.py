"""The admin's storefront screens, the "Commerce" submenu and the staff dashboard panel."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import AdminOnlyMenuItem
from wagtail.admin.ui.components import Component

from .admin_views import COMMERCE_MENU_HOOK, CommerceMenuGroup, StorefrontViewSet, staff_storefronts

storefront_viewset = StorefrontViewSet("storefronts")


@hooks.register("register_admin_viewset")
def register_commerce():
    return [CommerceMenuGroup(), storefront_viewset]


@hooks.register(COMMERCE_MENU_HOOK)
def oscar_dashboard_menu_item():
    # Oscar's dashboard is unscoped (PlatformDashboardMiddleware lets only superusers in).
    return AdminOnlyMenuItem(
        _("Oscar dashboard (platform)"),
        "/shop/dashboard/",
        name="oscar-dashboard",
        icon_name="warning",
        order=9000,
    )


class CommerceSummaryPanel(Component):
    """Per storefront: pending registration requests and orders placed in the last week."""

    name = "commerce_summary"
    template_name = "tenancy/admin/commerce_summary_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        from pipit.companies.models import RegistrationRequest

        request = parent_context["request"]
        user = request.user
        week_ago = timezone.now() - timezone.timedelta(days=7)
        storefronts = staff_storefronts(user).annotate(
            pending_requests=Count(
                "registration_requests",
                filter=Q(registration_requests__status=RegistrationRequest.Status.PENDING),
                distinct=True,
            ),
            new_orders=Count(
                "orders",
                filter=Q(orders__status="new", orders__date_placed__gte=week_ago),
                distinct=True,
            ),
        )
        can_see_requests = user.has_perm("companies.view_registrationrequest")
        can_see_orders = user.has_perm("order.view_order")
        if not (can_see_requests or can_see_orders):
            return {"storefronts": []}
        return {
            "storefronts": list(storefronts),
            "can_see_requests": can_see_requests,
            "can_see_orders": can_see_orders,
        }


@hooks.register("construct_homepage_panels")
def add_commerce_summary(request, panels):
    panels.append(CommerceSummaryPanel())


@hooks.register("construct_main_menu")
def reports_for_platform_superusers_only(request, menu_items):
    # Wagtail's reports (site history, page types usage, aging pages…) list every site's pages,
    # snippets and log entries; they are not storefront-scoped, so only superusers get them
    # (PlatformDashboardMiddleware refuses their URLs to everyone else).
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "reports"]


@hooks.register("construct_page_chooser_queryset")
def page_chooser_shows_own_storefronts_only(pages, request):
    # Wagtail's page chooser lists every site's tree to anyone who can edit a page; staff of one
    # storefront must not browse another's pages (titles, drafts) through it.
    if request.user.is_superuser:
        return pages
    roots = [
        sf.site.root_page
        for sf in staff_storefronts(request.user).select_related("site__root_page")
    ]
    if not roots:
        return pages.none()
    from django.db.models import Q

    in_scope = Q()
    for root in roots:
        in_scope |= Q(path__startswith=root.path)
    return pages.filter(in_scope)
