"""Celery tasks of companies: the onboarding e-mails.

Each takes ids and the storefront id explicitly (see docs/architecture.md) and is queued once the
writing transaction has committed, so a mail server that is down never fails a request whose data
is already saved; the worker retries with backoff instead.
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.contrib.auth import get_user_model

from pipit.tenancy.models import Storefront

from . import services
from .models import RegistrationRequest

#: Mail servers fail transiently (SMTP errors, refused or dropped connections): try again later.
MAIL_RETRY = {"autoretry_for": (SMTPException, OSError), "retry_backoff": True, "max_retries": 5}


def _storefront(storefront_id: int) -> Storefront:
    return Storefront.objects.select_related("site").get(pk=storefront_id)


@shared_task(name="pipit.companies.send_welcome_email", **MAIL_RETRY)
def send_welcome_email(user_id: int, storefront_id: int) -> None:
    """E-mail a new buyer of the storefront a link to choose their password."""
    storefront = _storefront(storefront_id)
    user = get_user_model().objects.get(
        pk=user_id, company_membership__company__storefront=storefront
    )
    services.send_set_password_email(user, storefront)


@shared_task(name="pipit.companies.send_rejection_email", **MAIL_RETRY)
def send_rejection_email(request_id: int, storefront_id: int) -> None:
    """Tell the requester why their registration request was rejected."""
    storefront = _storefront(storefront_id)
    req = RegistrationRequest.objects.get(pk=request_id, storefront=storefront)
    services.send_rejection(req, storefront)


@shared_task(name="pipit.companies.send_new_request_email", **MAIL_RETRY)
def send_new_request_email(request_id: int, storefront_id: int) -> None:
    """Tell the storefront's staff address about a new registration request."""
    storefront = _storefront(storefront_id)
    req = RegistrationRequest.objects.get(pk=request_id, storefront=storefront)
    services.notify_new_request(req, storefront)
