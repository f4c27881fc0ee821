"""Oscar's checkout, forked to a one-page B2B checkout on account.

The buyer picks a company delivery address, gives a PO number, a requested delivery date and a
comment, reviews the lines and places the order through :func:`pipit.ordering.services.place_order`.
Oscar's step URLs (shipping address, method, payment) are kept as names so that templates reversing
them still work; they lead to the one page.
"""

from django.urls import path
from django.views.generic import RedirectView
from oscar.apps.checkout import apps


class CheckoutConfig(apps.CheckoutConfig):
    name = "pipit.oscar_apps.checkout"

    def ready(self):
        from . import views

        self.index_view = views.CheckoutView
        self.thankyou_view = views.ThankYouView

    def get_urls(self):
        to_index = RedirectView.as_view(pattern_name="checkout:index")
        urls = [
            path("", self.index_view.as_view(), name="index"),
            path("preview/", self.index_view.as_view(), name="preview"),
            path("thank-you/", self.thankyou_view.as_view(), name="thank-you"),
            # Oscar's multi-step checkout collapses into the index page.
            path("shipping-address/", to_index, name="shipping-address"),
            path("shipping-method/", to_index, name="shipping-method"),
            path("payment-method/", to_index, name="payment-method"),
            path("payment-details/", to_index, name="payment-details"),
        ]
        return self.post_process_urls(urls)
