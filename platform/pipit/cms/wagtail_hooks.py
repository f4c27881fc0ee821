"""Admin screens of the CMS: product/category choosers and the Marketing menu (promo banners).

Every banner screen is scoped to the storefronts the editor staffs: the listing, the filters,
the form's choices, and every URL that names a banner (edit, history, preview, delete, ...),
which answers 404 for another storefront's banner.
"""

from __future__ import annotations

from functools import wraps

import django_filters
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from pipit.tenancy.access import staff_storefront_ids
from pipit.tenancy.admin_views import storefront_filter

from .blocks import PLACEMENT_CHOICES
from .choosers import category_chooser_viewset, product_chooser_viewset
from .forms import PromoBannerForm
from .models import PromoBanner


class StorefrontScopedPolicy(ModelPermissionPolicy):
    """Model permissions from the editor's role groups, limited to their storefronts' rows.

    Consulted by Wagtail's bulk actions and anywhere it asks about one instance.
    """

    def user_has_permission_for_instance(self, user, action, instance):
        # The ids are read once per request and kept on the user: the banner listing asks this
        # for every row.
        return self.user_has_permission(user, action) and (
            user.is_superuser or instance.storefront_id in staff_storefront_ids(user)
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.model.objects.for_staff(user)


# Registered before anything asks the registry about PromoBanner (Wagtail requires that).
register_permission_policy(PromoBanner, StorefrontScopedPolicy(PromoBanner))


@hooks.register("register_admin_viewset")
def register_product_chooser():
    return product_chooser_viewset


@hooks.register("register_admin_viewset")
def register_category_chooser():
    return category_chooser_viewset


class PromoBannerFilterSet(WagtailFilterSet):
    storefront = storefront_filter()
    placement = django_filters.ChoiceFilter(label=_("Placement"), choices=PLACEMENT_CHOICES)
    state = django_filters.ChoiceFilter(
        label=_("Shown now"),
        method="filter_state",
        choices=[
            ("live", _("Shown to buyers now")),
            ("scheduled", _("Scheduled")),
            ("expired", _("Expired")),
            ("draft", _("Draft, never published")),
        ],
    )

    class Meta:
        model = PromoBanner
        fields = ["storefront", "placement"]

    def filter_state(self, queryset, name, value):
        now = timezone.now()
        if value == "live":
            return queryset.filter(pk__in=PromoBanner.objects.shown_at(now).values("pk"))
        if value == "scheduled":
            return queryset.filter(go_live_at__gt=now, expired=False)
        if value == "expired":
            return queryset.filter(Q(expire_at__lte=now) | Q(expired=True))
        if value == "draft":
            return queryset.filter(live=False, first_published_at__isnull=True)
        return queryset


class ScopedBannerChooseView(snippet_chooser.ChooseView):
    def get_object_list(self):
        return PromoBanner.objects.for_staff(self.request.user)


class ScopedBannerChooseResultsView(snippet_chooser.ChooseResultsView):
    def get_object_list(self):
        return PromoBanner.objects.for_staff(self.request.user)


class ScopedBannerChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return PromoBanner.objects.for_staff(self.request.user).get(pk=pk)


class PromoBannerChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = ScopedBannerChooseView
    choose_results_view_class = ScopedBannerChooseResultsView
    chosen_view_class = ScopedBannerChosenView


def banner_in_scope(view):
    """404 for a banner of a storefront the user does not staff, on every URL that names one."""

    @wraps(view)
    def scoped(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            banners = PromoBanner.objects.for_staff(request.user)
            try:
                in_scope = banners.filter(pk=unquote(str(pk))).exists()
            except (TypeError, ValueError):
                in_scope = False
            if not in_scope:
                raise Http404
        return view(request, *args, **kwargs)

    return scoped


class PromoBannerViewSet(SnippetViewSet):
    model = PromoBanner
    icon = "pick"
    menu_label = _("Promo banners")
    menu_name = "promo-banners"
    add_to_admin_menu = False
    chooser_viewset_class = PromoBannerChooserViewSet
    filterset_class = PromoBannerFilterSet
    search_fields = ["title", "text"]
    list_display = [
        "title",
        Column("storefront", label=_("Storefront")),
        Column("get_placement_display", label=_("Placement")),
        Column("audience_label", label=_("Audience")),
        Column("priority", label=_("Priority")),
        Column("go_live_at", label=_("Go live")),
        Column("expire_at", label=_("Expires")),
        LiveStatusTagColumn(),
        UpdatedAtColumn(),
    ]
    list_per_page = 50
    ordering = ["-priority", "-pk"]
    copy_view_enabled = False
    edit_handler = ObjectList(PromoBanner.panels, base_form_class=PromoBannerForm)

    def get_queryset(self, request):
        return (
            PromoBanner.objects.for_staff(request.user)
            .select_related("storefront")
            .annotate(num_companies=Count("companies"))
            .with_admin_status()
        )

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            pattern.callback = banner_in_scope(pattern.callback)
        return patterns


class MarketingGroup(SnippetViewSetGroup):
    menu_label = _("Marketing")
    menu_icon = "pick"
    menu_name = "marketing"
    menu_order = 250
    items = (PromoBannerViewSet,)


register_snippet(MarketingGroup)
