"""Forms of the one-page checkout."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pipit.companies.models import Company, CompanyAddress
from pipit.oscar_apps.order.models import Order

NEW_ADDRESS = "new"
#: What delivery rules may look at in an address not saved yet.
ADDRESS_PARTS = ("postcode", "city", "line1", "line2")


class CheckoutForm(forms.Form):
    shipping_address = forms.ChoiceField(
        label=_("Delivery address"), widget=forms.RadioSelect, required=True
    )
    po_number = forms.CharField(
        label=_("PO number"),
        max_length=Order._meta.get_field("po_number").max_length,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. PO-2024-117")}),
    )
    requested_delivery_date = forms.DateField(
        label=_("Requested delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Radio buttons drawn from the delivery quote of the chosen address (the template renders
    # them with their prices); place_order checks the code against what is offered.
    shipping_method = forms.CharField(label=_("Delivery"), required=False, max_length=128)
    # What the buyer was shown (codes and prices), to notice a change before the order is placed.
    delivery_quote = forms.CharField(required=False, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything the supplier should know: delivery hours, unloading, contacts."),
    )

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = list(company.addresses.filter(kind="delivery"))
        self.fields["shipping_address"].choices = [
            *((str(a.pk), a) for a in self.addresses),
            (NEW_ADDRESS, _("A new delivery address")),
        ]
        if not self.is_bound:
            default = next((a for a in self.addresses if a.is_default), None) or next(
                iter(self.addresses), None
            )
            self.initial.setdefault("shipping_address", str(default.pk) if default else NEW_ADDRESS)
        today = timezone.localdate()
        self.fields["requested_delivery_date"].widget.attrs["min"] = today.isoformat()

    @property
    def wants_new_address(self) -> bool:
        return self.data.get(self.add_prefix("shipping_address")) == NEW_ADDRESS

    def clean_requested_delivery_date(self):
        date = self.cleaned_data["requested_delivery_date"]
        if date and date < timezone.localdate():
            raise forms.ValidationError(_("The requested delivery date is in the past."))
        return date

    def chosen_address(self) -> CompanyAddress | None:
        """The existing address picked (None when a new one is being added)."""
        value = self.cleaned_data.get("shipping_address")
        return next((a for a in self.addresses if str(a.pk) == value), None)

    def address_for_delivery(self, company: Company, address_form) -> CompanyAddress | None:
        """The address the delivery options are for, valid or not yet: the existing one picked
        (or preselected), or an unsaved copy of the new one typed so far."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("shipping_address"))
        else:
            value = self.initial.get("shipping_address")
        if value == NEW_ADDRESS:
            if address_form.is_bound:
                typed = {
                    n: address_form.data.get(address_form.add_prefix(n)) for n in ADDRESS_PARTS
                }
            else:
                typed = {n: address_form.initial.get(n) for n in ADDRESS_PARTS}
            return CompanyAddress(
                company=company,
                kind="delivery",
                **{name: (value or "").strip() for name, value in typed.items()},
            )
        return next((a for a in self.addresses if str(a.pk) == str(value)), None)


class NewAddressForm(forms.ModelForm):
    # The fields are hidden unless "a new address" is picked; required attributes on hidden inputs
    # would block the browser from submitting the form. The server checks them when they count.
    use_required_attribute = False

    class Meta:
        model = CompanyAddress
        fields = ["label", "postcode", "city", "line1", "line2", "contact_name", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].required = False  # named after the street when left empty

    def clean_label(self):
        return self.cleaned_data["label"] or self.data.get(self.add_prefix("line1"), "")[:80]
