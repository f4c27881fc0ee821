"""Admin: Pricing → "Import contract prices".

Upload a CSV or XLSX file into a company list (or a new draft list) → the dry run's report
(accepted rows, rejected rows with their reasons) → "Apply", offered only when nothing is
rejected → the result, with a link to the list. Large files show a progress bar that follows the
Celery task. Past imports are listed with their status, who uploaded them and when.

Staff holding the admin or pricing role on a storefront use the screen for that storefront; an
import or list of another storefront answers 404.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogFormatter

from pipit.tenancy.models import Storefront

from . import imports
from .admin_menu import PRICING_MENU_HOOK
from .models import PriceImport, PriceList

# -- the form --------------------------------------------------------------------------------


class ListChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, several_storefronts: bool = False, **kwargs):
        self.several_storefronts = several_storefronts
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: PriceList) -> str:
        label = obj.name if obj.live else _("%(name)s (draft)") % {"name": obj.name}
        return f"{obj.storefront.name} · {label}" if self.several_storefronts else label


class ImportForm(forms.Form):
    storefront = forms.ModelChoiceField(
        label=_("Storefront"),
        queryset=Storefront.objects.none(),
        required=False,
        help_text=_("Where the new list is created."),
    )
    price_list = ListChoiceField(
        label=_("Price list"),
        queryset=PriceList.objects.none(),
        required=False,
        empty_label=_("Create a new draft list named after the file"),
        help_text=_("A company contract price list. Prices of a draft list apply once published."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or Windows-1251; separated by semicolons, commas or tabs) or XLSX. "
            "The first row names the columns: company (INN, INN/KPP or code), SKU, price, and "
            "optionally from quantity, valid from, valid to."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    replace = forms.BooleanField(
        label=_("Replace this list's rows for the companies in the file"),
        required=False,
        help_text=_(
            "The list's rows of these companies that the file does not repeat are deleted. "
            "Other companies' rows stay as they are."
        ),
    )

    def __init__(self, *args, storefront_ids: frozenset[int], **kwargs):
        super().__init__(*args, **kwargs)
        several = len(storefront_ids) > 1
        self.fields["storefront"].queryset = Storefront.objects.filter(
            pk__in=sorted(storefront_ids)
        ).order_by("name")
        field = self.fields["price_list"]
        field.several_storefronts = several
        field.queryset = (
            imports.target_lists(storefront_ids)
            .select_related("storefront")
            .order_by("storefront__name", "name")
        )
        if not several:
            del self.fields["storefront"]
            self.only_storefront = Storefront.objects.filter(pk__in=storefront_ids).first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            imports.check_upload(upload)
        except imports.UnreadableFile as error:
            raise forms.ValidationError(str(error), code="unreadable") from error
        return upload

    def clean(self):
        cleaned = super().clean()
        price_list = cleaned.get("price_list")
        if price_list is not None:
            cleaned["storefront"] = price_list.storefront
        elif "storefront" in self.fields:
            if cleaned.get("storefront") is None and "storefront" not in self.errors:
                self.add_error(
                    "storefront", _("Choose the storefront of the new list, or choose a list.")
                )
        else:
            cleaned["storefront"] = self.only_storefront
        return cleaned


# -- views -----------------------------------------------------------------------------------


class ImportAccessMixin:
    """Staff with the admin or pricing role on some storefront; others get 403."""

    def dispatch(self, request, *args, **kwargs):
        self.storefront_ids = imports.import_storefront_ids(request.user)
        if not self.storefront_ids:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_import(self, pk: int) -> PriceImport:
        queryset = imports.imports_for_staff(self.request.user).select_related(
            "storefront", "price_list", "uploaded_by"
        )
        return get_object_or_404(queryset, pk=pk)


class ImportIndexView(ImportAccessMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "pricing/admin/import/index.html"
    form_class = ImportForm
    page_title = _("Import contract prices")
    header_icon = "upload"
    per_page = 20

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "storefront_ids": self.storefront_ids}

    def get_initial(self):
        initial = super().get_initial()
        wanted = self.request.GET.get("list", "")
        if wanted:
            # Linked from a list ("import rows into this list"): another storefront's list is 404.
            if not wanted.isdigit():
                raise PermissionDenied
            initial["price_list"] = get_object_or_404(
                imports.target_lists(self.storefront_ids), pk=int(wanted)
            )
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        past = imports.imports_for_staff(self.request.user).select_related(
            "storefront", "price_list", "uploaded_by"
        )
        page = Paginator(past, self.per_page).get_page(self.request.GET.get("p"))
        context.update(
            page=page,
            past_imports=page.object_list,
            several_storefronts=len(self.storefront_ids) > 1,
            column_names=[
                (imports.column_label(column), names[:6])
                for column, names in imports.COLUMN_NAMES.items()
            ],
            limits=imports.limits(),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        price_import = imports.create_import(
            data["storefront"],
            data["file"],
            user=self.request.user,
            price_list=data["price_list"],
            replace=data["replace"],
        )
        imports.start(price_import, apply=False)
        return redirect("pricing_import:detail", price_import.pk)


class ImportDetailView(ImportAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "pricing/admin/import/detail.html"
    header_icon = "upload"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.pk = kwargs["pk"]

    def get(self, request, *args, **kwargs):
        self.price_import = self.get_import(self.pk)
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import of %(file)s") % {"file": self.price_import.original_name}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pricing_import:index"), "label": _("Import contract prices")},
            {"url": "", "label": self.price_import.original_name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        price_import = self.price_import
        report = price_import.report or {}
        status, processed, total = imports.live_progress(price_import)
        list_url = None
        if price_import.price_list is not None:
            list_url = AdminURLFinder(self.request.user).get_edit_url(price_import.price_list)
        rejected_rows = report.get("rejected_rows", [])
        context.update(
            price_import=price_import,
            report=report,
            plan=report.get("plan"),
            result=report.get("result"),
            rejected_rows=rejected_rows,
            listed_rows=report.get("listed_rows", 0),
            progress_status=status,
            progress_label=PriceImport.Status(status).label,
            processed=processed,
            total=total,
            percent=_percent(processed, total),
            status_url=reverse("pricing_import:status", args=[price_import.pk]),
            apply_url=reverse("pricing_import:apply", args=[price_import.pk]),
            upload_again_url=_upload_url(price_import),
            list_url=list_url,
            new_list_name=imports.new_list_name(price_import.original_name),
            columns=report.get("columns", {}),
        )
        return context


class ImportStatusView(ImportAccessMixin, View):
    """What the progress bar polls: ``{status, label, processed, total, percent, done}``."""

    def get(self, request, pk: int):
        price_import = self.get_import(pk)
        status, processed, total = imports.live_progress(price_import)
        return JsonResponse(
            {
                "status": status,
                "label": str(PriceImport.Status(status).label),
                "processed": processed,
                "total": total,
                "percent": _percent(processed, total),
                "done": status not in _RUNNING,
            }
        )


class ImportApplyView(ImportAccessMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        price_import = self.get_import(pk)
        if not price_import.can_apply:
            messages.error(request, imports.why_not_applicable(price_import))
            return redirect("pricing_import:detail", price_import.pk)
        price_import = imports.start(price_import, apply=True)
        if price_import.status == PriceImport.Status.APPLIED:
            messages.success(request, _("The prices were applied."))
        return redirect("pricing_import:detail", price_import.pk)


_RUNNING = {PriceImport.Status.QUEUED, PriceImport.Status.CHECKING, PriceImport.Status.APPLYING}


def _percent(processed: int, total: int) -> int:
    return min(100, int(processed * 100 / total)) if total else 0


def _upload_url(price_import: PriceImport) -> str:
    url = reverse("pricing_import:index")
    return f"{url}?list={price_import.price_list_id}" if price_import.price_list_id else url


# -- registration ----------------------------------------------------------------------------


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(imports.import_storefront_ids(request.user))


class ContractImportViewSet(ViewSet):
    name = "pricing_import"
    url_prefix = "pricing/contract-import"
    icon = "upload"
    menu_label = _("Import contract prices")
    menu_name = "contract-import"
    menu_order = 300
    menu_hook = PRICING_MENU_HOOK

    @cached_property
    def menu_item_class(self):
        return ImportMenuItem

    def get_urlpatterns(self):
        return [
            path("", ImportIndexView.as_view(), name="index"),
            path("<int:pk>/", ImportDetailView.as_view(), name="detail"),
            path("<int:pk>/status/", ImportStatusView.as_view(), name="status"),
            path("<int:pk>/apply/", ImportApplyView.as_view(), name="apply"),
        ]


@hooks.register("register_admin_viewset")
def register_contract_import():
    return ContractImportViewSet()


@hooks.register("register_log_actions")
def register_import_log_action(actions):
    @actions.register_action("pipit_pricing.import")
    class ImportLogFormatter(LogFormatter):
        label = _("Import contract prices")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _(
                "Imported %(file)s: %(create)s rows created, %(update)s updated, %(delete)s deleted"
            ) % {
                "file": data.get("file", ""),
                "create": data.get("create", 0),
                "update": data.get("update", 0),
                "delete": data.get("delete", 0),
            }
