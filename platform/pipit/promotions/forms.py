"""The promotion form: storefront, audience and products limited to what the editor staffs and
to the storefront chosen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from pipit.catalog.queries import (
    categories_for_staff,
    categories_for_storefront,
    products_for_staff,
    products_for_storefront,
)
from pipit.companies.models import Company
from pipit.pricing.models import CustomerGroup
from pipit.tenancy.models import Storefront

from .models import OrderPromotion

SHORT_LIST = 30


def _chosen(formset, field: str) -> list[tuple[forms.Form, object]]:
    """(child form, chosen object) for the rows of an inline formset that are kept."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not data.get(field):
            continue
        rows.append((form, data[field]))
    return rows


class OrderPromotionForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        storefronts = (
            Storefront.objects.for_staff(user) if user is not None else Storefront.objects.none()
        )
        storefront_field = self.fields["storefront"]
        storefront_field.widget = forms.Select()
        storefront_field.queryset = storefronts
        storefront_field.empty_label = None if len(storefronts) == 1 else "---------"
        several = len(storefronts) > 1

        groups = self.fields["groups"]
        groups.widget = forms.CheckboxSelectMultiple()  # before the queryset: it sets choices
        groups.queryset = CustomerGroup.objects.filter(storefront__in=storefronts).select_related(
            "storefront"
        )
        groups.label_from_instance = (
            (lambda g: f"{g.name} ({g.storefront.name})") if several else (lambda g: g.name)
        )
        groups.help_text = _("For 'Customer groups': the groups whose companies get it.")

        companies = self.fields["companies"]
        audience = (
            Company.objects.filter(storefront__in=storefronts, is_active=True)
            .select_related("storefront")
            .order_by("storefront__name", "name")
        )
        few = audience.count() <= SHORT_LIST
        companies.widget = (
            forms.CheckboxSelectMultiple() if few else forms.SelectMultiple(attrs={"size": 10})
        )
        companies.queryset = audience
        companies.label_from_instance = (
            (lambda c: f"{c.name} ({c.storefront.name})") if several else (lambda c: c.name)
        )
        companies.help_text = _("For 'Companies': the companies that get it.")

        # The choosers list only the editor's products and categories; the same scope is what
        # the submitted ids are checked against.
        scoped = {
            "scope_products": ("product", products_for_staff(user) if user else None),
            "scope_categories": ("category", categories_for_staff(user) if user else None),
        }
        for relation, (field, queryset) in scoped.items():
            formset = self.formsets.get(relation)
            if formset is None or queryset is None:
                continue
            for form in formset.forms:
                form.fields[field].queryset = queryset

    def clean(self):
        cleaned = super().clean()
        storefront = cleaned.get("storefront")
        scope = cleaned.get("customer_scope")
        groups = cleaned.get("groups") or []
        companies = cleaned.get("companies") or []
        if storefront is not None:
            strangers = [g.name for g in groups if g.storefront_id != storefront.pk]
            if strangers:
                self.add_error(
                    "groups",
                    _("Not groups of %(storefront)s: %(names)s.")
                    % {"storefront": storefront.name, "names": ", ".join(strangers)},
                )
            strangers = [c.name for c in companies if c.storefront_id != storefront.pk]
            if strangers:
                self.add_error(
                    "companies",
                    _("Not buyers of %(storefront)s: %(names)s.")
                    % {"storefront": storefront.name, "names": ", ".join(strangers)},
                )
        if scope == OrderPromotion.CustomerScope.GROUPS and not groups:
            self.add_error("groups", _("Choose at least one customer group."))
        if scope == OrderPromotion.CustomerScope.COMPANIES and not companies:
            self.add_error("companies", _("Choose at least one company."))
        return cleaned

    def is_valid(self) -> bool:
        valid = super().is_valid()
        # The product scope lives in the inline formsets, validated after the form itself.
        storefront = self.cleaned_data.get("storefront") if hasattr(self, "cleaned_data") else None
        kind = self.cleaned_data.get("kind") if hasattr(self, "cleaned_data") else None
        if storefront is None or kind is None:
            return valid
        products = _chosen(self.formsets["scope_products"], "product")
        categories = _chosen(self.formsets["scope_categories"], "category")
        problems = False
        if products:
            sold_here = set(
                products_for_storefront(storefront)
                .filter(pk__in=[p.pk for _f, p in products])
                .values_list("pk", flat=True)
            )
            for form, product in products:
                if product.pk not in sold_here:
                    form.add_error(
                        "product",
                        _("%(storefront)s does not sell this product.")
                        % {"storefront": storefront.name},
                    )
                    problems = True
        if categories:
            own = set(
                categories_for_storefront(storefront)
                .filter(pk__in=[c.pk for _f, c in categories])
                .values_list("pk", flat=True)
            )
            for form, category in categories:
                if category.pk not in own:
                    form.add_error(
                        "category",
                        _("Not a category of %(storefront)s.") % {"storefront": storefront.name},
                    )
                    problems = True
        if kind in OrderPromotion.THRESHOLD_KINDS and (products or categories):
            self.add_error(
                None,
                _(
                    "A threshold promotion discounts the whole order: remove the products and "
                    "categories, or choose a multi-buy."
                ),
            )
            problems = True
        if kind in OrderPromotion.MULTIBUY_KINDS and not products and not categories:
            self.add_error(
                None, _("A multi-buy needs products: choose categories or products it counts.")
            )
            problems = True
        return valid and not problems
