"""Storefront-scoped Wagtail admin screens: the building blocks every commerce screen uses.

Staff see only the storefronts whose :class:`~pipit.tenancy.models.StorefrontGroup` groups they
are in (:meth:`Storefront.objects.for_staff`). A :class:`ScopedModelViewSet` applies that scope to
every view it builds — listing, edit, delete, history, usage — so another storefront's object
opened by URL answers 404, not 403 (its existence is not revealed).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from .access import staff_storefront_ids, staff_storefronts
from .models import Storefront
from .services import StorefrontSpec, provision_storefront

#: Wagtail hook that collects the items of the admin's "Commerce" submenu.
COMMERCE_MENU_HOOK = "register_commerce_menu_item"


def scope_to_staff(queryset: QuerySet, user, lookup: str) -> QuerySet:
    """Restrict ``queryset`` to rows of the user's storefronts; ``lookup`` leads to Storefront."""
    if user.is_active and user.is_superuser:
        return queryset
    return scope_to_ids(queryset, staff_storefront_ids(user), lookup)


def scope_to_ids(queryset: QuerySet, storefront_ids, lookup: str) -> QuerySet:
    """Restrict ``queryset`` to rows of the storefronts ``storefront_ids``."""
    ids = sorted(storefront_ids)
    if lookup == "pk":
        return queryset.filter(pk__in=ids)
    if "__" in lookup:
        # Through a to-many relation a plain filter would repeat rows; match by primary key.
        inner = queryset.model._default_manager.filter(**{f"{lookup}__in": ids})
        return queryset.filter(pk__in=inner.values("pk"))
    return queryset.filter(**{f"{lookup}__in": ids})


def storefront_filter(field_name: str = "storefront") -> django_filters.ModelChoiceFilter:
    """A listing filter offering only the user's own storefronts."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        label=_("Storefront"),
        queryset=lambda request: (
            staff_storefronts(request.user) if request else Storefront.objects.none()
        ),
    )


class ScopedViewMixin:
    #: Lookup path from the view's model to its Storefront ("pk" for Storefront itself).
    storefront_lookup = "storefront"
    #: ``(queryset, user) -> queryset``; a viewset passes its own ``scope_queryset``.
    scope_function = None

    def scope(self, queryset: QuerySet) -> QuerySet:
        if self.scope_function is not None:
            return self.scope_function(queryset, self.request.user)
        return scope_to_staff(queryset, self.request.user, self.storefront_lookup)


class ScopedIndexView(ScopedViewMixin, generic.IndexView):
    def get_base_queryset(self):
        return self.scope(super().get_base_queryset())


class ScopedCreateView(ScopedViewMixin, generic.CreateView):
    pass


class ScopedEditView(ScopedViewMixin, generic.EditView):
    def get_queryset(self):
        return self.scope(super().get_queryset())


class ScopedDeleteView(ScopedViewMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scope(super().get_queryset())


class ScopedInspectView(ScopedViewMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scope(self.model._default_manager.all()), pk=self.pk)


class ScopedHistoryView(ScopedViewMixin, HistoryView):
    def get_base_object_queryset(self):
        return self.scope(super().get_base_object_queryset())


class ScopedUsageView(ScopedViewMixin, UsageView):
    def get_base_object_queryset(self):
        return self.scope(super().get_base_object_queryset())


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose every view sees only the staff user's storefronts' rows.

    Set :attr:`storefront_lookup` to the lookup path from the model to its storefront. Menu items
    land in the "Commerce" submenu.
    """

    storefront_lookup = "storefront"
    menu_hook = COMMERCE_MENU_HOOK
    copy_view_enabled = False

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView

    @property
    def url_namespace(self) -> str:
        # Prefixed: storefront URL namespaces such as "companies" must stay free.
        return f"commerce_{self.name}"

    def scope_queryset(self, queryset: QuerySet, user) -> QuerySet:
        """Rows of ``queryset`` the user may reach; override for models without a storefront."""
        return scope_to_staff(queryset, user, self.storefront_lookup)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(scope_function=self.scope_queryset, **kwargs)


