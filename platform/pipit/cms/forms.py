"""The promo banner form: storefront and audience limited to what the editor staffs."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from pipit.companies.models import Company
from pipit.tenancy.models import Storefront


class PromoBannerForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        storefronts = (
            Storefront.objects.for_staff(self.for_user)
            if self.for_user is not None
            else Storefront.objects.none()
        )
        storefront_field = self.fields["storefront"]
        storefront_field.widget = forms.Select()
        storefront_field.queryset = storefronts
        storefront_field.empty_label = None if len(storefronts) == 1 else "---------"

        several = len(storefronts) > 1
        companies = self.fields["companies"]
        audience = (
            Company.objects.filter(storefront__in=storefronts, is_active=True)
            .select_related("storefront")
            .order_by("storefront__name", "name")
        )
        # Tick boxes while the list is short; a scrolling multi-select for hundreds of companies.
        few = audience.count() <= 30
        companies.widget = (
            forms.CheckboxSelectMultiple() if few else forms.SelectMultiple(attrs={"size": 10})
        )
        companies.queryset = audience
        # With several storefronts the list mixes their companies; say whose each one is.
        companies.label_from_instance = (
            (lambda c: f"{c.name} ({c.storefront.name})") if several else (lambda c: c.name)
        )
        companies.help_text = (
            _("Leave empty to show the banner to every visitor of the storefront.")
            if few
            else _(
                "Leave empty to show the banner to every visitor of the storefront. "
                "Hold Ctrl (⌘ on a Mac) to choose several companies."
            )
        )

    def clean(self):
        cleaned = super().clean()
        storefront = cleaned.get("storefront")
        companies = cleaned.get("companies")
        if storefront is not None and companies:
            strangers = [c.name for c in companies if c.storefront_id != storefront.pk]
            if strangers:
                self.add_error(
                    "companies",
                    _("Not buyers of %(storefront)s: %(names)s. Choose its own companies.")
                    % {"storefront": storefront.name, "names": ", ".join(strangers)},
                )
        return cleaned
