"""Admin forms of the pricing screens (:mod:`pipit.pricing.admin_crud`).

Every choice is limited to the storefronts the user staffs, and what belongs to one storefront
(customer groups, companies, categories, products) must be the object's own storefront's: a
mismatch is a field error naming the strays. Choosers open on the storefront picked in the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.models import Category, Product, ProductAttributeValue
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.staticfiles import versioned_static
from wagtail.admin.widgets.chooser import BaseChooser

from pipit.catalog.queries import (
    categories_for_staff,
    categories_for_storefront,
    products_for_staff,
    products_for_storefront,
    purchasable_for_storefront,
)
from pipit.companies.models import Company
from pipit.tenancy.access import staff_roles, staff_storefront_ids
from pipit.tenancy.admin_views import StorefrontScopedForm
from pipit.tenancy.models import Storefront, StorefrontGroup

from .models import CURRENCIES, CustomerGroup, PriceList, PriceListItem, PriceRule

#: Storefront roles that run pricing (platform superusers run every storefront's).
PRICING_ROLES = frozenset({StorefrontGroup.Role.ADMIN.value, StorefrontGroup.Role.PRICING.value})


def pricing_storefront_ids(user) -> frozenset[int]:
    """Storefronts whose groups, lists, rows and rules ``user`` may see and edit.

    Model permissions are installation-wide: a marketing editor of one storefront who runs
    pricing on another must not reach the first one's prices. Read from the user's roles, which
    are read once a request.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return frozenset()
    if user.is_superuser:
        return staff_storefront_ids(user)
    return frozenset(pk for pk, roles in staff_roles(user).items() if roles & PRICING_ROLES)


def pricing_storefronts(user) -> QuerySet[Storefront]:
    return Storefront.objects.filter(pk__in=sorted(pricing_storefront_ids(user))).order_by("name")


def in_pricing_scope(queryset: QuerySet, user, lookup: str = "storefront") -> QuerySet:
    """Rows of ``queryset`` of the user's pricing storefronts (``lookup`` leads to one)."""
    return queryset.filter(**{f"{lookup}_id__in": sorted(pricing_storefront_ids(user))})


#: URL namespaces of the choosers :mod:`pipit.pricing.admin_crud` registers. They narrow their
#: lists to the storefront named by ``?storefront=`` or ``?price_list=``.
PRODUCT_CHOOSER = "pricing_product_chooser"
CATEGORY_CHOOSER = "pricing_category_chooser"
COMPANY_CHOOSER = "pricing_company_chooser"


def product_label(product: Product) -> str:
    code = product.upc or ""
    return f"{product.get_title()} ({code})" if code else product.get_title()


def company_label(company: Company) -> str:
    return f"{company.name} ({company.inn})" if company.inn else company.name


# --- widgets -------------------------------------------------------------------------------------


class ScopedChooser(BaseChooser):
    """Wagtail's chooser widget, showing the chosen object only if the form's field may offer it.

    The stock widget reads the shown value by bare id, so a form sent back with another
    storefront's id would print that object's name; here it comes from the field's queryset.
    """

    show_edit_link = False
    queryset: QuerySet | None = None

    def get_instance(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, self.model_class):
            return value
        if self.queryset is None:
            return None
        try:
            return self.queryset.filter(pk=value).first()
        except (TypeError, ValueError):
            return None


class ProductChooser(ScopedChooser):
    model = Product
    icon = "pick"
    chooser_modal_url_name = f"{PRODUCT_CHOOSER}:choose"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")

    def get_display_title(self, instance):
        return product_label(instance)


class CompanyChooser(ScopedChooser):
    model = Company
    icon = "group"
    chooser_modal_url_name = f"{COMPANY_CHOOSER}:choose"
    choose_one_text = _("Choose a company")
    choose_another_text = _("Choose another company")
    show_clear_link = True

    def get_display_title(self, instance):
        return company_label(instance)


