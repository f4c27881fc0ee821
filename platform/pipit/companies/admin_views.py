"""Admin screens for buyer companies and registration requests, scoped to the staff's storefronts."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList, Panel
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from pipit.tenancy.admin_views import (
    ScopedIndexView,
    ScopedModelViewSet,
    ScopedViewMixin,
    StorefrontScopedForm,
    scope_to_staff,
    storefront_filter,
)

from . import services
from .forms import AddMemberForm, ApproveForm, RejectForm
from .models import Company, CompanyMember, RegistrationRequest

# --- Companies -----------------------------------------------------------------------------------


class MembersPanel(Panel):
    """The company's people, read-only, with a button to add a buyer (who gets an e-mail)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "companies/admin/members_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            company = self.instance
            context["members"] = (
                company.members.select_related("user").order_by("role", "user__email")
                if company.pk
                else []
            )
            context["add_url"] = (
                reverse("commerce_companies:add_member", args=[company.pk]) if company.pk else None
            )
            return context


class CompanyForm(StorefrontScopedForm):
    """The company with its addresses inline; ticking another default delivery address moves the
    default there (the one ticked before is unmarked) instead of failing on the constraint."""

    default_address_form = None

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("addresses")
        if formset is None or not formset.is_valid():
            return cleaned
        ticked = [
            form
            for form in formset.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_default")
            and form.cleaned_data.get("kind") == "delivery"
        ]
        if len(ticked) > 1:
            # The one just ticked wins over the one that was the default already.
            newly = [form for form in ticked if "is_default" in form.changed_data]
            if len(newly) != 1:
                raise forms.ValidationError(
                    _("Mark only one delivery address as the default."), code="two_defaults"
                )
            for form in ticked:
                if form is not newly[0]:
                    form.cleaned_data["is_default"] = form.instance.is_default = False
            ticked = newly
        self.default_address_form = ticked[0] if ticked else None
        return cleaned

    def save(self, commit=True):
        with transaction.atomic():
            if commit and self.instance.pk and self.default_address_form is not None:
                services.make_room_for_default(self.instance, self.default_address_form.instance)
            return super().save(commit)


class CompanyFilterSet(WagtailFilterSet):
    storefront = storefront_filter()

    class Meta:
        model = Company
        fields = ["storefront", "is_active"]


class CompanyIndexView(ScopedIndexView):
    # Wagtail's "Add %(model_name)s" cannot decline the noun in Russian ("Добавить компания").
    add_item_label = _("Add a company")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("storefront")
            .annotate(member_count=Count("members"))
        )


