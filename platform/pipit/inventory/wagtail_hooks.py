"""Stock per warehouse in the admin: what is out, what runs low, when it comes back."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn

from pipit.tenancy.access import staff_storefront_ids
from pipit.tenancy.admin_views import ScopedEditView, ScopedIndexView, ScopedModelViewSet

from . import services
from .models import Warehouse, WarehouseStock

#: "Low" is this many available units or fewer (but more than none).
LOW_STOCK = 5


def _staff_warehouses(request):
    if request is None:
        return Warehouse.objects.none()
    return Warehouse.objects.filter(storefronts__in=staff_storefront_ids(request.user)).distinct()


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
        queryset = queryset.with_available()
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
    """Saves through :func:`~pipit.inventory.services.set_stock`, never writing
    ``num_allocated``; the check against reservations happens there, on the locked row."""

    def save(self, commit: bool = True) -> WarehouseStock:
        instance = super().save(commit=False)
        if commit:
            self.instance = instance = services.set_stock(
                instance.pk,
                num_in_stock=self.cleaned_data["num_in_stock"],
                restock_date=self.cleaned_data["restock_date"],
            )
        return instance


class StockEditView(ScopedEditView):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            # Orders reserved more units than the new level while the form was open.
            form.add_error("num_in_stock", error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


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
    edit_view_class = StockEditView
    ordering = ["stockrecord__partner_sku", "warehouse__priority"]
    add_to_reference_index = False
    edit_handler = ObjectList(
        [FieldPanel("num_in_stock"), FieldPanel("restock_date")], base_form_class=StockForm
    )


@hooks.register("register_admin_viewset")
def register_stock_screens():
    return StockViewSet("stock")
