"""Order history of the buyer's company: every colleague sees every order of the company."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from pipit.companies.access import require_buyer_company
from pipit.oscar_apps.order.models import Line, Order, OrderStatusChange

from . import statuses
from .models import LineAllocation

ORDER_NUMBER = re.compile(r"[\w.-]{1,128}", re.ASCII)


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    po_number = forms.CharField(label=_("PO number"), required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *statuses.choices()]


class CompanyOrdersMixin(LoginRequiredMixin):
    """Orders of the signed-in buyer's active company on this storefront; anything else is a 404.

    A suspended company's buyers see no order history either.
    """

    def company_orders(self):
        company = require_buyer_company(
            self.request,
            not_found=True,
            message=_("Order history is for buyers of a company of this storefront."),
        )
        return Order.objects.for_company(self.request.storefront, company)


class OrderHistoryView(CompanyOrdersMixin, ListView):
    template_name = "ordering/order_list.html"
    context_object_name = "orders"
    paginate_by = 20

    def get_queryset(self):
        self.filter_form = OrderFilterForm(self.request.GET or None)
        qs = (
            self.company_orders()
            .select_related("user")
            .annotate(line_count=Count("lines"))
            .order_by("-date_placed", "-pk")
        )
        if self.filter_form.is_valid():
            if status := self.filter_form.cleaned_data["status"]:
                qs = qs.filter(status=status)
            if po_number := self.filter_form.cleaned_data["po_number"].strip():
                qs = qs.filter(po_number__icontains=po_number)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["filter_query"] = query.urlencode()
        context["is_filtered"] = bool(self.filter_form.is_bound and self.filter_form.has_changed())
        return context


class OrderDetailView(CompanyOrdersMixin, DetailView):
    template_name = "ordering/order_detail.html"
    context_object_name = "order"

    def get_object(self, queryset=None):
        lines = Line.objects.order_by("pk").prefetch_related(
            Prefetch(
                "allocations",
                queryset=LineAllocation.objects.select_related("warehouse"),
            )
        )
        qs = (
            self.company_orders()
            .select_related("user", "shipping_address", "company")
            .prefetch_related(
                Prefetch("lines", queryset=lines),
                Prefetch(
                    "status_changes", queryset=OrderStatusChange.objects.order_by("date_created")
                ),
            )
        )
        number = self.kwargs["order_number"]
        # Order numbers are short codes; anything else (NUL bytes, paths) is not even looked up.
        if not ORDER_NUMBER.fullmatch(number):
            raise Http404(_("No such order."))
        try:
            return qs.get(number=number)
        except Order.DoesNotExist:
            raise Http404(_("No such order.")) from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        timeline = [
            {
                "label": statuses.PLACED,
                "date": order.date_placed,
                "note": _("by %(name)s")
                % {"name": (order.user.get_full_name() or order.user.email) if order.user else "—"},
            }
        ]
        timeline += [
            {"label": statuses.label(change.new_status), "date": change.date_created, "note": ""}
            for change in order.status_changes.all()
        ]
        context.update(
            timeline=timeline,
            status_label=statuses.label(order.status),
            show_allocations=True,
            pipeline=statuses.choices(),
        )
        return context
