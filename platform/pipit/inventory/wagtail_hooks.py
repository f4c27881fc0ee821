"""Stock per warehouse in the admin: what is out, what runs low, when it comes back."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn

from pipit.tenancy.admin_views import ScopedIndexView, ScopedModelViewSet, staff_storefronts

from .models import Warehouse, WarehouseStock

#: "Low" is this many available units or fewer (but more than none).
LOW_STOCK = 5


def _staff_warehouses(request):
    if request is None:
        return Warehouse.objects.none()
    return Warehouse.objects.filter(storefronts__in=staff_storefronts(request.user)).distinct()


class StockFilterSet(WagtailFilterSet):
    warehouse = django_filters.ModelChoiceFilter(label=_("warehouse"), queryset=_staff_warehouses)
    level = django_filters.ChoiceFilter(
        label=_("stock level"),
        choices=[("out", _("Out of stock")), ("low", _("Low (%(n)s or fewer)") % {"n": LOW_STOCK})],
        method="filter_level",
    )

    class Meta:
        model = WarehouseStock
        fields = ["warehouse"]

    def filter_level(self, queryset, name, value):
        available = F("num_in_stock") - F("num_allocated")
        queryset = queryset.alias(available_units=available)
        if value == "out":
            return queryset.filter(available_units__lte=0)
        if value == "low":
            return queryset.filter(available_units__gt=0, available_units__lte=LOW_STOCK)
        return queryset


class StockIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("stockrecord__product", "warehouse")

    @cached_property
    def columns(self):
        columns = super().columns
        columns[0].label = _("SKU")  # instead of the derived "Stock record Partner SKU"
        return columns

    def get_add_url(self):
        return None  # rows are created with the product's stock (catalog import or product page)


class AvailableColumn(Column):
    def get_value(self, instance):
        return instance.available


class StockForm(WagtailAdminModelForm):
    def clean_num_in_stock(self):
        value = self.cleaned_data["num_in_stock"]
        if value < self.instance.num_allocated:
            raise forms.ValidationError(
                _("%(n)s are reserved by placed orders; stock cannot be lower.")
                % {"n": self.instance.num_allocated}
            )
        return value


class StockViewSet(ScopedModelViewSet):
    model = WarehouseStock
    storefront_lookup = "warehouse__storefronts"
    icon = "table"
    menu_label = _("Stock")
    menu_order = 600
    list_display = [
        "stockrecord__partner_sku",
        Column("product", label=_("Product"), accessor="stockrecord.product.get_title"),
        "warehouse",
        "num_in_stock",
        "num_allocated",
        AvailableColumn("available", label=_("Available")),
        DateColumn("restock_date", label=_("Expected restock date"), sort_key="restock_date"),
    ]
    search_fields = ["stockrecord__partner_sku", "stockrecord__product__title"]
    filterset_class = StockFilterSet
    index_view_class = StockIndexView
    ordering = ["stockrecord__partner_sku", "warehouse__priority"]
    add_to_reference_index = False
    edit_handler = ObjectList(
        [FieldPanel("num_in_stock"), FieldPanel("restock_date")], base_form_class=StockForm
    )


@hooks.register("register_admin_viewset")
def register_stock_screens():
    return StockViewSet("stock")
