"""Company onboarding: approving registration requests, adding buyers, the e-mails they get."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from oscar.apps.customer.forms import generate_username
from oscar.apps.customer.utils import normalise_email

from pipit.plugins.dispatch import emit_event
from pipit.tenancy.context import storefront_context
from pipit.tenancy.models import Storefront

from . import tasks
from .models import Company, CompanyAddress, CompanyMember, RegistrationRequest


class OnboardingError(Exception):
    """A request cannot be carried out as asked; the message is shown to staff as is."""


def email_taken(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=normalise_email(email)).exists()


def set_password_url(user, storefront: Storefront) -> str:
    """Oscar's password-reset-confirm link on the storefront's own host."""
    path = reverse(
        "password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return storefront.site.root_url + path


def _send(storefront: Storefront, template: str, to: list[str], context: dict) -> None:
    # Rendered in the storefront's language: the recipient is a buyer, not the staff member.
    with storefront_context(storefront):
        context = {"storefront": storefront, **context}
        subject = render_to_string(f"companies/email/{template}_subject.txt", context)
        body = render_to_string(f"companies/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, to)


def send_set_password_email(user, storefront: Storefront) -> None:
    _send(
        storefront,
        "welcome",
        [user.email],
        {
            "user": user,
            "company": company_name(user),
            "url": set_password_url(user, storefront),
            "login_url": storefront.site.root_url + reverse("customer:login"),
        },
    )


def company_name(user) -> str:
    membership = CompanyMember.objects.filter(user=user).select_related("company").first()
    return membership.company.name if membership else ""


def create_buyer(
    company: Company, *, email: str, first_name: str, last_name: str = "", role: str
) -> CompanyMember:
    """A new user in ``company``; they choose a password through the e-mailed link."""
    email = normalise_email(email)
    if email_taken(email):
        raise OnboardingError(
            _("A user with the e-mail %(email)s already exists.") % {"email": email}
        )
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.create_user(
            username=generate_username(),
            email=email,
            password=None,
            first_name=first_name,
            last_name=last_name,
        )
        member = CompanyMember.objects.create(user=user, company=company, role=role)
        _after_commit(tasks.send_welcome_email, user.pk, company.storefront_id)
    return member


def make_room_for_default(company: Company, address: CompanyAddress) -> None:
    """Unmark the company's other default delivery address before ``address`` is saved as the
    default. Run it in the transaction that saves ``address``: the company row stays locked, so
    two people choosing different defaults at once take turns instead of one getting an error."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("make_room_for_default() must run inside transaction.atomic()")
    Company.objects.select_for_update().filter(pk=company.pk).first()
    # Through the model class, not ``company.addresses``: the admin edits those in memory.
    others = CompanyAddress.objects.filter(company_id=company.pk, is_default=True, kind="delivery")
    if address.pk is not None:
        others = others.exclude(pk=address.pk)
    others.update(is_default=False)


def duplicate_company(req: RegistrationRequest) -> Company | None:
    """The storefront's company with the request's INN/KPP, if there already is one."""
    return Company.objects.filter(storefront=req.storefront, inn=req.inn, kpp=req.kpp).first()


def _split_name(full_name: str) -> tuple[str, str]:
    first, _sep, last = full_name.strip().partition(" ")
    return first[:150], last.strip()[:150]


@dataclass
class Approval:
    company: Company
    member: CompanyMember
    created_company: bool


def approve_request(req: RegistrationRequest, by, *, attach_to: Company | None = None) -> Approval:
    """Create the company (or join ``attach_to``), its legal address and an admin user.

    All or nothing; the set-password e-mail is queued once the transaction has committed.
    """
    with transaction.atomic():
        req = RegistrationRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != RegistrationRequest.Status.PENDING:
            raise OnboardingError(_("This request has already been decided."))
        if email_taken(req.email):
            raise OnboardingError(
                _("A user with the e-mail %(email)s already exists.") % {"email": req.email}
            )
        created = attach_to is None
        if attach_to is not None:
            if attach_to.storefront_id != req.storefront_id:
                raise OnboardingError(_("That company belongs to another storefront."))
            company = attach_to
            role = CompanyMember.Role.BUYER
        else:
            if duplicate_company(req) is not None:
                raise OnboardingError(
                    _(
                        "A company with INN %(inn)s and KPP %(kpp)s already exists on this "
                        "storefront."
                    )
                    % {"inn": req.inn, "kpp": req.kpp or "—"}
                )
            company = Company.objects.create(
                storefront=req.storefront,
                name=req.company_name,
                inn=req.inn,
                kpp=req.kpp,
                email=req.email,
                phone=req.phone,
            )
            if req.city:
                CompanyAddress.objects.create(
                    company=company,
                    label=str(_("Legal address")),
                    kind="legal",
                    postcode="",
                    city=req.city,
                    line1="",
                )
            role = CompanyMember.Role.ADMIN
        first, last = _split_name(req.contact_name)
        member = create_buyer(company, email=req.email, first_name=first, last_name=last, role=role)
        req.status = RegistrationRequest.Status.APPROVED
        req.decided_at = timezone.now()
        req.decided_by = by
        req.company = company
        req.save(update_fields=["status", "decided_at", "decided_by", "company"])
        if created:
            emit_event(
                "company_approved",
                {
                    "company_id": company.pk,
                    "storefront_id": company.storefront_id,
                    "name": company.name,
                    "inn": company.inn,
                    "user_email": member.user.email,
                },
                storefront_id=company.storefront_id,
            )
    return Approval(company=company, member=member, created_company=created)


def reject_request(req: RegistrationRequest, by, reason: str) -> None:
    with transaction.atomic():
        req = RegistrationRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != RegistrationRequest.Status.PENDING:
            raise OnboardingError(_("This request has already been decided."))
        req.status = RegistrationRequest.Status.REJECTED
        req.decided_at = timezone.now()
        req.decided_by = by
        req.rejection_reason = reason
        req.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
        _after_commit(tasks.send_rejection_email, req.pk, req.storefront_id)


def send_rejection(req: RegistrationRequest, storefront: Storefront) -> None:
    _send(storefront, "rejected", [req.email], {"request": req})


def notify_new_request(req: RegistrationRequest, storefront: Storefront) -> None:
    """Tell the storefront's staff address about a new request, if it has one."""
    if storefront.order_email:
        _send(storefront, "new_request", [storefront.order_email], {"request": req})


def queue_new_request_notification(req: RegistrationRequest) -> None:
    """Queue :func:`notify_new_request` for when the request's transaction has committed."""
    _after_commit(tasks.send_new_request_email, req.pk, req.storefront_id)


def _after_commit(task, *ids: int) -> None:
    def enqueue() -> None:
        task.delay(*ids)

    # Robust: the data is saved either way; a broker (or, run eagerly, a mail server) that fails
    # is logged instead of turning the committed write into an error page. A plain function, not
    # functools.partial: Django names the callback by its __qualname__ when it logs the failure.
    transaction.on_commit(enqueue, robust=True)
