"""Orders in the Wagtail admin: a scoped list and a detail page with the status change."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from oscar.apps.order.exceptions import InvalidOrderStatus
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from pipit.companies.models import Company
from pipit.ordering import statuses
from pipit.ordering.models import LineAllocation
from pipit.oscar_apps.order.models import Line, Order
from pipit.tenancy.admin_views import (
    ScopedIndexView,
    ScopedModelViewSet,
    ScopedViewMixin,
    storefront_filter,
)


class OrderFilterSet(WagtailFilterSet):
    storefront = storefront_filter()
    status = django_filters.ChoiceFilter(label=_("status"), choices=statuses.choices)
    company = django_filters.ModelChoiceFilter(
        label=_("company"),
        queryset=lambda request: (
            Company.objects.for_staff(request.user).select_related("storefront")
            if request
            else Company.objects.none()
        ),
    )
    date_placed = django_filters.DateFromToRangeFilter(
        label=_("placed"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Order
        fields = ["storefront", "status", "company", "date_placed"]


class StatusColumn(Column):
    def get_value(self, instance):
        return statuses.label(instance.status)


class OrderIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("company", "storefront")

    def get_add_url(self):
        return None  # orders are placed by buyers on the storefront


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, statuses.label(s)) for s in order.available_statuses()]


class OrderDetailView(
    ScopedViewMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    """An order as staff read it, and the status change along the configured pipeline."""

    model = Order
    any_permission_required = ["view", "change"]
    template_name = "ordering/admin/order_detail.html"
    page_title = _("Order")
    header_icon = "list-ul"
    index_url_name = None
    edit_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        orders = Order.objects.select_related("company", "storefront", "shipping_address", "user")
        self.object = get_object_or_404(self.scope(orders), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.object.number

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Orders")},
            {"url": "", "label": self.object.number},
        ]

    def lines(self):
        return (
            Line.objects.filter(order=self.object)
            .select_related("product", "partner", "pricing")
            .prefetch_related(
                Prefetch("allocations", queryset=LineAllocation.objects.select_related("warehouse"))
            )
        )

    def can_change(self) -> bool:
        return self.user_has_permission("change")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        context.setdefault("status_form", StatusForm(order=order))
        context.update(
            order=order,
            lines=self.lines(),
            show_allocations=True,
            status=statuses.label(order.status),
            can_change=self.can_change() and bool(order.available_statuses()),
            status_changes=[
                (change, statuses.label(change.old_status), statuses.label(change.new_status))
                for change in order.status_changes.order_by("-date_created")
            ],
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_change():
            raise PermissionDenied
        form = StatusForm(request.POST, order=self.object)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(status_form=form))
        new_status = form.cleaned_data["status"]
        try:
            with transaction.atomic():
                order = Order.objects.select_for_update().get(pk=self.object.pk)
                # Oscar's set_status checks the pipeline, cascades line statuses, sends
                # order_status_changed and writes the OrderStatusChange row.
                order.set_status(new_status)
        except InvalidOrderStatus as error:
            messages.error(request, str(error))
            return redirect(self.edit_url_name, self.object.pk)
        messages.success(
            request,
            _("Order %(number)s is now: %(status)s")
            % {"number": order.number, "status": statuses.label(new_status)},
        )
        return redirect(self.edit_url_name, self.object.pk)


class OrderViewSet(ScopedModelViewSet):
    model = Order
    icon = "list-ul"
    menu_label = _("Orders")
    menu_order = 400
    list_display = [
        "number",
        DateColumn("date_placed", label=_("placed"), sort_key="date_placed"),
        "company",
        "storefront",
        StatusColumn("status", label=_("status"), sort_key="status"),
        "po_number",
        "total_incl_tax",
    ]
    search_fields = ["number", "po_number", "company__name", "company__inn"]
    filterset_class = OrderFilterSet
    index_view_class = OrderIndexView
    edit_view_class = OrderDetailView
    ordering = ["-date_placed"]
    form_fields = ["status"]  # never rendered: OrderDetailView is the edit view
    add_to_reference_index = False
