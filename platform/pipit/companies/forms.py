"""Forms for the storefront (registration request, company addresses) and the admin (onboarding)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Company, CompanyAddress, CompanyMember, RegistrationRequest


class RegistrationRequestForm(forms.ModelForm):
    """What a would-be buyer fills in on the storefront; staff then approve or reject it."""

    class Meta:
        model = RegistrationRequest
        fields = [
            "company_name",
            "inn",
            "kpp",
            "contact_name",
            "email",
            "phone",
            "city",
            "message",
        ]
        widgets = {
            "inn": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "kpp": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "message": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "inn": _("10 digits for a company, 12 for an individual entrepreneur."),
            "kpp": _("9 digits; companies only."),
        }

    def clean_inn(self):
        return self.cleaned_data["inn"].strip()

    def clean_kpp(self):
        return self.cleaned_data["kpp"].strip()

    def clean(self):
        cleaned = super().clean()
        inn, kpp = cleaned.get("inn"), cleaned.get("kpp")
        if inn and len(inn) == 12 and kpp:
            self.add_error("kpp", _("An individual entrepreneur (12-digit INN) has no KPP."))
        return cleaned


class CompanyAddressForm(forms.ModelForm):
    """A delivery address the buyer's company admin adds or edits on the storefront."""

    class Meta:
        model = CompanyAddress
        fields = [
            "label",
            "postcode",
            "city",
            "line1",
            "line2",
            "contact_name",
            "contact_phone",
            "is_default",
        ]


class AddMemberForm(forms.Form):
    email = forms.EmailField(label=_("e-mail"))
    first_name = forms.CharField(label=_("first name"), max_length=150)
    last_name = forms.CharField(label=_("last name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("role"), choices=CompanyMember.Role.choices, initial=CompanyMember.Role.BUYER
    )

    def clean_email(self):
        from .services import email_taken

        email = self.cleaned_data["email"]
        if email_taken(email):
            raise forms.ValidationError(_("A user with this e-mail already exists."))
        return email


class ApproveForm(forms.Form):
    attach_to = forms.ModelChoiceField(
        label=_("Attach to the existing company"),
        queryset=Company.objects.none(),
        required=False,
        help_text=_("The requester joins it as a buyer instead of a new company being created."),
    )

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["attach_to"].queryset = companies


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E-mailed to the requester."),
    )
