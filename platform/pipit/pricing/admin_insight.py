"""Pricing → "Explain a price", "Catalog as a company", and the impact preview before publishing.

Only staff with the admin or pricing role on a storefront (and superusers) reach these screens,
and only for that storefront: another storefront's company, product, rule or list answers 404.

Publishing a rule or list goes through the impact preview. The snippet edit page gets a "Preview
impact" action (the last saved revision), and its Publish button is intercepted with Wagtail's
``before_publish`` hook, which runs after the edit view has saved the new revision and before it
publishes it: the hook answers with a redirect to the preview of that revision, whose own Publish
button publishes it (and so recompiles the prices). Scheduled publishing goes the same way.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from oscar.apps.catalogue.models import Category, Product
from oscar.templatetags.currency_filters import currency
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import AdminDateInput
from wagtail.snippets.action_menu import ActionMenuItem

from pipit.catalog.queries import (
    categories_for_storefront,
    products_for_storefront,
    public_variants,
    purchasable_for_storefront,
    with_purchase_info,
)
from pipit.cms.choosers import product_chooser_viewset
from pipit.companies.models import Company
from pipit.oscar_apps.partner.models import StockRecord
from pipit.tenancy.access import staff_roles, staff_storefront_ids
from pipit.tenancy.models import Storefront, StorefrontGroup

from .admin_menu import PRICING_MENU_HOOK
from .explain import explain
from .impact import impact
from .models import PriceList, PriceRule
from .resolver import PriceResolver
from .strategy import StorefrontStrategy

INSIGHT_ROLES = frozenset({StorefrontGroup.Role.ADMIN.value, StorefrontGroup.Role.PRICING.value})
MODELS = {"rule": PriceRule, "list": PriceList}


# -- who may look --------------------------------------------------------------------------------


def insight_storefront_ids(user) -> frozenset[int]:
    """Storefronts whose prices ``user`` may explain and preview: admin or pricing role there
    (every storefront for a superuser). No query beyond the user's roles, read once a request."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return frozenset()
    if user.is_superuser:
        return staff_storefront_ids(user)
    return frozenset(pk for pk, roles in staff_roles(user).items() if roles & INSIGHT_ROLES)


def insight_storefronts(user):
    return Storefront.objects.filter(pk__in=insight_storefront_ids(user)).order_by("name")


def get_in_scope_or_404(queryset, pk):
    """``queryset.get(pk=pk)``, or 404 for a missing, out-of-scope or malformed id."""
    try:
        return get_object_or_404(queryset, pk=int(pk))
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def sellable_products(storefront):
    """What explain accepts: the storefront's purchasable products and its parents."""
    return Product.objects.filter(
        Q(pk__in=purchasable_for_storefront(storefront).values("pk"))
        | Q(pk__in=products_for_storefront(storefront).values("pk"))
    )


def edit_url(finder: AdminURLFinder, obj) -> str | None:
    """The admin edit page of a rule or list, if the admin has one and the user may use it."""
    try:
        return finder.get_edit_url(obj)
    except NoReverseMatch:
        return None


def impact_url(obj, revision_id: int | None = None) -> str:
    kind = "rule" if isinstance(obj, PriceRule) else "list"
    url = reverse("pricing_impact:preview", args=[kind, obj.pk])
    return f"{url}?{urlencode({'revision': revision_id})}" if revision_id else url


def explain_url(storefront, company, product, quantity: int = 1) -> str:
    query = {"storefront": storefront.pk, "product": product.pk, "quantity": quantity}
    if company is not None:
        query["company"] = company.pk
    return f"{reverse('pricing_explain:index')}?{urlencode(query)}"


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def describe_action(rule: PriceRule, value: Decimal | None, currency_code: str) -> str:
    """A rule's action at one quantity, in words: "10% off", "fixed price 95,00 ₽"."""
    if value is None:
        return gettext("only from its quantity tiers")
    if rule.action == PriceRule.Action.PERCENT_OFF:
        return gettext("%(value)s%% off") % {"value": _plain(value)}
    if rule.action == PriceRule.Action.FIXED_PRICE:
        return gettext("fixed price %(price)s") % {"price": currency(value, currency_code)}
    if rule.action == PriceRule.Action.MARKUP:
        return gettext("cost + %(value)s%%") % {"value": _plain(value)}
    if rule.rounding == PriceRule.Rounding.UP:
        return gettext("round up to a step of %(step)s") % {"step": _plain(value)}
    if rule.rounding == PriceRule.Rounding.DOWN:
        return gettext("round down to a step of %(step)s") % {"step": _plain(value)}
    return gettext("round to the nearest step of %(step)s") % {"step": _plain(value)}


