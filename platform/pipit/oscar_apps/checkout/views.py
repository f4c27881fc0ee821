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
from pipit.ordering.shipping import ShippingQuote, quote
from pipit.oscar_apps.order.models import Order

from .forms import CheckoutForm, NewAddressForm

SESSION_ORDER_KEY = "checkout_order_id"
FORM_FIELDS = {"shipping_address", "shipping_method", "po_number", "requested_delivery_date"}
#: The submit button that re-renders the page with the delivery options of the chosen address.
UPDATE_DELIVERY = "update_delivery"


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
    """The one checkout page. Its delivery options follow the chosen address: a POST with
    ``update_delivery`` (the button beside them, pressed by a small script when the address
    changes) re-renders the page with the options of the address picked, placing nothing."""

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
        if UPDATE_DELIVERY in request.POST:
            return self.update_delivery()
        form = CheckoutForm(request.POST, company=self.company)
        address_form = NewAddressForm(request.POST, prefix="address")
        valid = form.is_valid()
        if form.wants_new_address:
            valid = address_form.is_valid() and valid
        if not valid:
            return self.invalid(form, address_form)

        # The buyer ordered what they saw: if the delivery options or their prices are not what
        # the page showed (another address picked without updating them, a cart changed in
        # another tab), show the new ones instead of charging an amount never displayed.
        shipping_quote = self.shipping_quote(form, address_form)
        seen = form.cleaned_data["delivery_quote"]
        if seen and seen != shipping_quote.fingerprint:
            return self.invalid(form, address_form, delivery_changed=True)

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
                    shipping_method_code=form.cleaned_data["shipping_method"],
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
            return self.invalid(form, address_form, placement_errors=placement_errors)

        request.session[SESSION_ORDER_KEY] = order.pk
        response = redirect("checkout:thank-you")
        post_checkout.send_robust(
            sender=self, order=order, user=request.user, request=request, response=response
        )
        return response

    def update_delivery(self):
        """The page again, as the buyer filled it, with the delivery options of the address now
        picked; no field is validated yet (nothing is being placed)."""
        data = self.request.POST
        form = CheckoutForm(
            company=self.company,
            initial={name: data[name] for name in CheckoutForm.base_fields if data.get(name)},
        )
        address_form = NewAddressForm(
            prefix="address",
            initial={name: data.get(f"address-{name}", "") for name in NewAddressForm.base_fields},
        )
        return self.render_to_response(self.get_context_data(form=form, address_form=address_form))

    def invalid(self, form, address_form, *, placement_errors=(), delivery_changed=False):
        context = self.get_context_data(
            form=form,
            address_form=address_form,
            placement_errors=list(placement_errors),
            delivery_changed=delivery_changed,
        )
        return self.render_to_response(context)

    def shipping_quote(self, form, address_form) -> ShippingQuote:
        """The delivery options for the address the form has picked, the buyer's choice first
        among equals (the first option when they chose none or one no longer offered)."""
        if form.is_bound:
            chosen = form.data.get(form.add_prefix("shipping_method"), "")
        else:
            chosen = form.initial.get("shipping_method", "")
        return quote(
            self.request.storefront,
            self.request.basket,
            self.request.user,
            self.company,
            form.address_for_delivery(self.company, address_form),
            chosen_code=chosen,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        basket = self.request.basket
        form = kwargs["form"]
        context.update(
            company=self.company,
            basket=basket,
            lines=list(basket.all_lines()),
            show_new_address=(
                form.wants_new_address or form.initial.get("shipping_address") == "new"
            ),
            shipping_quote=self.shipping_quote(form, kwargs["address_form"]),
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
