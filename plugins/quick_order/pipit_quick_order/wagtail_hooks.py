"""Staff admin: the buyer companies' SKU aliases, under Commerce, for the storefronts that
switched quick order on."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from pipit.companies.models import Company
from pipit.plugins.admin import PluginModelViewSet, PluginScopedForm, plugin_storefront_ids
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList

from .aliases import alias_problem, sku_problem
from .matching import exact_matches
from .models import SkuAlias
from .parsing import normalise_sku

ROLES = ("admin", "manager")


class SkuAliasAdminForm(PluginScopedForm):
    """Company and alias as usual; the product is entered by its SKU on the company's storefront
    (a list of every product would be unusable)."""

    sku = forms.CharField(
        label=_("SKU"),
        max_length=100,
        help_text=_("The product's SKU on the company's storefront."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            ids = plugin_storefront_ids(self.for_user, self.plugin_id, self.plugin_roles)
            self.fields["company"].queryset = Company.objects.filter(
                storefront_id__in=ids
            ).select_related("storefront")
        if self.instance.pk and not self.is_bound:
            record = self.instance.product.stockrecords.filter(
                partner_id__in=self.instance.company.storefront.partner_ids
            ).first()
            self.initial["sku"] = record.partner_sku if record else self.instance.product.upc

    def clean(self):
        cleaned = super().clean()
        company, alias, sku = cleaned.get("company"), cleaned.get("alias"), cleaned.get("sku")
        if not (company and alias and sku):
            return cleaned
        storefront = company.storefront
        alias_key, sku_key = normalise_sku(alias), normalise_sku(sku)
        matches = exact_matches(storefront, {alias_key, sku_key})
        existing = (
            SkuAlias.objects.filter(company=company, normalised=alias_key)
            .exclude(pk=self.instance.pk)
            .first()
        )
        problem = alias_problem(alias, matches.get(alias_key), existing)
        if problem:
            self.add_error("alias", problem)
        product_ids = matches.get(sku_key, set())
        problem = sku_problem(storefront, sku, product_ids)
        if problem:
            self.add_error("sku", problem)
        elif not self.errors:
            self.instance.product_id = next(iter(product_ids))
        return cleaned


class SkuAliasViewSet(PluginModelViewSet):
    model = SkuAlias
    plugin_id = "quick_order"
    roles = ROLES
    storefront_lookup = "company__storefront"
    icon = "list-ul"
    menu_label = _("SKU aliases")
    list_display = ["alias", "product", "company", "created_at"]
    list_select_related = ("product__parent", "company")
    search_fields = ["alias", "normalised"]
    edit_handler = ObjectList(
        [FieldPanel("company"), FieldPanel("alias"), FieldPanel("sku")],
        base_form_class=SkuAliasAdminForm,
    )


@hooks.register("register_admin_viewset")
def register_sku_aliases():
    return SkuAliasViewSet("quick_order_aliases")
