"""Sales ops in the admin: the storefronts' products with a compact price and stock editor."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from oscar.apps.catalogue.models import Product
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from pipit.inventory.models import Warehouse, WarehouseStock
from pipit.inventory.services import set_stock
from pipit.oscar_apps.partner.models import StockRecord
from pipit.tenancy.admin_views import (
    ScopedIndexView,
    ScopedModelViewSet,
    staff_storefronts,
)
from pipit.tenancy.models import Storefront

from .queries import products_for_staff


class StaffCatalogScope:
    """What of the catalog a staff user reaches: their storefronts' products, partners, warehouses."""

    def __init__(self, user):
        self.user = user
        self.storefronts = list(staff_storefronts(user).prefetch_related("warehouses"))

    @cached_property
    def warehouses(self) -> list[Warehouse]:
        seen: dict[int, Warehouse] = {}
        for sf in self.storefronts:
            for wh in sf.warehouses.all():
                seen.setdefault(wh.pk, wh)
        return sorted(seen.values(), key=lambda w: (w.priority, w.pk))

    @cached_property
    def partner_ids(self) -> set[int]:
        return {wh.partner_id for wh in self.warehouses}

    @cached_property
    def shared_partner_ids(self) -> set[int]:
        """Partners that also sell on storefronts this user does not staff.

        A partner's base price (``StockRecord.price``) is one number for every storefront that
        sells from its warehouses; staff of one of them must not change what another's buyers pay.
        """
        mine = {sf.pk for sf in self.storefronts}
        links = Storefront.warehouses.through.objects.filter(
            warehouse__partner_id__in=self.partner_ids
        ).values_list("warehouse__partner_id", "storefront_id")
        return {partner_id for partner_id, storefront_id in links if storefront_id not in mine}

    def products(self) -> QuerySet[Product]:
        return products_for_staff(self.user)

    def stockrecords(self) -> QuerySet[StockRecord]:
        return StockRecord.objects.filter(partner_id__in=self.partner_ids)


class PriceColumn(Column):
    def get_value(self, instance):
        prices = sorted({r.price for r in instance.admin_records if r.price is not None})
        if not prices:
            return "—"
        if len(prices) == 1:
            return f"{prices[0]:.2f}"
        return f"{prices[0]:.2f} – {prices[-1]:.2f}"


class StockColumn(Column):
    def get_value(self, instance):
        return sum(s.available for r in instance.admin_records for s in r.admin_stocks)


class ProductIndexView(ScopedIndexView):
    def get_base_queryset(self):
        scope = StaffCatalogScope(self.request.user)
        stocks = Prefetch(
            "warehouse_stocks",
            queryset=WarehouseStock.objects.filter(warehouse__in=scope.warehouses),
            to_attr="admin_stocks",
        )
        records = Prefetch(
            "stockrecords",
            queryset=scope.stockrecords().prefetch_related(stocks),
            to_attr="admin_records",
        )
        return scope.products().select_related("product_class").prefetch_related(records)

    def get_add_url(self):
        return None  # products come from the catalog import (or Oscar's dashboard)


