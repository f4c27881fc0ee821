"""The one-page checkout on account and its thank-you page."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from oscar.apps.checkout.signals import post_checkout

from pipit.companies.access import buyer_company
from pipit.ordering.services import OrderPlacementError, place_order
from pipit.oscar_apps.order.models import Order

from .forms import CheckoutForm, NewAddressForm

SESSION_ORDER_KEY = "checkout_order_id"
FORM_FIELDS = {"shipping_address", "po_number", "requested_delivery_date"}


class BuyerRequiredMixin:
    """Checkout is for members of an active company of this storefront (login is checked by the
    URL decorator Oscar's app config applies)."""

    def dispatch(self, request, *args, **kwargs):
        # active=False only to tell a suspended company's buyer why; they are refused below.
        company = buyer_company(request.user, request.storefront, active=False)
        if company is None:
            return render(request, "oscar/checkout/not_a_buyer.html", status=403)
        if not company.is_active:
            return render(
                request, "oscar/checkout/not_a_buyer.html", {"suspended": True}, status=403
            )
        self.company = company
        return super().dispatch(request, *args, **kwargs)


class CheckoutView(BuyerRequiredMixin, TemplateView):
    template_name = "oscar/checkout/checkout.html"

    def get(self, request, *args, **kwargs):
        if request.basket.is_empty:
            messages.info(request, _("Your cart is empty: add products before checking out."))
            return redirect("basket:summary")
        form = CheckoutForm(company=self.company)
        return self.render_to_response(
            self.get_context_data(form=form, address_form=NewAddressForm(prefix="address"))
        )

    def post(self, request, *args, **kwargs):
        if request.basket.is_empty:
            # A second click on "Place order" arrives with the fresh, empty basket that replaced
            # the ordered one: show the order the first click placed.
            if request.session.get(SESSION_ORDER_KEY):
                return redirect("checkout:thank-you")
            messages.info(request, _("Your cart is empty: add products before checking out."))
            return redirect("basket:summary")
        form = CheckoutForm(request.POST, company=self.company)
        address_form = NewAddressForm(request.POST, prefix="address")
        valid = form.is_valid()
        if form.wants_new_address:
            valid = address_form.is_valid() and valid
        if not valid:
            return self.invalid(form, address_form)

        basket = request.basket
        try:
            # A new address is saved only together with the order: a refused order leaves the
            # company's address book as it was.
            with transaction.atomic():
                address = form.chosen_address()
                if address is None:
                    address = address_form.save(commit=False)
                    address.company = self.company
                    address.kind = "delivery"
                    address.save()
                order = place_order(
                    storefront=request.storefront,
                    user=request.user,
                    basket=basket,
                    shipping_address=address,
                    po_number=form.cleaned_data["po_number"],
                    requested_delivery_date=form.cleaned_data["requested_delivery_date"],
                    comment=form.cleaned_data["comment"],
                )
        except OrderPlacementError as error:
            if error.order is not None:  # a resubmit: show the order the first submit placed
                request.session[SESSION_ORDER_KEY] = error.order.pk
                return redirect("checkout:thank-you")
            placement_errors = []
            for field, field_errors in error.message_dict.items():
                if field in FORM_FIELDS:
                    for message in field_errors:
                        form.add_error(field, message)
                else:
                    placement_errors.extend(field_errors)
            return self.invalid(form, address_form, placement_errors)

        request.session[SESSION_ORDER_KEY] = order.pk
        response = redirect("checkout:thank-you")
        post_checkout.send_robust(
            sender=self, order=order, user=request.user, request=request, response=response
        )
        return response

    def invalid(self, form, address_form, placement_errors=()):
        context = self.get_context_data(
            form=form, address_form=address_form, placement_errors=list(placement_errors)
        )
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        basket = self.request.basket
        context.update(
            company=self.company,
            basket=basket,
            lines=list(basket.all_lines()),
            show_new_address=(
                kwargs["form"].wants_new_address
                or kwargs["form"].initial.get("shipping_address") == "new"
            ),
        )
        return context


class ThankYouView(BuyerRequiredMixin, TemplateView):
    template_name = "oscar/checkout/thank_you.html"

    def get(self, request, *args, **kwargs):
        order_id = request.session.get(SESSION_ORDER_KEY)
        order = (
            Order.objects.for_company(request.storefront, self.company)
            .filter(pk=order_id)
            .select_related("shipping_address", "user")
            .prefetch_related("lines", "sources__source_type")
            .first()
            if order_id
            else None
        )
        if order is None:
            return redirect("customer:order-list")
        return self.render_to_response(self.get_context_data(order=order))
