"""Admin screens under "Pricing": customer groups, price lists and their rows, price rules.

Price lists and rules are Wagtail snippets (drafts, revisions, scheduled publishing, locking,
workflows); publishing one recompiles the prices it touches (:mod:`pipit.pricing.receivers`).
Rows and customer groups are plain model screens: a row of a published list takes effect when
saved. Every screen is scoped to the storefronts where the user runs pricing (sales ops or
admin role, :func:`pipit.pricing.forms.pricing_storefront_ids`): listings, filters, choosers,
form choices, and every URL that names an object, which answers 404 for another storefront's.

Row changes are logged on their list (who, when, each value before → after), so the list's
history tells the whole story, rows deleted long ago included.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from functools import wraps

import django_filters
from django.contrib.admin.utils import unquote
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
    PublishingPanel,
)
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn, UpdatedAtColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic.history import ActionColumn
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import LogFormatter, log
from wagtail.models import Revision, WorkflowState
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views.snippets import CreateView as SnippetCreateView
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.views.snippets import HistoryView, SnippetViewSet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from pipit.catalog.queries import (
    categories_for_staff,
    categories_for_storefront,
    products_for_storefront,
)
from pipit.cms import choosers as cms_choosers
from pipit.cms.wagtail_hooks import StorefrontScopedPolicy
from pipit.companies.models import Company
from pipit.tenancy.admin_views import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedModelViewSet,
    ScopedViewMixin,
    scope_to_ids,
)
from pipit.tenancy.models import Storefront

from .admin_menu import PRICING_MENU_HOOK
from .forms import (
    CATEGORY_CHOOSER,
    COMPANY_CHOOSER,
    PRODUCT_CHOOSER,
    CustomerGroupForm,
    PriceListForm,
    PriceListItemForm,
    PriceRuleForm,
    company_label,
    in_pricing_scope,
    pricing_storefront_ids,
    pricing_storefronts,
    product_label,
)
from .models import CustomerGroup, PriceList, PriceListItem, PriceRule


class PricingPolicy(StorefrontScopedPolicy):
    """The promo banners' scoped policy, limited to the storefronts where the user runs pricing
    (an editor there who holds the pricing role elsewhere gets nothing)."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and (
            instance.storefront_id in pricing_storefront_ids(user)
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return in_pricing_scope(self.model.objects.all(), user)


# Registered before anything asks Wagtail's registry about these models (it requires that).
register_permission_policy(PriceList, PricingPolicy(PriceList))
register_permission_policy(PriceRule, PricingPolicy(PriceRule))


def pricing_storefront_filter() -> django_filters.ModelChoiceFilter:
    """A listing filter offering the storefronts where the user runs pricing."""
    return django_filters.ModelChoiceFilter(
        field_name="storefront",
        label=_("Storefront"),
        queryset=lambda request: (
            pricing_storefronts(request.user) if request else pricing_storefronts(None)
        ),
    )


# --- small shared pieces -------------------------------------------------------------------------