class StorefrontScopedForm(WagtailAdminModelForm):
    """An admin form whose ``storefront`` choice lists only the editing user's storefronts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("storefront")
        if field is not None and self.for_user is not None:
            field.queryset = staff_storefronts(self.for_user)
            mine = list(field.queryset[:2])
            if len(mine) == 1 and not self.instance.pk:
                field.initial = mine[0].pk


# --- Storefronts ---------------------------------------------------------------------------------


class StorefrontForm(WagtailAdminModelForm):
    class Meta:
        model = Storefront
        fields = [
            "name",
            "extra_hostnames",
            "language",
            "currency",
            "vat_rate",
            "theme",
            "show_prices_to_anonymous",
            "categories",
            "warehouses",
            "order_email",
        ]

    def save(self, commit=True):
        storefront = super().save(commit=commit)
        if commit and storefront.site.site_name != storefront.name:
            # The site's name is what Wagtail shows in its site switchers; keep them one.
            storefront.site.site_name = storefront.name
            storefront.site.save(update_fields=["site_name"])
        return storefront


class StorefrontIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("site")


class StorefrontEditView(ScopedEditView):
    def get_queryset(self):
        return super().get_queryset().select_related("site")


class StorefrontCreateForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    code = forms.SlugField(
        label=_("code"), max_length=40, help_text=_("Short machine name, e.g. 'cosmetics'.")
    )
    hostname = forms.CharField(
        label=_("host name"), max_length=255, help_text=_("e.g. shop.example.com")
    )
    port = forms.IntegerField(label=_("port"), initial=80, min_value=1, max_value=65535)
    language = Storefront._meta.get_field("language").formfield()
    currency = Storefront._meta.get_field("currency").formfield()
    theme = Storefront._meta.get_field("theme").formfield()
    vat_rate = Storefront._meta.get_field("vat_rate").formfield()
    show_prices_to_anonymous = Storefront._meta.get_field("show_prices_to_anonymous").formfield()
    order_email = Storefront._meta.get_field("order_email").formfield()

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Storefront.objects.filter(code=code).exists():
            raise forms.ValidationError(_("A storefront with this code already exists."))
        return code

    def clean_hostname(self):
        host = self.cleaned_data["hostname"].strip().lower()
        taken = {h for sf in Storefront.objects.select_related("site") for h in sf.hostnames}
        if host in taken:
            raise forms.ValidationError(_("This host name already serves a storefront."))
        return host


class StorefrontCreateView(WagtailAdminTemplateMixin, FormView):
    """Platform superusers create storefronts: site, home page and staff groups in one go."""

    form_class = StorefrontCreateForm
    template_name = "wagtailadmin/generic/form.html"
    page_title = _("New storefront")
    header_icon = "site"
    index_url_name = None
    edit_url_name = None
    storefront_lookup = "pk"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return StorefrontCreateForm  # not the edit form the viewset hands to its views

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Storefronts")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path,
            submit_button_label=_("Create storefront"),
            submit_button_active_label=_("Creating…"),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        storefront = provision_storefront(
            StorefrontSpec(
                code=data["code"],
                name=data["name"],
                hostname=data["hostname"],
                port=data["port"],
                language=data["language"],
                currency=data["currency"],
                theme=data["theme"],
                vat_rate=str(data["vat_rate"]),
                show_prices_to_anonymous=data["show_prices_to_anonymous"],
                order_email=data["order_email"],
            )
        )
        messages.success(
            self.request,
            _("Storefront '%(name)s' created with its site, home page and staff groups.")
            % {"name": storefront.name},
        )
        return redirect(self.edit_url_name, storefront.pk)


# Creating storefronts is given to no staff role: only platform superusers hold it.
PLATFORM_PERMISSION = "tenancy.add_storefront"


class StorefrontViewSet(ScopedModelViewSet):
    model = Storefront
    storefront_lookup = "pk"
    icon = "site"
    menu_label = _("Storefronts")
    menu_order = 100
    list_display = [
        "name",
        Column("hostname", label=_("host name"), accessor="site.hostname"),
        "language",
        "currency",
        "theme",
    ]
    search_fields = ["name", "code"]
    index_view_class = StorefrontIndexView
    edit_view_class = StorefrontEditView
    add_view_class = StorefrontCreateView
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("name"),
                    FieldPanel("extra_hostnames", permission=PLATFORM_PERMISSION),
                    FieldRowPanel([FieldPanel("language"), FieldPanel("currency")]),
                    FieldRowPanel([FieldPanel("vat_rate"), FieldPanel("theme")]),
                    FieldPanel("show_prices_to_anonymous"),
                    FieldPanel("order_email"),
                ],
                heading=_("Storefront"),
            ),
            # Catalog scope and host names are the platform operator's: categories and
            # warehouses are shared by the installation, so a storefront admin choosing them
            # would see (and could take) other storefronts' ones.
            FieldPanel(
                "categories", widget=forms.CheckboxSelectMultiple, permission=PLATFORM_PERMISSION
            ),
            FieldPanel(
                "warehouses", widget=forms.CheckboxSelectMultiple, permission=PLATFORM_PERMISSION
            ),
        ],
        base_form_class=StorefrontForm,
    )


class CommerceMenuGroup(ViewSetGroup):
    """The "Commerce" submenu; each app adds its screens through :data:`COMMERCE_MENU_HOOK`."""

    menu_label = _("Commerce")
    menu_name = "commerce"
    menu_icon = "cogs"
    menu_order = 150
    submenu_hook = COMMERCE_MENU_HOOK
    items = ()