class PriceStockForm(forms.Form):
    """One price field per stock record, stock and restock date per warehouse of its partner."""

    def __init__(
        self,
        *args,
        records,
        warehouses,
        can_price: bool,
        can_stock: bool,
        shared_partner_ids: frozenset[int] | set[int] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.rows = []
        for record in records:
            shared = record.partner_id in shared_partner_ids
            price = forms.DecimalField(
                label=_("base price, before VAT"),
                max_digits=12,
                decimal_places=2,
                min_value=Decimal("0"),
                initial=record.price,
                # A disabled field keeps its initial value whatever is posted.
                disabled=not can_price or shared,
                help_text=(
                    _("Other storefronts sell this partner's offer too; ask a platform admin.")
                    if shared
                    else ""
                ),
            )
            self.fields[f"price_{record.pk}"] = price
            stocks = {s.warehouse_id: s for s in record.warehouse_stocks.all()}
            cells = []
            for wh in warehouses:
                if wh.partner_id != record.partner_id:
                    continue
                stock = stocks.get(wh.pk)
                qty_name, date_name = f"stock_{record.pk}_{wh.pk}", f"restock_{record.pk}_{wh.pk}"
                self.fields[qty_name] = forms.IntegerField(
                    label=_("in stock"),
                    min_value=0,
                    initial=stock.num_in_stock if stock else 0,
                    disabled=not can_stock,
                )
                self.fields[date_name] = forms.DateField(
                    label=_("expected restock date"),
                    required=False,
                    initial=stock.restock_date if stock else None,
                    disabled=not can_stock,
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                )
                cells.append((wh, stock, qty_name, date_name))
            self.rows.append((record, f"price_{record.pk}", cells))

    def bound_rows(self):
        """Rows for the template: (record, price field, [(warehouse, stock, qty, date), ...])."""
        return [
            (record, self[price], [(wh, stock, self[q], self[d]) for wh, stock, q, d in cells])
            for record, price, cells in self.rows
        ]

    def save(self, *, can_price: bool, can_stock: bool) -> bool:
        """Write the changes, all or nothing; False (with form errors) if stock was refused.

        Stock goes through :func:`~pipit.inventory.services.set_stock`, which checks the new
        level against the reservations of the locked row, not those this form was built with.
        """
        refused: dict[str, ValidationError] = {}
        with transaction.atomic():
            for record, price_name, cells in self.rows:
                if can_price and self.cleaned_data[price_name] != record.price:
                    record.price = self.cleaned_data[price_name]
                    record.save(update_fields=["price", "date_updated"])
                if not can_stock:
                    continue
                for wh, stock, qty_name, date_name in cells:
                    qty, restock = self.cleaned_data[qty_name], self.cleaned_data[date_name]
                    if stock is None:
                        if not (qty or restock):
                            continue
                        stock, _created = WarehouseStock.objects.get_or_create(
                            stockrecord=record, warehouse=wh
                        )
                    elif (qty, restock) == (stock.num_in_stock, stock.restock_date):
                        continue
                    try:
                        set_stock(stock.pk, num_in_stock=qty, restock_date=restock)
                    except ValidationError as error:
                        refused[qty_name] = error
            if refused:
                transaction.set_rollback(True)  # no half-saved product: prices stay as they were
        for name, error in refused.items():
            self.add_error(name, error)
        return not refused


class ProductPriceStockView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    model = Product
    form_class = PriceStockForm
    any_permission_required = ["view", "change"]
    template_name = "catalog/admin/product_price_stock.html"
    page_title = _("Price and stock")
    header_icon = "pick"
    index_url_name = None
    edit_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.catalog = StaffCatalogScope(request.user)
        self.object = get_object_or_404(self.catalog.products(), pk=kwargs["pk"])
        self.can_price = request.user.has_perm("partner.change_stockrecord")
        self.can_stock = request.user.has_perm("inventory.change_warehousestock")

    def get_page_subtitle(self):
        return self.object.get_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Products")},
            {"url": "", "label": self.object.get_title()},
        ]

    def get_form_class(self):
        return PriceStockForm  # not the model form the viewset passes to every edit view

    def records(self):
        own = Q(product=self.object) | Q(product__parent=self.object)
        return (
            self.catalog.stockrecords()
            .filter(own)
            .select_related("product", "partner")
            .prefetch_related("warehouse_stocks")
            .order_by("product__title", "partner_sku")
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "records": list(self.records()),
            "warehouses": self.catalog.warehouses,
            "can_price": self.can_price,
            "can_stock": self.can_stock,
            "shared_partner_ids": self.catalog.shared_partner_ids,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            product=self.object,
            can_save=self.can_price or self.can_stock,
            action_url=self.request.path,
        )
        return context

    def form_valid(self, form):
        if not (self.can_price or self.can_stock):
            raise PermissionDenied
        if not form.save(can_price=self.can_price, can_stock=self.can_stock):
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Prices and stock of '%(title)s' saved.") % {"title": self.object.get_title()},
        )
        return redirect(self.edit_url_name, self.object.pk)


class ProductViewSet(ScopedModelViewSet):
    """Products of the staff's storefronts (not a full product editor: that is Oscar's)."""

    model = Product
    icon = "pick"
    menu_label = _("Products")
    menu_order = 500
    list_display = [
        "title",
        "upc",
        "product_class",
        PriceColumn("price", label=_("base price")),
        StockColumn("stock", label=_("available")),
    ]
    search_fields = ["title", "upc"]
    index_view_class = ProductIndexView
    edit_view_class = ProductPriceStockView
    form_fields = ["title"]  # never rendered: ProductPriceStockView is the edit view
    add_to_reference_index = False
    ordering = ["title"]

    def scope_queryset(self, queryset, user):
        return queryset.filter(pk__in=StaffCatalogScope(user).products().values("pk"))
