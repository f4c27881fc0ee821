"""Storefront pages: the registration request form and the buyer's company profile."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, TemplateView, UpdateView

from . import services
from .access import require_buyer_company
from .forms import CompanyAddressForm, RegistrationRequestForm
from .models import Company, CompanyAddress, CompanyMember


class RegistrationRequestView(CreateView):
    """B2B storefronts are not open: a visitor asks for an account and staff approve it."""

    form_class = RegistrationRequestForm
    template_name = "companies/register.html"
    success_url = reverse_lazy("companies:register-done")

    def form_valid(self, form):
        form.instance.storefront = self.request.storefront
        with transaction.atomic():
            response = super().form_valid(form)
            services.queue_new_request_notification(self.object)
        return response


class RegistrationDoneView(TemplateView):
    template_name = "companies/register_done.html"


class BuyerCompanyMixin(LoginRequiredMixin):
    """The signed-in buyer's company on this storefront; anyone else gets 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.company: Company = require_buyer_company(
            request,
            not_found=True,
            message=_("You are not a member of a company on this storefront."),
        )
        # Loaded (with the company) by require_buyer_company: no query.
        self.membership: CompanyMember = request.user.company_membership
        return super().dispatch(request, *args, **kwargs)

    @property
    def is_company_admin(self) -> bool:
        return self.membership.role == CompanyMember.Role.ADMIN


class CompanyProfileView(BuyerCompanyMixin, TemplateView):
    template_name = "companies/company.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        addresses = list(self.company.addresses.all())
        context.update(
            company=self.company,
            legal_addresses=[a for a in addresses if a.kind == "legal"],
            delivery_addresses=[a for a in addresses if a.kind == "delivery"],
            members=self.company.members.select_related("user").order_by("role", "user__email"),
            is_company_admin=self.is_company_admin,
            me=self.membership,
        )
        return context


class AddressFormMixin(BuyerCompanyMixin):
    form_class = CompanyAddressForm
    template_name = "companies/address_form.html"
    success_url = reverse_lazy("companies:company")

    def get(self, request, *args, **kwargs):
        self.check_admin()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_admin()
        return super().post(request, *args, **kwargs)

    def check_admin(self):
        if not self.is_company_admin:
            raise PermissionDenied(_("Only your company's admin can change its addresses."))

    def form_valid(self, form):
        address = form.save(commit=False)
        address.company = self.company
        address.kind = "delivery"
        with transaction.atomic():
            if address.is_default:
                # One default delivery address per company: the checkout preselects it.
                services.make_room_for_default(self.company, address)
            address.save()
        return redirect(self.success_url)


class AddressCreateView(AddressFormMixin, CreateView):
    pass


class AddressUpdateView(AddressFormMixin, UpdateView):
    def get_object(self, queryset=None):
        return get_object_or_404(
            CompanyAddress, pk=self.kwargs["pk"], company=self.company, kind="delivery"
        )