class AddMemberView(ScopedViewMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Add a buyer to a company: creates the user and e-mails a set-password link."""

    model = CompanyMember
    permission_required = "add"
    form_class = AddMemberForm
    template_name = "wagtailadmin/generic/form.html"
    page_title = _("Add a person")
    header_icon = "user"
    edit_url_name = None
    index_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        companies = Company.objects.select_related("storefront")
        self.company = get_object_or_404(self.scope(companies), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.company.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Companies")},
            {"url": reverse(self.edit_url_name, args=[self.company.pk]), "label": self.company},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path,
            submit_button_label=_("Add and send the invitation"),
            submit_button_active_label=_("Sending…"),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            member = services.create_buyer(
                self.company,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
            )
        except services.OnboardingError as error:
            form.add_error("email", str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(email)s added to %(company)s; an e-mail to set the password has been sent.")
            % {"email": member.user.email, "company": self.company.name},
        )
        return redirect(self.edit_url_name, self.company.pk)


class CompanyViewSet(ScopedModelViewSet):
    model = Company
    icon = "group"
    menu_label = _("Companies")
    menu_order = 200
    list_display = [
        "name",
        "inn",
        "kpp",
        "storefront",
        Column("member_count", label=_("people"), sort_key="member_count"),
        BooleanColumn("is_active", label=_("active"), sort_key="is_active"),
    ]
    search_fields = ["name", "inn", "code", "email"]
    filterset_class = CompanyFilterSet
    index_view_class = CompanyIndexView
    edit_handler = ObjectList(
        [
            FieldPanel("storefront"),
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("inn"), FieldPanel("kpp"), FieldPanel("code")]),
            FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
            FieldPanel("is_active"),
            InlinePanel(
                "addresses",
                heading=_("Addresses"),
                label=_("Address"),
                panels=[
                    FieldRowPanel([FieldPanel("label"), FieldPanel("kind")]),
                    FieldRowPanel([FieldPanel("postcode"), FieldPanel("city")]),
                    FieldPanel("line1"),
                    FieldPanel("line2"),
                    FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_phone")]),
                    FieldPanel("is_default"),
                ],
            ),
            MembersPanel(heading=_("People")),
        ],
        base_form_class=CompanyForm,
    )

    @cached_property
    def add_member_view(self):
        return self.construct_view(
            AddMemberView,
            index_url_name=self.get_url_name("index"),
            edit_url_name=self.get_url_name("edit"),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/people/add/", self.add_member_view, name="add_member"),
        ]


# --- Registration requests -----------------------------------------------------------------------


class RegistrationRequestFilterSet(WagtailFilterSet):
    storefront = storefront_filter()
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=RegistrationRequest.Status.choices
    )

    class Meta:
        model = RegistrationRequest
        fields = ["storefront", "status"]


class RegistrationRequestIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("storefront")

    def get_add_url(self):
        return None  # requests come from the storefront's sign-up form only


class RegistrationReviewView(
    ScopedViewMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    """One request: its data, a warning about an existing company, approve and reject forms."""

    model = RegistrationRequest
    permission_required = "change"
    template_name = "companies/admin/registration_review.html"
    page_title = _("Registration request")
    header_icon = "user"
    index_url_name = None
    edit_url_name = None
    company_edit_url_name = "commerce_companies:edit"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        requests = RegistrationRequest.objects.select_related("storefront__site", "company")
        self.object = get_object_or_404(self.scope(requests), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.object.company_name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Registration requests")},
            {"url": "", "label": self.object.company_name},
        ]

    @cached_property
    def duplicate(self) -> Company | None:
        return services.duplicate_company(self.object)

    def storefront_companies(self):
        companies = Company.objects.filter(storefront=self.object.storefront)
        return scope_to_staff(companies, self.request.user, "storefront")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.object
        context.setdefault(
            "approve_form",
            ApproveForm(
                companies=self.storefront_companies(),
                initial={"attach_to": self.duplicate},
            ),
        )
        context.setdefault("reject_form", RejectForm())
        context.update(
            req=req,
            pending=req.status == RegistrationRequest.Status.PENDING,
            duplicate=self.duplicate,
            email_taken=req.status == RegistrationRequest.Status.PENDING
            and services.email_taken(req.email),
            company_edit_url_name=self.company_edit_url_name,
        )
        return context

    def post(self, request, *args, **kwargs):
        if "reject" in request.POST:
            form = RejectForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(reject_form=form))
            try:
                services.reject_request(self.object, request.user, form.cleaned_data["reason"])
            except services.OnboardingError as error:
                messages.error(request, str(error))
                return redirect(self.edit_url_name, self.object.pk)
            messages.success(
                request,
                _("Request from %(company)s rejected; the requester has been told why.")
                % {"company": self.object.company_name},
            )
            return redirect(self.index_url_name)

        form = ApproveForm(request.POST, companies=self.storefront_companies())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(approve_form=form))
        try:
            approval = services.approve_request(
                self.object, request.user, attach_to=form.cleaned_data["attach_to"]
            )
        except services.OnboardingError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(approve_form=form))
        messages.success(
            request,
            _("Approved: %(email)s can now set a password and sign in as a buyer of %(company)s.")
            % {"email": approval.member.user.email, "company": approval.company.name},
        )
        return redirect(self.company_edit_url_name, approval.company.pk)


class RegistrationRequestViewSet(ScopedModelViewSet):
    model = RegistrationRequest
    icon = "user"
    menu_label = _("Registration requests")
    menu_order = 300
    list_display = [
        "company_name",
        "inn",
        "contact_name",
        "email",
        "storefront",
        "status",
        DateColumn("created_at", label=_("received"), sort_key="created_at"),
    ]
    search_fields = ["company_name", "inn", "email", "contact_name"]
    filterset_class = RegistrationRequestFilterSet
    index_view_class = RegistrationRequestIndexView
    edit_view_class = RegistrationReviewView
    ordering = ["-created_at"]
    form_fields = ["status"]  # never rendered: review happens in RegistrationReviewView

    @property
    def menu_url(self):
        return reverse(self.get_url_name("index")) + "?status=pending"

    def get_edit_view_kwargs(self, **kwargs):
        return {"company_edit_url_name": "commerce_companies:edit", **kwargs}


__all__ = ["CompanyViewSet", "RegistrationRequestViewSet"]
