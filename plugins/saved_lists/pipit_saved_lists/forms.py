"""The buyer's forms: name a list, add a product by SKU, edit quantities, save to a list."""

from __future__ import annotations

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from . import services
from .models import NAME_MAX_LENGTH, SavedListItem


class ListForm(forms.Form):
    """Create or rename a list: a name unique in the company, and an optional description."""

    name = forms.CharField(label=_("List name"), max_length=NAME_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, storefront, company, instance=None, **kwargs):
        self.storefront, self.company, self.instance = storefront, company, instance
        if instance is not None:
            kwargs.setdefault(
                "initial", {"name": instance.name, "description": instance.description}
            )
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        exclude = self.instance.pk if self.instance is not None else None
        if services.name_taken(self.storefront, self.company, name, exclude_pk=exclude):
            raise forms.ValidationError(services.name_taken_message(name))
        return name


class AddBySkuForm(forms.Form):
    """Add a product to a list by its SKU (or UPC), as printed on a price list or a shelf."""

    sku = forms.CharField(label=_("SKU"), max_length=128)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=services.MAX_QUANTITY, initial=1
    )

    def __init__(self, *args, storefront, **kwargs):
        self.storefront = storefront
        super().__init__(*args, **kwargs)

    def clean_sku(self) -> str:
        code = self.cleaned_data["sku"].strip()
        product = services.find_by_sku(self.storefront, code)
        if product is None:
            raise forms.ValidationError(
                _("No product with SKU “%(sku)s” is sold on this storefront.") % {"sku": code}
            )
        self.cleaned_data["product"] = product
        return code


class ItemForm(forms.ModelForm):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=services.MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )

    class Meta:
        model = SavedListItem
        fields = ["quantity", "note"]
        widgets = {
            "note": forms.TextInput(attrs={"placeholder": _("Note"), "class": "saved-list-note"})
        }


# edit_only: a crafted TOTAL_FORMS cannot create items (they would have no list).
ItemFormSet = modelformset_factory(
    SavedListItem, form=ItemForm, extra=0, can_delete=True, edit_only=True
)


class SaveToListForm(forms.Form):
    """Choose one of the company's lists, or name a new one."""

    target = forms.ModelChoiceField(
        label=_("List"),
        queryset=None,
        required=False,
        empty_label=_("A new list…"),
    )
    name = forms.CharField(
        label=_("Name of the new list"), max_length=NAME_MAX_LENGTH, required=False
    )

    def __init__(self, *args, storefront, company, **kwargs):
        self.storefront, self.company = storefront, company
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = services.company_lists(storefront, company).order_by(
            "name"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target") is None and "target" not in self.errors:
            name = (cleaned.get("name") or "").strip()
            if not name:
                self.add_error("name", _("Name the new list, or choose one of your lists."))
            elif services.name_taken(self.storefront, self.company, name):
                self.add_error("name", services.name_taken_message(name))
            cleaned["name"] = name
        return cleaned


class AddProductForm(SaveToListForm):
    """Save a product (for a product with variants: the chosen variant) with a quantity."""

    product = forms.ModelChoiceField(label=_("Variant"), queryset=None, empty_label=None)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=services.MAX_QUANTITY, initial=1
    )

    field_order = ["product", "quantity", "target", "name"]

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = candidates
        self.fields["product"].label_from_instance = _variant_label


def _variant_label(product) -> str:
    sku = services.sku_of(product)
    title = product.title or product.get_title()
    return f"{sku} — {title}" if sku else title


class FromOrderForm(forms.Form):
    name = forms.CharField(label=_("Name of the new list"), max_length=NAME_MAX_LENGTH)

    def __init__(self, *args, storefront, company, **kwargs):
        self.storefront, self.company = storefront, company
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if services.name_taken(self.storefront, self.company, name):
            raise forms.ValidationError(services.name_taken_message(name))
        return name