def scoped_to_user(view, queryset_for_user):
    """404 on any URL naming an object (``pk``) outside ``queryset_for_user(user)``."""

    @wraps(view)
    def scoped(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            try:
                found = queryset_for_user(request.user).filter(pk=unquote(str(pk))).exists()
            except (TypeError, ValueError):
                found = False
            if not found:
                raise Http404
        return view(request, *args, **kwargs)

    return scoped


def format_date(value: datetime.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def validity(obj) -> str:
    start, end = format_date(obj.valid_from), format_date(obj.valid_to)
    if start and end:
        return f"{start} – {end}"
    if start:
        return gettext("from %(date)s") % {"date": start}
    if end:
        return gettext("until %(date)s") % {"date": end}
    return gettext("always")


def money(value: Decimal | None) -> str:
    return "" if value is None else formats.number_format(value, 2, force_grouping=True)


def publishing_status(obj) -> str:
    """Wagtail's status words, read from what the listing loaded in bulk (no query per row)."""
    if getattr(obj, "_current_workflow_states", None):
        return gettext("in moderation")
    scheduled = getattr(obj, "_scheduled", None)
    if scheduled is None:
        return obj.status_string
    if not obj.live:
        if obj.expired:
            return gettext("expired")
        return gettext("scheduled") if scheduled else gettext("draft")
    if scheduled:
        return gettext("live + scheduled")
    return gettext("live + draft") if obj.has_unpublished_changes else gettext("live")


def scheduled_revisions(model) -> QuerySet:
    """Revisions of the outer object approved for publishing at a set time (a subquery)."""
    return Revision.objects.filter(
        base_content_type=model.get_base_content_type(),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        approved_go_live_at__isnull=False,
    )


def with_publishing_status(queryset: QuerySet) -> QuerySet:
    """What :func:`publishing_status` reads, for a whole listing page at once."""
    scheduled = scheduled_revisions(queryset.model)
    return queryset.annotate(_scheduled=Exists(scheduled)).prefetch_related(
        Prefetch(
            "_workflow_states",
            WorkflowState.objects.active().select_related("current_task_state__task"),
            to_attr="_current_workflow_states",
        )
    )


#: On a form's panels: show the fields marked with :func:`shown_when` only when they apply
#: (Wagtail's ``w-rules`` controller reads the form's values as they change).
RULES_ATTRS = {"data-controller": "w-rules", "data-action": "change->w-rules#resolve"}


def shown_when(field: str, *values: str) -> dict:
    """Panel attributes: shown while the form's ``field`` has one of ``values``."""
    return {"data-w-rules-target": "show", "data-w-rules": json.dumps({field: list(values)})}


class PublishingStatusColumn(StatusTagColumn):
    def __init__(self, **kwargs):
        super().__init__(
            "publishing_status",
            accessor=publishing_status,
            label=_("Status"),
            sort_key="live",
            primary=lambda obj: obj.live,
            **kwargs,
        )


class LinkColumn(Column):
    """A cell with a link; ``get_url(obj)`` gives its address."""

    cell_template_name = "pricing/admin/crud/link_cell.html"

    def __init__(self, name, get_url, **kwargs):
        super().__init__(name, **kwargs)
        self._get_url = get_url

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = self._get_url(instance)
        return context


def count_of(model, through_field: str, owner_field: str) -> Subquery:
    """A correlated count (a subquery, so several counts do not multiply each other's joins)."""
    through = getattr(model, through_field).through
    return Coalesce(
        Subquery(
            through.objects.filter(**{owner_field: OuterRef("pk")})
            .order_by()
            .values(owner_field)
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


# --- choosers narrowed to one storefront ---------------------------------------------------------


class StorefrontParamMixin:
    """Narrows a chooser's list to the storefront the form picked (``?storefront=<id>``), or the
    storefront of a price list (``?price_list=<id>``); only one the user staffs counts."""

    preserve_url_parameters = ["multiple", "storefront", "price_list"]

    def storefront_scope(self, storefront: Storefront) -> QuerySet:
        raise NotImplementedError

    @cached_property
    def chosen_storefront(self) -> Storefront | None:
        user = self.request.user
        try:
            if self.request.GET.get("storefront"):
                storefront_id = int(self.request.GET["storefront"])
            elif self.request.GET.get("price_list"):
                storefront_id = (
                    in_pricing_scope(PriceList.objects.all(), user)
                    .filter(pk=int(self.request.GET["price_list"]))
                    .values_list("storefront_id", flat=True)
                    .first()
                )
            else:
                return None
        except ValueError:
            return None
        if storefront_id not in pricing_storefront_ids(user):
            return None
        return Storefront.objects.filter(pk=storefront_id).first()

    def get_object_list(self):
        objects = super().get_object_list()
        if self.chosen_storefront is not None:
            objects = objects.filter(
                pk__in=self.storefront_scope(self.chosen_storefront).values("pk")
            )
        return objects


class ProductScopeMixin(StorefrontParamMixin):
    def storefront_scope(self, storefront):
        return products_for_storefront(storefront)


class ProductChooseView(ProductScopeMixin, cms_choosers.ProductChooseView):
    pass


class ProductChooseResultsView(ProductScopeMixin, cms_choosers.ProductChooseResultsView):
    pass


class ProductChooserViewSet(cms_choosers.ProductChooserViewSet):
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView


class CategoryScopeMixin(StorefrontParamMixin):
    def storefront_scope(self, storefront):
        return categories_for_storefront(storefront)


class CategoryChooseView(CategoryScopeMixin, cms_choosers.CategoryChooseView):
    pass


class CategoryChooseResultsView(CategoryScopeMixin, cms_choosers.CategoryChooseResultsView):
    pass


class CategoryChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return categories_for_staff(self.request.user).filter(pk__in=pks)


class CategoryChooserViewSet(cms_choosers.CategoryChooserViewSet):
    choose_view_class = CategoryChooseView
    choose_results_view_class = CategoryChooseResultsView
    chosen_multiple_view_class = CategoryChosenMultipleView


class CompanySearchForm(cms_choosers.TitleSearchForm):
    search_fields = ("name", "inn", "code")


class CompanyListMixin(StorefrontParamMixin):
    filter_form_class = CompanySearchForm
    ordering = ["name", "pk"]

    def get_object_list(self):
        companies = in_pricing_scope(Company.objects.all(), self.request.user)
        companies = companies.select_related("storefront")
        if self.chosen_storefront is not None:
            companies = companies.filter(storefront=self.chosen_storefront)
        return companies

    @property
    def columns(self):
        return [
            self.title_column,
            Column("inn", label=_("INN")),
            Column("storefront", label=_("Storefront")),
        ]


class CompanyChooseView(CompanyListMixin, chooser_views.ChooseView):
    pass


class CompanyChooseResultsView(CompanyListMixin, chooser_views.ChooseResultsView):
    pass


class CompanyChosenView(chooser_views.ChosenView):
    def get_object(self, pk):
        return in_pricing_scope(Company.objects.all(), self.request.user).get(pk=pk)

    def get_display_title(self, instance):
        return company_label(instance)


class CompanyChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return in_pricing_scope(Company.objects.all(), self.request.user).filter(pk__in=pks)

    def get_display_title(self, instance):
        return company_label(instance)


class CompanyChooserViewSet(ChooserViewSet):
    model = Company
    icon = "group"
    choose_one_text = _("Choose a company")
    choose_another_text = _("Choose another company")
    choose_view_class = CompanyChooseView
    choose_results_view_class = CompanyChooseResultsView
    chosen_view_class = CompanyChosenView
    chosen_multiple_view_class = CompanyChosenMultipleView
    register_widget = False


product_chooser = ProductChooserViewSet(PRODUCT_CHOOSER, url_prefix="pricing/choose-product")
category_chooser = CategoryChooserViewSet(CATEGORY_CHOOSER, url_prefix="pricing/choose-category")
company_chooser = CompanyChooserViewSet(COMPANY_CHOOSER, url_prefix="pricing/choose-company")


def scoped_snippet_chooser(model):
    """A snippet chooser listing and accepting only the user's storefronts' objects."""

    class ChooseView(snippet_chooser.ChooseView):
        def get_object_list(self):
            return in_pricing_scope(model.objects.all(), self.request.user)

    class ChooseResultsView(snippet_chooser.ChooseResultsView):
        def get_object_list(self):
            return in_pricing_scope(model.objects.all(), self.request.user)

    class ChosenView(snippet_chooser.SnippetChosenView):
        def get_object(self, pk):
            return in_pricing_scope(model.objects.all(), self.request.user).get(pk=pk)

    class ChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
        def get_objects(self, pks):
            return in_pricing_scope(model.objects.all(), self.request.user).filter(pk__in=pks)

    return type(
        f"{model.__name__}ChooserViewSet",
        (snippet_chooser.SnippetChooserViewSet,),
        {
            "choose_view_class": ChooseView,
            "choose_results_view_class": ChooseResultsView,
            "chosen_view_class": ChosenView,
            "chosen_multiple_view_class": ChosenMultipleView,
        },
    )


def without_lone_storefront(columns: list, user) -> list:
    """Drop the storefront column for a user of one storefront: every row would repeat it."""
    if len(pricing_storefront_ids(user)) > 1:
        return columns
    return [c for c in columns if getattr(c, "name", None) != "storefront"]


class StorefrontSnippetIndexView(SnippetIndexView):
    @cached_property
    def columns(self):
        return without_lone_storefront(super().columns, self.request.user)


class StorefrontSnippetViewSet(SnippetViewSet):
    """A snippet of one storefront, in the Pricing menu; every view sees the user's storefronts'
    objects only and any URL naming another one answers 404."""

    menu_hook = PRICING_MENU_HOOK
    add_to_admin_menu = False
    index_view_class = StorefrontSnippetIndexView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_per_page = 50
    # The ORM's icontains (the search index has no partial-word matching for these names).
    search_backend_name = None

    def get_queryset(self, request):
        return in_pricing_scope(self.model.objects.all(), request.user).select_related("storefront")

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            pattern.callback = scoped_to_user(
                pattern.callback, lambda user: in_pricing_scope(self.model.objects.all(), user)
            )
        return patterns


class StatusFilterMixin(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[
            ("live", _("Published")),
            ("changes", _("Published, with unpublished changes")),
            ("draft", _("Draft, never published")),
            ("scheduled", _("Scheduled")),
            ("unpublished", _("Unpublished")),
        ],
    )

    def filter_status(self, queryset, name, value):
        if value == "live":
            return queryset.filter(live=True)
        if value == "changes":
            return queryset.filter(live=True, has_unpublished_changes=True)
        if value == "draft":
            return queryset.filter(live=False, first_published_at__isnull=True)
        if value == "scheduled":
            return queryset.filter(Exists(scheduled_revisions(queryset.model)))
        if value == "unpublished":
            return queryset.filter(live=False, first_published_at__isnull=False)
        return queryset


# --- customer groups -----------------------------------------------------------------------------


class CustomerGroupFilterSet(WagtailFilterSet):
    storefront = pricing_storefront_filter()

    class Meta:
        model = CustomerGroup
        fields = ["storefront"]


class CustomerGroupIndexView(ScopedIndexView):
    add_item_label = _("Add a customer group")

    @cached_property
    def columns(self):
        return without_lone_storefront(super().columns, self.request.user)

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("storefront")
            .annotate(member_count=count_of(CustomerGroup, "companies", "customergroup"))
        )


MEMBERS_CHANGED = "pipit_pricing.members_changed"


class MembersLoggedMixin:
    """Logs which companies joined or left the group: membership moves their prices."""

    def save_instance(self):
        group = self.form.instance
        before = set(group.companies.values_list("pk", flat=True)) if group.pk else set()
        group = super().save_instance()
        after = {c.pk: c for c in group.companies.all()}
        gone = Company.objects.filter(pk__in=before - set(after))
        added = [company_label(after[pk]) for pk in sorted(set(after) - before)]
        removed = [company_label(c) for c in gone]
        if added or removed:
            log(
                instance=group,
                action=MEMBERS_CHANGED,
                user=self.request.user,
                data={"added": added, "removed": removed},
            )
        return group


class CustomerGroupCreateView(MembersLoggedMixin, ScopedCreateView):
    pass


class CustomerGroupEditView(MembersLoggedMixin, ScopedEditView):
    pass


class PricingModelViewSet(ScopedModelViewSet):
    """A Commerce-style scoped screen in the Pricing menu, scoped to the storefronts where the
    user runs pricing; any URL naming another storefront's object answers 404."""

    menu_hook = PRICING_MENU_HOOK

    @property
    def url_namespace(self) -> str:
        return self.name

    def scope_queryset(self, queryset, user):
        return scope_to_ids(queryset, pricing_storefront_ids(user), self.storefront_lookup)

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            pattern.callback = scoped_to_user(
                pattern.callback,
                lambda user: self.scope_queryset(self.model._default_manager.all(), user),
            )
        return patterns


class CustomerGroupViewSet(PricingModelViewSet):
    model = CustomerGroup
    icon = "group"
    menu_label = _("Customer groups")
    menu_order = 300
    url_prefix = "pricing/groups"
    index_view_class = CustomerGroupIndexView
    add_view_class = CustomerGroupCreateView
    edit_view_class = CustomerGroupEditView
    filterset_class = CustomerGroupFilterSet
    search_fields = ["name", "code"]
    list_display = [
        "name",
        "code",
        "storefront",
        Column("member_count", label=_("Companies"), sort_key="member_count"),
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("storefront"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
            FieldPanel("description"),
            FieldPanel("companies"),
        ],
        base_form_class=CustomerGroupForm,
    )


# --- price lists ---------------------------------------------------------------------------------

LISTS = "wagtailsnippets_pricing_pricelist"  # Wagtail's namespace for the snippet's views
ROWS = "pricing_rows"


def rows_url(price_list: PriceList) -> str:
    return reverse(f"{ROWS}:index") + f"?price_list={price_list.pk}"


class RowsPanel(Panel):
    """On a price list's form: how many rows it has and the way to them."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "pricing/admin/crud/rows_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            price_list = self.instance
            if price_list.pk:
                context["count"] = PriceListItem.objects.filter(price_list=price_list).count()
                context["rows_url"] = rows_url(price_list)
                context["add_url"] = reverse(f"{ROWS}:add") + f"?price_list={price_list.pk}"
            context["price_list"] = price_list
            return context


class PriceListFilterSet(StatusFilterMixin, WagtailFilterSet):
    storefront = pricing_storefront_filter()
    kind = django_filters.ChoiceFilter(label=_("Applies to"), choices=PriceList.Kind.choices)

    class Meta:
        model = PriceList
        fields = ["storefront", "kind"]


ROW_ACTIONS = {
    "pipit_pricing.row_added": _("Price list row added"),
    "pipit_pricing.row_changed": _("Price list row changed"),
    "pipit_pricing.row_deleted": _("Price list row deleted"),
}


class RowChangesColumn(ActionColumn):
    """The history's action column, with a row's values before → after under its message."""

    cell_template_name = "pricing/admin/crud/history_action_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        if instance.action in ROW_ACTIONS:
            context["row_changes"] = row_changes(instance.data or {})
        return context


class PriceListHistoryView(HistoryView):
    @cached_property
    def columns(self):
        columns = super().columns
        stock = columns[0]
        columns[0] = RowChangesColumn(
            "message",
            label=stock.label,
            object=stock.object,
            url_names=stock.url_names,
            user_can_unschedule=stock.user_can_unschedule,
        )
        return columns


class PriceListIndexView(StorefrontSnippetIndexView):
    # Wagtail's "Add %(model_name)s" cannot decline the noun in Russian.
    add_item_label = _("Add a price list")


class PriceListViewSet(StorefrontSnippetViewSet):
    model = PriceList
    index_view_class = PriceListIndexView
    chooser_viewset_class = scoped_snippet_chooser(PriceList)
    icon = "list-ul"
    menu_label = _("Price lists")
    menu_name = "price-lists"
    menu_order = 100
    filterset_class = PriceListFilterSet
    search_fields = ["name", "note"]
    history_view_class = PriceListHistoryView
    ordering = ["storefront__name", "kind", "-priority", "name"]
    list_display = [
        "name",
        Column("storefront", label=_("Storefront"), sort_key="storefront__name"),
        Column("get_kind_display", label=_("Applies to"), sort_key="kind"),
        Column(
            "group_names",
            label=_("Customer groups"),
            accessor=lambda pl: ", ".join(g.name for g in pl.groups.all()),
        ),
        Column("priority", label=_("Priority"), sort_key="priority"),
        Column("validity", label=_("Valid"), accessor=validity),
        LinkColumn(
            "row_count",
            label=_("Rows"),
            sort_key="row_count",
            accessor=lambda pl: gettext("Rows (%(count)s)") % {"count": pl.row_count},
            get_url=rows_url,
        ),
        PublishingStatusColumn(),
        UpdatedAtColumn(),
    ]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("storefront"),
                    FieldPanel("name"),
                    FieldPanel("kind"),
                    FieldPanel("groups", attrs=shown_when("kind", PriceList.Kind.GROUP)),
                ],
                heading=_("List"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("currency"), FieldPanel("priority")]),
                    FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
                    FieldPanel("note"),
                ],
                heading=_("When and how"),
            ),
            RowsPanel(heading=_("Rows")),
            PublishingPanel(),
        ],
        base_form_class=PriceListForm,
        attrs=RULES_ATTRS,
    )

    def get_queryset(self, request):
        return with_publishing_status(
            super()
            .get_queryset(request)
            .annotate(row_count=Count("items"))
            .prefetch_related("groups")
        )


# --- price list rows -----------------------------------------------------------------------------

ROW_FIELDS = ("product", "company", "min_quantity", "price", "valid_from", "valid_to")


def row_snapshot(row: PriceListItem) -> dict[str, str]:
    """A row's values as the history keeps them (text: products and companies change later)."""
    return {
        "product": product_label(row.product),
        "company": company_label(row.company) if row.company_id else "",
        "min_quantity": str(row.min_quantity),
        "price": f"{Decimal(row.price):.2f}",
        "valid_from": row.valid_from.isoformat() if row.valid_from else "",
        "valid_to": row.valid_to.isoformat() if row.valid_to else "",
    }


def _shown(field: str, value: str) -> str:
    if not value:
        return "—"
    if field in ("valid_from", "valid_to"):
        return format_date(datetime.date.fromisoformat(value))
    if field == "price":
        return money(Decimal(value))
    return value


def row_changes(data: dict) -> list[tuple[str, str, str]]:
    """``(field label, before, after)`` for a logged row; unchanged fields are left out of an
    edit, and an added or deleted row lists its values on one side."""
    before, after = data.get("before") or {}, data.get("after") or {}
    changes = []
    for field in ROW_FIELDS:
        old, new = before.get(field, ""), after.get(field, "")
        if before and after:
            if old == new:
                continue
        elif field in ("product", "company") or not (old or new):
            continue  # the entry's title names the product and company; blanks say nothing
        label = PriceListItem._meta.get_field(field).verbose_name
        changes.append((str(label).capitalize(), _shown(field, old), _shown(field, new)))
    return changes


def row_title(data: dict) -> str:
    values = data.get("after") or data.get("before") or {}
    parts = [values.get("product", "")]
    if values.get("company"):
        parts.append(values["company"])
    return " · ".join(p for p in parts if p)


def log_row(price_list: PriceList, action: str, user, before=None, after=None) -> None:
    log(
        instance=price_list,
        action=action,
        user=user,
        data={"before": before, "after": after},
        content_changed=False,
    )


class RowFilterSet(WagtailFilterSet):
    price_list = django_filters.ModelChoiceFilter(
        label=_("Price list"),
        queryset=lambda request: (
            in_pricing_scope(PriceList.objects.all(), request.user)
            if request
            else PriceList.objects.none()
        ),
    )

    class Meta:
        model = PriceListItem
        fields = ["price_list"]


class RowViewMixin(ScopedViewMixin):
    """The list the screen is about: the row's own, or ``?price_list=`` (one of the user's)."""

    @cached_property
    def price_list(self) -> PriceList | None:
        obj = getattr(self, "object", None)
        if isinstance(obj, PriceListItem) and obj.price_list_id:
            return obj.price_list
        pk = self.request.GET.get("price_list") or self.request.POST.get("price_list")
        if not pk:
            return None
        try:
            return (
                in_pricing_scope(PriceList.objects.all(), self.request.user)
                .select_related("storefront")
                .filter(pk=int(pk))
                .first()
            )
        except ValueError:
            return None

    def rows_url(self, price_list=None) -> str:
        price_list = price_list or self.price_list
        return rows_url(price_list) if price_list else reverse(self.index_url_name)

    def list_crumbs(self) -> list[dict]:
        crumbs = [{"url": reverse(f"{LISTS}:list"), "label": _("Price lists")}]
        if self.price_list is not None:
            crumbs += [
                {"url": edit_list_url(self.price_list), "label": self.price_list.name},
                {"url": rows_url(self.price_list), "label": _("Rows")},
            ]
        return crumbs


def edit_list_url(price_list: PriceList) -> str:
    return reverse(f"{LISTS}:edit", args=[price_list.pk])


class RowIndexView(RowViewMixin, ScopedIndexView):
    template_name = "pricing/admin/crud/rows_index.html"
    add_item_label = _("Add a row")
    page_title = _("Price list rows")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("product", "company", "price_list__storefront")
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        q = self.search_query
        match = (
            Q(product__title__icontains=q)
            | Q(product__parent__title__icontains=q)
            | Q(product__upc__icontains=q)
            | Q(product__stockrecords__partner_sku__icontains=q)
            | Q(company__name__icontains=q)
            | Q(company__inn__icontains=q)
            | Q(company__code__icontains=q)
        )
        # Through the offers a plain filter would repeat rows.
        return queryset.filter(pk__in=PriceListItem.objects.filter(match).values("pk"))

    def get_page_subtitle(self):
        return self.price_list.name if self.price_list else None

    def get_breadcrumbs_items(self):
        return (
            self.breadcrumbs_items
            + self.list_crumbs()[:-1]
            + [{"url": "", "label": _("Rows"), "sublabel": self.get_page_subtitle()}]
        )

    def get_add_url(self):
        url = super().get_add_url()
        if url and self.price_list is not None:
            url += f"?price_list={self.price_list.pk}"
        return url

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.price_list is not None:
            buttons.append(
                HeaderButton(
                    _("Edit the list"), url=edit_list_url(self.price_list), icon_name="edit"
                )
            )
            buttons.append(
                HeaderButton(
                    _("History of the list"),
                    url=reverse(f"{LISTS}:history", args=[self.price_list.pk]),
                    icon_name="history",
                )
            )
        return buttons

    @cached_property
    def columns(self):
        edit = self.get_edit_url
        columns = [
            self._get_title_column_class(TitleColumn)(
                "product",
                label=_("Product"),
                accessor=lambda row: product_label(row.product),
                get_url=edit,
                sort_key="product__title",
            )
        ]
        if self.price_list is None:
            columns.append(Column("price_list", label=_("Price list"), sort_key="price_list__name"))
        if self.price_list is None or self.price_list.kind == PriceList.Kind.COMPANY:
            columns.append(
                Column(
                    "company",
                    label=_("Company"),
                    accessor=lambda row: company_label(row.company) if row.company_id else "",
                    sort_key="company__name",
                )
            )
        columns += [
            Column("min_quantity", label=_("From quantity"), sort_key="min_quantity"),
            Column(
                "price",
                label=_("Price before tax"),
                accessor=lambda row: f"{money(row.price)} {row.price_list.currency}",
                sort_key="price",
            ),
            Column("validity", label=_("Valid"), accessor=validity),
            Column(
                "updated_at",
                label=_("Updated"),
                accessor=lambda row: formats.date_format(row.updated_at, "SHORT_DATETIME_FORMAT"),
                sort_key="updated_at",
            ),
        ]
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["price_list"] = self.price_list
        return context


def describe_row(row: PriceListItem) -> str:
    """'Product (UPC) · Company, from 10': a row as people name it."""
    parts = [product_label(row.product)]
    if row.company_id:
        parts.append(company_label(row.company))
    text = " · ".join(parts)
    if row.min_quantity > 1:
        text += ", " + gettext("from %(quantity)s") % {"quantity": row.min_quantity}
    return text


class RowFormViewMixin(RowViewMixin):
    def get_success_url(self):
        return self.rows_url(self.object.price_list)

    def row_saved_message(self, row: PriceListItem) -> str:
        return gettext("Row saved: %(row)s, %(price)s %(currency)s.") % {
            "row": describe_row(row),
            "price": money(row.price),
            "currency": row.price_list.currency,
        }

    def get_breadcrumbs_items(self):
        return (
            self.breadcrumbs_items
            + self.list_crumbs()
            + [{"url": "", "label": self.get_page_title()}]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["price_list"] = self.price_list
        return context


class RowCreateView(RowFormViewMixin, ScopedCreateView):
    template_name = "pricing/admin/crud/row_form.html"
    page_title = _("New row")

    def get_success_message(self, instance):
        return self.row_saved_message(instance)

    def get_initial(self):
        initial = super().get_initial()
        if self.price_list is not None:
            initial["price_list"] = self.price_list.pk
        return initial

    def save_instance(self):
        self.action_class(
            self.form.instance, user=self.request.user, form=self.form, log_action=False
        ).execute(skip_permission_checks=True)
        row = self.form.instance
        log_row(
            row.price_list, "pipit_pricing.row_added", self.request.user, after=row_snapshot(row)
        )
        return row


class RowEditView(RowFormViewMixin, ScopedEditView):
    template_name = "pricing/admin/crud/row_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("product", "company", "price_list__storefront")

    def get_page_subtitle(self):
        return describe_row(self.object)

    def get_success_message(self):
        return self.row_saved_message(self.object)

    def save_instance(self):
        stored = self.get_queryset().get(pk=self.object.pk)
        before, before_list = row_snapshot(stored), stored.price_list
        self.action_class(
            self.form.instance, user=self.request.user, form=self.form, log_action=False
        ).execute(skip_permission_checks=True)
        row = self.form.instance
        after = row_snapshot(row)
        if row.price_list_id != before_list.pk:
            # Moved to another list: gone from one, new in the other.
            log_row(before_list, "pipit_pricing.row_deleted", self.request.user, before=before)
            log_row(row.price_list, "pipit_pricing.row_added", self.request.user, after=after)
        elif after != before:
            log_row(row.price_list, "pipit_pricing.row_changed", self.request.user, before, after)
        return row

    def get_history_url(self):
        return reverse(f"{LISTS}:history", args=[self.object.price_list_id])


class RowDeleteView(RowViewMixin, ScopedDeleteView):
    def get_queryset(self):
        return super().get_queryset().select_related("product", "company", "price_list")

    def get_success_url(self):
        return self.rows_url(self.object.price_list)

    def get_page_subtitle(self):
        return describe_row(self.object)

    def get_success_message(self):
        return gettext("Row deleted: %(row)s.") % {"row": describe_row(self.object)}

    def delete_action(self):
        row = self.object
        snapshot, price_list = row_snapshot(row), row.price_list
        self.action_class(row, user=self.request.user, log_action=False).execute(
            skip_permission_checks=True
        )
        log_row(price_list, "pipit_pricing.row_deleted", self.request.user, before=snapshot)


class RowHistoryView(ScopedViewMixin, View):
    """A row's history is its list's: changes to rows are logged there."""

    template_name = None  # redirects only

    def get(self, request, pk):
        rows = self.scope(PriceListItem.objects.all())
        row = get_object_or_404(rows, pk=unquote(str(pk)))
        return redirect(f"{LISTS}:history", row.price_list_id)


class PriceListItemViewSet(PricingModelViewSet):
    model = PriceListItem
    storefront_lookup = "price_list__storefront"
    icon = "list-ul"
    menu_hook = None  # reached from a price list
    url_prefix = "pricing/rows"
    index_view_class = RowIndexView
    add_view_class = RowCreateView
    edit_view_class = RowEditView
    delete_view_class = RowDeleteView
    history_view_class = RowHistoryView
    filterset_class = RowFilterSet
    search_fields = ["product__title"]  # see RowIndexView.search_queryset
    list_per_page = 50
    ordering = ["product__title", "company__name", "min_quantity"]
    edit_handler = ObjectList(
        [
            FieldPanel("price_list"),
            FieldPanel("product"),
            FieldPanel("company"),
            FieldRowPanel([FieldPanel("min_quantity"), FieldPanel("price")]),
            FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
        ],
        base_form_class=PriceListItemForm,
    )


# --- price rules ---------------------------------------------------------------------------------


def products_summary(rule: PriceRule) -> str:
    Scope = PriceRule.ProductScope
    if rule.product_scope == Scope.CATEGORIES:
        names = [c.name for c in rule.categories.all()]
        return gettext("Categories: %(names)s") % {"names": _shorten(names)}
    if rule.product_scope == Scope.PRODUCTS:
        count = len(rule.products.all())
        return ngettext("%(n)d product", "%(n)d products", count) % {"n": count}
    if rule.product_scope == Scope.BRANDS:
        return gettext("Brands: %(names)s") % {"names": _shorten(rule.brand_names)}
    if rule.product_scope == Scope.ATTRIBUTE:
        return f"{rule.attribute_code} = {rule.attribute_value}"
    return gettext("All products")


def buyers_summary(rule: PriceRule) -> str:
    Scope = PriceRule.CustomerScope
    if rule.customer_scope == Scope.GROUPS:
        return gettext("Groups: %(names)s") % {
            "names": _shorten([g.name for g in rule.groups.all()])
        }
    if rule.customer_scope == Scope.COMPANIES:
        count = len(rule.companies.all())
        return ngettext("%(n)d company", "%(n)d companies", count) % {"n": count}
    return gettext("All buyers")


def _shorten(names: list[str], keep: int = 3) -> str:
    if len(names) <= keep:
        return ", ".join(names)
    return ", ".join(names[:keep]) + " " + gettext("and %(n)d more") % {"n": len(names) - keep}


def _percent(value: Decimal) -> str:
    return formats.number_format(value.normalize() if value == value.to_integral() else value)


def action_summary(rule: PriceRule) -> str:
    """'10% off', 'fixed 950.00', 'markup 25%', 'round up to 10', with the tiers after."""
    Action = PriceRule.Action

    def one(value: Decimal) -> str:
        if rule.action == Action.PERCENT_OFF:
            return gettext("%(value)s%% off") % {"value": _percent(value)}
        if rule.action == Action.FIXED_PRICE:
            return gettext("fixed %(value)s") % {"value": money(value)}
        if rule.action == Action.MARKUP:
            return gettext("markup %(value)s%%") % {"value": _percent(value)}
        step = _percent(value)
        if rule.rounding == PriceRule.Rounding.UP:
            return gettext("round up to %(step)s") % {"step": step}
        if rule.rounding == PriceRule.Rounding.DOWN:
            return gettext("round down to %(step)s") % {"step": step}
        return gettext("round to %(step)s") % {"step": step}

    parts = [one(rule.value)] if rule.value is not None else []
    for tier in rule.tiers.all():
        parts.append(
            gettext("from %(quantity)s: %(action)s")
            % {"quantity": tier.min_quantity, "action": one(tier.value)}
        )
    return "; ".join(parts) or gettext("nothing yet")


class PriceRuleFilterSet(StatusFilterMixin, WagtailFilterSet):
    storefront = pricing_storefront_filter()
    action = django_filters.ChoiceFilter(label=_("Action"), choices=PriceRule.Action.choices)
    product_scope = django_filters.ChoiceFilter(
        label=_("Products"), choices=PriceRule.ProductScope.choices
    )
    customer_scope = django_filters.ChoiceFilter(
        label=_("Buyers"), choices=PriceRule.CustomerScope.choices
    )

    class Meta:
        model = PriceRule
        fields = ["storefront", "action", "product_scope", "customer_scope"]


class WithoutAutosave:
    """No autosave on the rule form: its ``action`` field shadows the form's ``action``
    attribute in the browser (``form.action`` is the select), so Wagtail's autosave would post
    to "[object HTMLSelectElement]". Saving a draft and publishing work as usual."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.autosave_enabled = False


class PriceRuleCreateView(WithoutAutosave, SnippetCreateView):
    pass


class PriceRuleEditView(WithoutAutosave, SnippetEditView):
    pass


class PriceRuleIndexView(StorefrontSnippetIndexView):
    add_item_label = _("Add a price rule")


class PriceRuleViewSet(StorefrontSnippetViewSet):
    model = PriceRule
    index_view_class = PriceRuleIndexView
    add_view_class = PriceRuleCreateView
    edit_view_class = PriceRuleEditView
    chooser_viewset_class = scoped_snippet_chooser(PriceRule)
    icon = "tag"
    menu_label = _("Price rules")
    menu_name = "price-rules"
    menu_order = 200
    filterset_class = PriceRuleFilterSet
    search_fields = ["name", "description"]
    ordering = ["storefront__name", "-priority", "name"]
    list_display = [
        "name",
        Column("storefront", label=_("Storefront"), sort_key="storefront__name"),
        Column("products_summary", label=_("Products"), accessor=products_summary),
        Column("buyers_summary", label=_("Buyers"), accessor=buyers_summary),
        Column("action_summary", label=_("Action"), accessor=action_summary),
        Column("validity", label=_("Valid"), accessor=validity),
        Column("priority", label=_("Priority"), sort_key="priority"),
        Column("get_stacking_display", label=_("Stacking"), sort_key="stacking"),
        PublishingStatusColumn(),
        UpdatedAtColumn(),
    ]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("storefront"), FieldPanel("name"), FieldPanel("description")],
                heading=_("Rule"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("product_scope"),
                    FieldPanel("categories", attrs=shown_when("product_scope", "categories")),
                    FieldPanel("brands", attrs=shown_when("product_scope", "brands")),
                    FieldRowPanel(
                        [FieldPanel("attribute_code"), FieldPanel("attribute_value")],
                        attrs=shown_when("product_scope", "attribute"),
                    ),
                    FieldPanel("products", attrs=shown_when("product_scope", "products")),
                ],
                heading=_("Products"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("customer_scope"),
                    FieldPanel("groups", attrs=shown_when("customer_scope", "groups")),
                    FieldPanel("companies", attrs=shown_when("customer_scope", "companies")),
                ],
                heading=_("Buyers"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("action"), FieldPanel("value")]),
                    FieldPanel("rounding", attrs=shown_when("action", "round")),
                    InlinePanel(
                        "tiers",
                        heading=_("Quantity tiers"),
                        label=_("Tier"),
                        panels=[FieldRowPanel([FieldPanel("min_quantity"), FieldPanel("value")])],
                    ),
                ],
                heading=_("Action"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
                    FieldRowPanel([FieldPanel("priority"), FieldPanel("stacking")]),
                ],
                heading=_("When and how"),
            ),
            PublishingPanel(),
        ],
        base_form_class=PriceRuleForm,
        attrs=RULES_ATTRS,
    )

    def get_queryset(self, request):
        return with_publishing_status(
            super()
            .get_queryset(request)
            .prefetch_related("categories", "groups", "tiers", "products", "companies")
        )


# --- history: row changes, readable --------------------------------------------------------------


class RowLogFormatter(LogFormatter):
    def format_message(self, log_entry):
        return f"{self.label}: {row_title(log_entry.data or {})}"


class MembersLogFormatter(LogFormatter):
    label = _("Customer group members changed")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        parts = []
        if data.get("added"):
            parts.append(gettext("joined: %(names)s") % {"names": ", ".join(data["added"])})
        if data.get("removed"):
            parts.append(gettext("left: %(names)s") % {"names": ", ".join(data["removed"])})
        return gettext("Companies %(changes)s") % {"changes": "; ".join(parts)}


@hooks.register("register_log_actions")
def register_pricing_log_actions(actions):
    for action, label in ROW_ACTIONS.items():
        actions.register_action(action)(type("RowLog", (RowLogFormatter,), {"label": label}))
    actions.register_action(MEMBERS_CHANGED)(MembersLogFormatter)


# --- registration --------------------------------------------------------------------------------

register_snippet(PriceListViewSet)
register_snippet(PriceRuleViewSet)


@hooks.register("register_admin_viewset")
def register_pricing_screens():
    return [
        CustomerGroupViewSet("pricing_groups"),
        PriceListItemViewSet(ROWS),
        product_chooser,
        category_chooser,
        company_chooser,
    ]
