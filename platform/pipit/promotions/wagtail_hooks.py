"""Admin screens of order promotions, under Pricing → Order promotions.

A Wagtail snippet with drafts, revisions, scheduled publishing, locking and workflows, scoped to
the storefronts the user staffs: the listing, the filters, the form's choices, the chooser, and
every URL that names a promotion (edit, history, preview, delete, ...) answers 404 for another
storefront's promotion. Oscar's own offer dashboard stays for platform superusers only.
"""

from __future__ import annotations

from functools import wraps

import django_filters
from django.contrib.admin.utils import unquote
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    MultipleChooserPanel,
    ObjectList,
    PublishingPanel,
)
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views.snippets import SnippetViewSet

from pipit.cms.choosers import category_chooser_viewset, product_chooser_viewset
from pipit.cms.wagtail_hooks import StorefrontScopedPolicy
from pipit.pricing.admin_menu import PRICING_MENU_HOOK
from pipit.tenancy.admin_views import storefront_filter

from .forms import OrderPromotionForm
from .models import OrderPromotion

# Registered before anything asks the registry about OrderPromotion (Wagtail requires that).
register_permission_policy(OrderPromotion, StorefrontScopedPolicy(OrderPromotion))


class OrderPromotionFilterSet(WagtailFilterSet):
    storefront = storefront_filter()
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrderPromotion.Kind.choices)
    state = django_filters.ChoiceFilter(
        label=_("State"),
        method="filter_state",
        choices=[
            ("live", _("Published")),
            ("in_force", _("Published and valid today")),
            ("scheduled", _("Scheduled")),
            ("draft", _("Draft, never published")),
        ],
    )

    class Meta:
        model = OrderPromotion
        fields = ["storefront", "kind"]

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "live":
            return queryset.filter(live=True)
        if value == "in_force":
            return queryset.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=today),
                Q(valid_to__isnull=True) | Q(valid_to__gte=today),
                live=True,
            )
        if value == "scheduled":
            return queryset.filter(go_live_at__gt=timezone.now(), expired=False)
        if value == "draft":
            return queryset.filter(live=False, first_published_at__isnull=True)
        return queryset


def _scoped_promotions(request):
    return OrderPromotion.objects.for_staff(request.user)


class ScopedChooseView(snippet_chooser.ChooseView):
    def get_object_list(self):
        return _scoped_promotions(self.request)


class ScopedChooseResultsView(snippet_chooser.ChooseResultsView):
    def get_object_list(self):
        return _scoped_promotions(self.request)


class ScopedChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return _scoped_promotions(self.request).get(pk=pk)


class OrderPromotionChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView


def promotion_in_scope(view):
    """404 for a promotion of a storefront the user does not staff, on every URL naming one."""

    @wraps(view)
    def scoped(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            try:
                in_scope = _scoped_promotions(request).filter(pk=unquote(str(pk))).exists()
            except (TypeError, ValueError):
                in_scope = False
            if not in_scope:
                raise Http404
        return view(request, *args, **kwargs)

    return scoped


panels = [
    FieldPanel("storefront"),
    FieldPanel("name"),
    FieldPanel("description"),
    MultiFieldPanel(
        [
            FieldPanel("kind"),
            FieldRowPanel([FieldPanel("threshold"), FieldPanel("value")]),
            FieldRowPanel([FieldPanel("buy_quantity"), FieldPanel("free_quantity")]),
        ],
        heading=_("What the buyer gets"),
    ),
    MultipleChooserPanel(
        "scope_products",
        chooser_field_name="product",
        heading=_("Multi-buy: products"),
        label=_("Product"),
        panels=[FieldPanel("product", widget=product_chooser_viewset.widget_class)],
        help_text=_("A parent product covers all its variants."),
    ),
    InlinePanel(
        "scope_categories",
        heading=_("Multi-buy: categories"),
        label=_("Category"),
        panels=[FieldPanel("category", widget=category_chooser_viewset.widget_class)],
        help_text=_("Products of the category and of its subcategories count."),
    ),
    MultiFieldPanel(
        [FieldPanel("customer_scope"), FieldPanel("groups"), FieldPanel("companies")],
        heading=_("Who gets it"),
    ),
    MultiFieldPanel(
        [
            FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
            FieldRowPanel([FieldPanel("priority"), FieldPanel("exclusive")]),
        ],
        heading=_("When, and with which other promotions"),
    ),
    PublishingPanel(),
]


class OrderPromotionViewSet(SnippetViewSet):
    model = OrderPromotion
    icon = "tag"
    menu_label = _("Order promotions")
    menu_name = "order-promotions"
    menu_hook = PRICING_MENU_HOOK
    menu_order = 400
    chooser_viewset_class = OrderPromotionChooserViewSet
    filterset_class = OrderPromotionFilterSet
    search_fields = ["name", "description"]
    search_backend_name = None
    list_display = [
        "name",
        Column("storefront", label=_("Storefront")),
        Column("terms_label", label=_("Gives")),
        Column("audience_label", label=_("Buyers")),
        Column("valid_from", label=_("Valid from")),
        Column("valid_to", label=_("Valid to")),
        Column("priority", label=_("Priority")),
        LiveStatusTagColumn(),
        UpdatedAtColumn(),
    ]
    list_per_page = 50
    ordering = ["-priority", "name"]
    copy_view_enabled = False
    edit_handler = ObjectList(panels, base_form_class=OrderPromotionForm)

    def get_queryset(self, request):
        return (
            OrderPromotion.objects.for_staff(request.user)
            .select_related("storefront")
            .prefetch_related("groups", "companies")
            .with_admin_status()
        )

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            pattern.callback = promotion_in_scope(pattern.callback)
        return patterns


register_snippet(OrderPromotionViewSet)
