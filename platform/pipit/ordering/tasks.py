"""Celery tasks of ordering. Each takes the storefront id explicitly (see docs/architecture.md)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from pipit.oscar_apps.order.models import Order
from pipit.tenancy.context import storefront_context
from pipit.tenancy.models import Storefront

from . import statuses


@shared_task(
    name="pipit.ordering.send_order_placed_notifications",
    # A mail server that is down or drops the connection: try again later, with backoff.
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def send_order_placed_notifications(order_id: int, storefront_id: int) -> int:
    """E-mail the order confirmation to the buyer (and a copy to the storefront's order desk),
    in the storefront's language and theme. Returns the number of messages sent.

    A retry after a partial failure may send the buyer's message again; a duplicate confirmation
    is better than none."""
    storefront = Storefront.objects.select_related("site").get(pk=storefront_id)
    order = (
        Order.objects.for_storefront(storefront)
        .select_related("user", "company", "shipping_address", "shipping_address__country")
        .prefetch_related("lines")
        .get(pk=order_id)
    )
    recipients = [order.user.email] if order.user and order.user.email else []
    copies = [storefront.order_email] if storefront.order_email else []
    if not recipients and not copies:
        return 0

    with storefront_context(storefront):
        context = {
            "order": order,
            "lines": list(order.lines.all()),
            "storefront": storefront,
            "status_label": statuses.label(order.status),
            "order_url": storefront.site.root_url
            + reverse("customer:order", kwargs={"order_number": order.number}),
        }
        subject = " ".join(
            render_to_string("ordering/emails/order_placed_subject.txt", context).split()
        )
        text = render_to_string("ordering/emails/order_placed.txt", context)
        html = render_to_string("ordering/emails/order_placed.html", context)

    messages = []
    for to in (recipients, copies):
        if to:
            message = EmailMultiAlternatives(subject, text, to=to)
            message.attach_alternative(html, "text/html")
            messages.append(message)
    for message in messages:
        message.send()
    return len(messages)