class InsightView(WagtailAdminTemplateMixin, TemplateView):
    """A pricing insight screen: 403 without the role anywhere, 404 outside the user's scope."""

    def dispatch(self, request, *args, **kwargs):
        if not insight_storefront_ids(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def storefronts(self) -> list[Storefront]:
        return list(insight_storefronts(self.request.user))

    def pick_storefront(self, value: str | None) -> Storefront:
        if not value:
            return self.storefronts[0]
        chosen = next((sf for sf in self.storefronts if str(sf.pk) == value), None)
        if chosen is None:
            raise Http404
        return chosen


# -- explain a price -----------------------------------------------------------------------------


class ExplainForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("No company: the storefront's own price"),
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False
    )
    sku = forms.CharField(
        label=_("or its SKU"),
        max_length=128,
        required=False,
        help_text=_("Used when no product is chosen."),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=1_000_000, required=False, initial=1
    )
    on = forms.DateField(label=_("Date"), required=False, widget=AdminDateInput)

    def __init__(self, *args, storefront: Storefront, **kwargs):
        super().__init__(*args, **kwargs)
        self.storefront = storefront
        self.variants: list[Product] = []
        self.fields["company"].queryset = Company.objects.for_storefront(storefront).order_by(
            "name"
        )
        self.fields["product"].queryset = sellable_products(storefront)
        self.fields["product"].widget = product_chooser_viewset.widget_class()
        self.fields["on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        product, sku = data.get("product"), (data.get("sku") or "").strip()
        purchasable = purchasable_for_storefront(self.storefront)
        if product is None and sku:
            offered = StockRecord.objects.filter(
                partner_id__in=self.storefront.partner_ids, partner_sku__iexact=sku
            ).values("product_id")
            product = purchasable.filter(pk__in=offered).first()
            if product is None:
                self.add_error(
                    "sku",
                    _("No product with SKU %(sku)s is sold on this storefront.") % {"sku": sku},
                )
                return data
        if product is None:
            if "product" not in self.errors:
                self.add_error("product", _("Choose a product or type its SKU."))
            return data
        if product.is_parent:
            self.variants = list(purchasable.filter(parent=product).order_by("title", "pk"))
            self.add_error(
                "product",
                _("%(product)s has variants: choose one of them below.") % {"product": product},
            )
            return data
        data["product"] = product
        data["quantity"] = data.get("quantity") or 1
        data["on"] = data.get("on") or timezone.localdate()
        return data


class ExplainView(InsightView):
    template_name = "pricing/admin/insight/explain.html"
    page_title = _("Explain a price")
    header_icon = "help"

    def get(self, request, *args, **kwargs):
        params = request.GET
        storefront = self.pick_storefront(params.get("storefront"))
        # A company or product named by id must be this storefront's: 404 otherwise.
        if params.get("company"):
            get_in_scope_or_404(Company.objects.for_storefront(storefront), params["company"])
        if params.get("product"):
            get_in_scope_or_404(sellable_products(storefront), params["product"])
        bound = any(params.get(name) for name in ("product", "sku"))
        data = None
        if bound:
            # A link from the catalog names only the product: show the defaults it ran with.
            data = params.copy()
            data["quantity"] = data.get("quantity") or "1"
            data["on"] = data.get("on") or timezone.localdate().isoformat()
        form = ExplainForm(data, storefront=storefront)
        explanation = None
        if bound and form.is_valid():
            data = form.cleaned_data
            explanation = explain(
                storefront, data["company"], data["product"], data["quantity"], data["on"]
            )
            self._decorate(explanation)
        context = self.get_context_data(
            storefront=storefront,
            form=form,
            explanation=explanation,
            variants=[
                {"product": v, "url": explain_url(storefront, form.cleaned_data.get("company"), v)}
                for v in form.variants
            ]
            if bound
            else [],
        )
        return self.render_to_response(context)

    def _decorate(self, explanation) -> None:
        """Admin links and words the template shows beside the numbers."""
        finder = AdminURLFinder(self.request.user)
        code = explanation.storefront.currency
        for candidate in explanation.lists:
            candidate.edit_url = edit_url(finder, candidate.price_list)
        for step in explanation.rules:
            step.edit_url = edit_url(finder, step.rule)
            step.action_text = describe_action(step.rule, step.value, code)
        if explanation.company is not None:
            explanation.catalog_url = (
                f"{reverse('pricing_catalog_as_company:index')}?"
                f"{urlencode({'storefront': explanation.storefront.pk, 'company': explanation.company.pk})}"
            )


# -- the catalog as a company sees it ------------------------------------------------------------


class CompanyStrategy(StorefrontStrategy):
    """The storefront's strategy as a buyer of ``company`` (``None``: no company) sees it.

    Staff look through it: prices are shown even where anonymous visitors do not see them.
    """

    def __init__(self, storefront, company=None):
        super().__init__(storefront=storefront, user=None)
        self.company = company
        self.prices = PriceResolver(storefront, company)

    @property
    def prices_visible(self) -> bool:
        return True


class CatalogFilterForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("No company: the storefront's own price"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    q = forms.CharField(label=_("SKU or title"), required=False, max_length=128)

    def __init__(self, *args, storefront: Storefront, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.for_storefront(storefront).order_by(
            "name"
        )
        self.fields["category"].queryset = categories_for_storefront(storefront).order_by("path")
        self.fields["category"].label_from_instance = lambda c: c.full_name


class CompanyCatalogView(InsightView):
    template_name = "pricing/admin/insight/catalog.html"
    page_title = _("Catalog as a company")
    header_icon = "view"
    per_page = 50

    def get(self, request, *args, **kwargs):
        params = request.GET
        storefront = self.pick_storefront(params.get("storefront"))
        company = None
        if params.get("company"):
            company = get_in_scope_or_404(
                Company.objects.for_storefront(storefront), params["company"]
            )
        form = CatalogFilterForm(params, storefront=storefront)
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        products = products_for_storefront(storefront)
        if data.get("category") is not None:
            products = products.filter(categories__path__startswith=data["category"].path)
        query = (data.get("q") or "").strip()
        if query:
            products = products.filter(
                Q(title__icontains=query)
                | Q(upc__iexact=query)
                | Q(stockrecords__partner_sku__icontains=query)
                | Q(children__stockrecords__partner_sku__icontains=query)
            )
        products = with_purchase_info(products.distinct().order_by("title", "pk"), storefront)
        page = Paginator(products, self.per_page).get_page(params.get("p"))
        strategy = CompanyStrategy(storefront, company)
        items = list(page.object_list)
        strategy.prime(items)
        rows = []
        for product in items:
            for variant in public_variants(product) if product.is_parent else [product]:
                record = strategy.select_stockrecord(variant)
                info = strategy.fetch_for_product(variant, stockrecord=record)
                rows.append(
                    {
                        "product": variant,
                        "parent": product if variant is not product else None,
                        "sku": record.partner_sku if record else "",
                        "price": info.price,
                        "availability": info.availability,
                        "explain_url": explain_url(storefront, company, variant),
                    }
                )
        context = self.get_context_data(
            storefront=storefront,
            company=company,
            form=form,
            page_obj=page,
            rows=rows,
        )
        return self.render_to_response(context)


# -- impact preview ------------------------------------------------------------------------------


def can_publish(user, obj) -> bool:
    """The user's publish permission on the rule or list (Wagtail's policy), in their scope."""
    from wagtail.permissions import policy_registry

    if obj.storefront_id not in insight_storefront_ids(user):
        return False
    policy = policy_registry.get_by_type(type(obj))
    return policy.user_has_permission_for_instance(user, "publish", obj)


class ImpactView(InsightView):
    template_name = "pricing/admin/insight/impact.html"
    header_icon = "tasks"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.model = MODELS.get(kwargs.get("kind"))

    def get_object(self):
        if self.model is None:
            raise Http404
        scope = self.model.objects.filter(
            storefront_id__in=insight_storefront_ids(self.request.user)
        )
        return get_in_scope_or_404(scope.select_related("storefront"), self.kwargs["pk"])

    def get_revision(self, obj, revision_id):
        if not revision_id:
            return obj.latest_revision
        return get_in_scope_or_404(obj.revisions.all(), revision_id)

    def get_page_title(self):
        return gettext("What publishing it changes")

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items]
        if getattr(self, "edit_url", None):
            items.append({"url": self.edit_url, "label": str(self.object)})
        return [*items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        self.object = obj = self.get_object()
        revision = self.get_revision(obj, request.GET.get("revision"))
        self.edit_url = edit_url(AdminURLFinder(request.user), obj)
        report = impact(obj, revision)
        is_latest = revision is None or revision.pk == obj.latest_revision_id
        context = self.get_context_data(
            object=obj,
            kind_label=obj._meta.verbose_name,
            storefront=obj.storefront,
            revision=revision,
            report=report,
            is_latest=is_latest,
            latest_url=impact_url(obj),
            edit_url=self.edit_url,
            can_publish=can_publish(request.user, obj),
            locked=self._locked(obj),
            action_url=request.path,
        )
        return self.render_to_response(context)

    def _locked(self, obj) -> bool:
        lock = obj.get_lock()
        return bool(lock and lock.for_user(self.request.user))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        revision = self.get_revision(obj, request.POST.get("revision"))
        if revision is None:
            raise Http404
        if not can_publish(request.user, obj):
            raise PermissionDenied
        here = impact_url(obj, revision.pk)
        if revision.pk != obj.latest_revision_id:
            messages.error(
                request,
                _(
                    "A newer version was saved since. Check what that one changes before publishing."
                ),
            )
            return redirect(impact_url(obj))
        if self._locked(obj):
            messages.error(request, _("'%(name)s' is locked by someone else.") % {"name": obj})
            return redirect(here)
        with transaction.atomic():
            revision.publish(user=request.user, skip_permission_checks=True)
        published = revision.as_object()
        if published.go_live_at and published.go_live_at > timezone.now():
            message = _("'%(name)s' is scheduled to go live on %(date)s.") % {
                "name": published,
                "date": timezone.localtime(published.go_live_at).strftime("%Y-%m-%d %H:%M"),
            }
        else:
            message = _("'%(name)s' is published; the new prices are being compiled.") % {
                "name": published
            }
        messages.success(request, message)
        return redirect(edit_url(AdminURLFinder(request.user), obj) or here)


# -- the viewsets and hooks ----------------------------------------------------------------------


class InsightMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(insight_storefront_ids(request.user))


class InsightViewSet(ViewSet):
    """One insight screen under the Pricing menu."""

    menu_hook = PRICING_MENU_HOOK
    view_class: type[InsightView] = InsightView

    @cached_property
    def menu_item_class(self):
        return InsightMenuItem

    def get_urlpatterns(self):
        return [path("", self.view_class.as_view(), name="index")]


class ExplainViewSet(InsightViewSet):
    name = "pricing_explain"
    url_prefix = "pricing/explain"
    menu_label = _("Explain a price")
    menu_name = "pricing-explain"
    icon = "help"
    menu_order = 900
    view_class = ExplainView


class CompanyCatalogViewSet(InsightViewSet):
    name = "pricing_catalog_as_company"
    url_prefix = "pricing/catalog-as-company"
    menu_label = _("Catalog as a company")
    menu_name = "pricing-catalog-as-company"
    icon = "view"
    menu_order = 910
    view_class = CompanyCatalogView


class ImpactViewSet(ViewSet):
    """The impact preview: reached from a rule's or list's edit page, not from the menu."""

    name = "pricing_impact"
    url_prefix = "pricing/impact"
    menu_hook = None

    def get_urlpatterns(self):
        return [path("<str:kind>/<int:pk>/", ImpactView.as_view(), name="preview")]


@hooks.register("register_admin_viewset")
def register_insight_viewsets():
    return [ExplainViewSet(), CompanyCatalogViewSet(), ImpactViewSet()]


class PreviewImpactMenuItem(ActionMenuItem):
    """ "Preview impact" in a rule's or list's edit actions: the last saved version's impact."""

    name = "action-preview-impact"
    label = _("Preview impact")
    icon_name = "view"

    def is_shown(self, context):
        instance = context.get("instance")
        return (
            context.get("view") == "edit"
            and instance is not None
            and instance.latest_revision_id is not None
            and instance.storefront_id in insight_storefront_ids(context["request"].user)
        )

    def get_url(self, parent_context):
        instance = parent_context["instance"]
        return impact_url(instance, instance.latest_revision_id)


@hooks.register("register_snippet_action_menu_item")
def preview_impact_menu_item(model):
    if model in (PriceRule, PriceList):
        return PreviewImpactMenuItem(order=35)
    return None


@hooks.register("before_publish")
def preview_before_publishing(request, obj):
    """Publish on a rule's or list's edit page: the edit view has saved the new revision; show
    what publishing it changes instead of publishing it (the preview page publishes it)."""
    if not isinstance(obj, (PriceRule, PriceList)) or not obj.latest_revision_id:
        return None
    if obj.storefront_id not in insight_storefront_ids(request.user):
        return None  # no preview to show this user: Wagtail publishes as usual
    url = impact_url(obj, obj.latest_revision_id)
    text = gettext(
        "'%(name)s' is saved as a draft. Check what publishing it changes, then publish it here."
    ) % {"name": obj}
    if not request.accepts("text/html"):
        return JsonResponse(
            {"success": False, "error_code": "impact_preview", "error_message": text, "url": url},
            status=409,
        )
    messages.info(request, text)
    return redirect(url)