class MultipleChooser(forms.SelectMultiple):
    """Several objects picked in a chooser modal, shown as a list with "remove" buttons.

    Wagtail 8 has a chooser for a single foreign key and ``MultipleChooserPanel`` for inline
    child models, but nothing for a many-to-many field; catalogs are too long for tick boxes.
    The chosen ids travel as hidden inputs of the field's name; the labels come from the
    field's (scoped) queryset.
    """

    template_name = "pricing/admin/crud/multiple_chooser.html"

    def __init__(
        self,
        chooser_namespace: str,
        *,
        choose_label: str,
        empty_label: str,
        label=str,
        linked_field: str = "#id_storefront",
        attrs=None,
    ):
        super().__init__(attrs)
        self.chooser_namespace = chooser_namespace
        self.choose_label = choose_label
        self.empty_label = empty_label
        self.label = label
        self.linked_field = linked_field

    def format_value(self, value):
        if value is None:
            return []
        if not isinstance(value, (list, tuple, QuerySet)):
            value = [value]
        return [str(getattr(v, "pk", v)) for v in value if v not in (None, "")]

    def chosen(self, ids: list[str]) -> list[tuple[str, str]]:
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None or not ids:
            return []
        try:
            found = {str(obj.pk): obj for obj in queryset.filter(pk__in=ids)}
        except (TypeError, ValueError):
            return []
        return [(pk, self.label(found[pk])) for pk in ids if pk in found]

    def get_context(self, name, value, attrs):
        from django.urls import reverse

        context = super().get_context(name, value, attrs)
        context.update(
            items=self.chosen(self.format_value(value)),
            chooser_url=reverse(f"{self.chooser_namespace}:choose"),
            choose_label=self.choose_label,
            empty_label=self.empty_label,
            linked_field=self.linked_field,
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        return mark_safe(render_to_string(self.template_name, context))  # noqa: S308 (escaped)

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # no hidden input at all means "nothing chosen"

    @cached_property
    def media(self):
        return forms.Media(
            js=[
                versioned_static("wagtailadmin/js/modal-workflow.js"),
                versioned_static("wagtailadmin/js/chooser-modal.js"),
            ]
        )


# --- shared form behaviour -----------------------------------------------------------------------


class StorefrontOwnedForm(StorefrontScopedForm):
    """A form for an object of one storefront whose related choices must be that storefront's.

    ``storefront`` lists the user's storefronts (one is preselected when the user has only one);
    :meth:`limit` narrows a related field to the user's storefronts and names each choice's
    storefront when the user has several; :meth:`check_own` refuses choices of another one.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_storefronts = list(pricing_storefronts(self.for_user))
        self.several_storefronts = len(self.user_storefronts) > 1
        field = self.fields.get("storefront")
        if field is not None:
            field.queryset = pricing_storefronts(self.for_user)
            if len(self.user_storefronts) == 1:
                field.empty_label = None
                if not self.instance.pk:
                    field.initial = self.user_storefronts[0].pk

    def limit(self, name: str, queryset: QuerySet, label=str) -> None:
        """Offer in ``name`` the rows of ``queryset`` of the user's storefronts."""
        field = self.fields.get(name)
        if field is None:
            return
        field.queryset = queryset.filter(storefront__in=self.user_storefronts)
        if self.several_storefronts:
            names = {sf.pk: sf.name for sf in self.user_storefronts}
            field.label_from_instance = lambda obj: f"{label(obj)} · {names[obj.storefront_id]}"
        else:
            field.label_from_instance = label

    def check_own(self, name: str, chosen: Iterable, storefront) -> None:
        """Add an error on ``name`` for choices that are not of ``storefront``."""
        strays = [str(obj) for obj in chosen if obj.storefront_id != storefront.pk]
        if strays:
            self.add_strays(name, storefront, strays)

    def add_strays(self, name: str, storefront, strays: list[str]) -> None:
        self.add_error(
            name,
            _("Not of %(storefront)s: %(names)s. Choose its own.")
            % {"storefront": storefront.name, "names": ", ".join(strays)},
        )


def _choice_widget(count: int, *, size: int = 10) -> forms.Widget:
    # Tick boxes while the list is short; a scrolling multi-select beyond that.
    if count <= 30:
        return forms.CheckboxSelectMultiple()
    return forms.SelectMultiple(attrs={"size": size})


# --- customer groups -----------------------------------------------------------------------------


class CustomerGroupForm(StorefrontOwnedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit("companies", Company.objects.order_by("name"), label=company_label)
        companies = self.fields["companies"]
        companies.widget = MultipleChooser(
            COMPANY_CHOOSER,
            choose_label=gettext("Add companies"),
            empty_label=gettext("No companies in this group yet."),
            label=company_label,
        )
        companies.widget.choices = companies.choices

    def clean_code(self):
        return self.cleaned_data["code"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        storefront = cleaned.get("storefront")
        if storefront is None:
            return cleaned
        code = cleaned.get("code")
        taken = CustomerGroup.objects.filter(storefront=storefront, code=code)
        if code and taken.exclude(pk=self.instance.pk).exists():
            self.add_error("code", _("Another group of this storefront has this code."))
        if cleaned.get("companies") is not None:
            self.check_own("companies", cleaned["companies"], storefront)
        return cleaned


# --- price lists ---------------------------------------------------------------------------------


class PriceListForm(StorefrontOwnedForm):
    """Groups only for a group list (and then at least one); the storefront's currency."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit("groups", CustomerGroup.objects.order_by("name"))
        groups = self.fields["groups"]
        groups.widget = _choice_widget(groups.queryset.count())
        groups.widget.choices = groups.choices
        groups.help_text = _("Only for a customer group list: its prices apply to these groups.")

        currency = self.fields["currency"]
        currency.required = False
        currency.choices = [("", _("The storefront's currency")), *CURRENCIES]
        if not self.instance.pk:
            currency.initial = (
                self.user_storefronts[0].currency if len(self.user_storefronts) == 1 else ""
            )

    def clean(self):
        cleaned = super().clean()
        storefront = cleaned.get("storefront")
        kind = cleaned.get("kind")
        groups = cleaned.get("groups")
        if storefront is not None and not cleaned.get("currency"):
            cleaned["currency"] = self.instance.currency = storefront.currency
        if groups is not None and kind:
            if kind == PriceList.Kind.GROUP and not groups:
                self.add_error("groups", _("Choose the customer groups this list is for."))
            elif kind != PriceList.Kind.GROUP and groups:
                self.add_error(
                    "groups",
                    _("Only a customer group list names groups: clear them or change its kind."),
                )
            elif storefront is not None:
                self.check_own("groups", groups, storefront)
        if self.instance.pk:
            rows = PriceListItem.objects.filter(price_list_id=self.instance.pk)
            if "storefront" in self.changed_data and rows.exists():
                self.add_error(
                    "storefront",
                    _("The list's rows price its storefront's products: it cannot move."),
                )
            if kind and "kind" in self.changed_data:
                if kind == PriceList.Kind.COMPANY:
                    misfits = rows.filter(company__isnull=True).count()
                    message = _(
                        "%(count)d rows name no company; a company list needs one on every row."
                    )
                else:
                    misfits = rows.filter(company__isnull=False).count()
                    message = _("%(count)d rows name a company; only a company list can have them.")
                if misfits:
                    self.add_error("kind", message % {"count": misfits})
        return cleaned


# --- price list rows -----------------------------------------------------------------------------


class PriceListItemForm(WagtailAdminModelForm):
    """One row: the product from the list's storefront, a company only on a company list."""

    class Meta:
        model = PriceListItem
        fields = [
            "price_list",
            "product",
            "company",
            "min_quantity",
            "price",
            "valid_from",
            "valid_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        lists = in_pricing_scope(PriceList.objects.all(), user).select_related("storefront")
        several = len(pricing_storefront_ids(user)) > 1
        field = self.fields["price_list"]
        field.queryset = lists.order_by("storefront__name", "name")
        field.widget = forms.Select(choices=field.widget.choices)
        if several:
            field.label_from_instance = lambda pl: f"{pl.name} · {pl.storefront.name}"

        products = self.fields["product"]
        products.queryset = products_for_staff(user) | _variants_for_staff(user)
        products.widget = ProductChooser(linked_fields={"price_list": "#id_price_list"})
        products.widget.queryset = products.queryset

        companies = self.fields["company"]
        companies.queryset = in_pricing_scope(Company.objects.all(), user)
        companies.widget = CompanyChooser(linked_fields={"price_list": "#id_price_list"})
        companies.widget.queryset = companies.queryset
        companies.help_text = _("Only on rows of a company list: the company the price is for.")

    def clean(self):
        cleaned = super().clean()
        price_list = cleaned.get("price_list")
        product = cleaned.get("product")
        company = cleaned.get("company")
        if price_list is None:
            return cleaned
        storefront = price_list.storefront
        if product is not None and not _sold_on(storefront, product):
            self.add_error(
                "product",
                _("%(storefront)s does not sell this product.") % {"storefront": storefront.name},
            )
        if price_list.kind == PriceList.Kind.COMPANY:
            if company is None and "company" not in self.errors:
                self.add_error("company", _("A row of a company list names its company."))
        elif company is not None:
            self.add_error(
                "company",
                _("Only rows of a company list name a company; this list is a %(kind)s.")
                % {"kind": price_list.get_kind_display().lower()},
            )
        if company is not None and company.storefront_id != storefront.pk:
            self.add_error(
                "company",
                _("Not a buyer of %(storefront)s.") % {"storefront": storefront.name},
            )
        if product is not None and not self.errors:
            twins = PriceListItem.objects.filter(
                price_list=price_list,
                product=product,
                company=company,
                min_quantity=cleaned.get("min_quantity") or 1,
                valid_from=cleaned.get("valid_from"),
            ).exclude(pk=self.instance.pk)
            if twins.exists():
                self.add_error(
                    "min_quantity",
                    _(
                        "The list already prices this product%(for_company)s from this "
                        "quantity and date; change that row instead."
                    )
                    % {"for_company": gettext(" for this company") if company else ""},
                )
        return cleaned


def _variants_for_staff(user) -> QuerySet[Product]:
    return Product.objects.filter(
        structure=Product.CHILD, parent__in=products_for_staff(user).values("pk")
    )


def _sold_on(storefront, product: Product) -> bool:
    if product.structure == Product.CHILD:
        return purchasable_for_storefront(storefront).filter(pk=product.pk).exists()
    return products_for_storefront(storefront).filter(pk=product.pk).exists()


# --- price rules ---------------------------------------------------------------------------------

HUNDRED = Decimal("100")


class PriceRuleForm(StorefrontOwnedForm):
    """What each scope needs, a value or tiers, percentages up to 100, distinct tiers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.limit("groups", CustomerGroup.objects.order_by("name"))
        groups = self.fields["groups"]
        groups.widget = _choice_widget(groups.queryset.count())
        groups.widget.choices = groups.choices

        self.limit("companies", Company.objects.order_by("name"), label=company_label)
        self._chooser(
            "companies",
            COMPANY_CHOOSER,
            choose=gettext("Add companies"),
            empty=gettext("No companies chosen."),
            label=company_label,
        )
        self.fields["categories"].queryset = categories_for_staff(user).order_by("path")
        self._chooser(
            "categories",
            CATEGORY_CHOOSER,
            choose=gettext("Add categories"),
            empty=gettext("No categories chosen."),
            label=_category_label,
        )
        self.fields["products"].queryset = products_for_staff(user).order_by("title")
        self._chooser(
            "products",
            PRODUCT_CHOOSER,
            choose=gettext("Add products"),
            empty=gettext("No products chosen."),
            label=product_label,
        )
        self.fields["brands"].widget = forms.Textarea(attrs={"rows": 3})
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 2})

    def _chooser(self, name: str, namespace: str, *, choose: str, empty: str, label) -> None:
        field = self.fields[name]
        field.widget = MultipleChooser(
            namespace, choose_label=choose, empty_label=empty, label=label
        )
        field.widget.choices = field.choices

    def clean_value(self):
        return _cents(self.cleaned_data.get("value"))

    def clean(self):
        cleaned = super().clean()
        storefront = cleaned.get("storefront")
        self._clean_products(cleaned, storefront)
        self._clean_buyers(cleaned, storefront)
        self._clean_action(cleaned)
        return cleaned

    def _clean_products(self, cleaned, storefront) -> None:
        scope = cleaned.get("product_scope")
        Scope = PriceRule.ProductScope
        if scope == Scope.CATEGORIES and not cleaned.get("categories"):
            self.add_error("categories", _("Choose the categories the rule applies to."))
        elif scope == Scope.PRODUCTS and not cleaned.get("products"):
            self.add_error("products", _("Choose the products the rule applies to."))
        elif scope == Scope.BRANDS and not (cleaned.get("brands") or "").strip():
            self.add_error("brands", _("Name at least one brand, one per line."))
        elif scope == Scope.ATTRIBUTE:
            code = cleaned.get("attribute_code")
            value = (cleaned.get("attribute_value") or "").strip()
            if not code:
                self.add_error("attribute_code", _("Name the attribute, e.g. 'color'."))
            elif storefront is not None and not _attribute_known(storefront, code):
                self.add_error(
                    "attribute_code",
                    _("No product of %(storefront)s has an attribute with this code.")
                    % {"storefront": storefront.name},
                )
            if not value:
                self.add_error("attribute_value", _("Give the value products must have."))
        if storefront is None:
            return
        if scope == Scope.CATEGORIES and cleaned.get("categories"):
            own = set(categories_for_storefront(storefront).values_list("pk", flat=True))
            strays = [str(c) for c in cleaned["categories"] if c.pk not in own]
            if strays:
                self.add_strays("categories", storefront, strays)
        if scope == Scope.PRODUCTS and cleaned.get("products"):
            chosen = [p.pk for p in cleaned["products"]]
            own = set(
                products_for_storefront(storefront)
                .filter(pk__in=chosen)
                .values_list("pk", flat=True)
            )
            strays = [p.get_title() for p in cleaned["products"] if p.pk not in own]
            if strays:
                self.add_strays("products", storefront, strays)

    def _clean_buyers(self, cleaned, storefront) -> None:
        scope = cleaned.get("customer_scope")
        Scope = PriceRule.CustomerScope
        if scope == Scope.GROUPS and not cleaned.get("groups"):
            self.add_error("groups", _("Choose the customer groups the rule is for."))
        if scope == Scope.COMPANIES and not cleaned.get("companies"):
            self.add_error("companies", _("Choose the companies the rule is for."))
        if storefront is None:
            return
        for name in ("groups", "companies"):
            if cleaned.get(name):
                self.check_own(name, cleaned[name], storefront)

    def _clean_action(self, cleaned) -> None:
        action = cleaned.get("action")
        value = cleaned.get("value")
        tiers = self._tier_forms()
        if value is None and not tiers and "value" not in self.errors:
            self.add_error(
                "value", _("Give a value, or quantity tiers below, for the rule to do anything.")
            )
        seen: dict[int, forms.Form] = {}
        for form in tiers:
            quantity = form.cleaned_data.get("min_quantity")
            tier_value = form.cleaned_data.get("value")
            if quantity in seen:
                form.add_error(
                    "min_quantity", _("Another tier starts at this quantity; merge the two.")
                )
            elif quantity is not None:
                seen[quantity] = form
            if tier_value is not None:
                form.cleaned_data["value"] = tier_value = _cents(tier_value)
                error = _value_error(action, tier_value)
                if error:
                    form.add_error("value", error)

    def _tier_forms(self) -> list[forms.Form]:
        formset = self.formsets.get("tiers") if hasattr(self, "formsets") else None
        if formset is None:
            return []
        formset.is_valid()  # fills cleaned_data of every form
        return [
            form
            for form in formset.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("min_quantity") is not None
        ]


def _cents(value: Decimal | None) -> Decimal | None:
    # Stored with two places: "10" and "10.00" are one value, and revisions compare as such.
    return None if value is None else value.quantize(Decimal("0.01"))


def _value_error(action: str, value: Decimal) -> str | None:
    if action == PriceRule.Action.PERCENT_OFF and value > HUNDRED:
        return gettext("A discount cannot exceed 100%.")
    if action == PriceRule.Action.ROUND and value <= 0:
        return gettext("The rounding step must be above zero.")
    return None


def _category_label(category: Category) -> str:
    return category.full_name


def _attribute_known(storefront, code: str) -> bool:
    products = purchasable_for_storefront(storefront).values("pk")
    parents = products_for_storefront(storefront).values("pk")
    return (
        ProductAttributeValue.objects.filter(attribute__code=code, product__in=products).exists()
        or ProductAttributeValue.objects.filter(attribute__code=code, product__in=parents).exists()
    )
