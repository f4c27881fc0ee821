"""A mail server that is down never turns an onboarding or ordering write into an error page: the
data is saved and the e-mail is a Celery task that retries with backoff.

The tests run tasks eagerly and propagate their errors, so a request makes one attempt; the
retries are checked by applying the tasks directly."""

from __future__ import annotations

from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from oscar.apps.basket.models import Basket

from pipit.celery import app as celery_app
from pipit.companies import tasks as company_tasks
from pipit.companies.models import Company, CompanyMember, RegistrationRequest
from pipit.ordering import tasks as ordering_tasks
from pipit.ordering.services import place_order
from pipit.oscar_apps.order.models import Order
from pipit.pricing.strategy import StorefrontStrategy
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db

REQUEST_DATA = {
    "company_name": "Salon Lotos LLC",
    "inn": "7701234567",
    "kpp": "770101001",
    "contact_name": "Olga Smirnova",
    "email": "olga@lotos.test",
    "phone": "+7 495 123 45 67",
    "city": "Moscow",
}
#: The first attempt plus ``max_retries`` retries.
ATTEMPTS = 1 + 5


class BrokenBackend(BaseEmailBackend):
    """An SMTP server that drops every connection."""

    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    BrokenBackend.attempts = 0
    return BrokenBackend


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def manager_client(storefront, client_for):
    return client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.MANAGER))


def pending_request(storefront) -> RegistrationRequest:
    return RegistrationRequest.objects.create(storefront=storefront, **REQUEST_DATA)


def test_approval_succeeds_while_the_mail_server_is_down(
    storefront, manager_client, broken_mail, committed
):
    req = pending_request(storefront)

    with committed():
        response = manager_client.post(
            reverse("commerce_registration_requests:edit", args=[req.pk]),
            {"approve": "1", "attach_to": ""},
        )

    assert response.status_code == 302
    company = Company.objects.get(storefront=storefront, inn="7701234567")
    member = CompanyMember.objects.get(company=company)
    assert member.user.email == "olga@lotos.test"
    req.refresh_from_db()
    assert req.status == RegistrationRequest.Status.APPROVED
    assert broken_mail.attempts == 1  # the welcome e-mail was tried after the commit


def test_rejection_succeeds_while_the_mail_server_is_down(
    storefront, manager_client, broken_mail, committed
):
    req = pending_request(storefront)

    with committed():
        response = manager_client.post(
            reverse("commerce_registration_requests:edit", args=[req.pk]),
            {"reject": "1", "reason": "Salons only."},
        )

    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == RegistrationRequest.Status.REJECTED
    assert broken_mail.attempts == 1


def test_adding_a_buyer_succeeds_while_the_mail_server_is_down(
    storefront, company, manager_client, broken_mail, committed
):
    with committed():
        response = manager_client.post(
            reverse("commerce_companies:add_member", args=[company.pk]),
            {"email": "new@alpha-salon.test", "first_name": "Nina", "role": "buyer"},
        )

    assert response.status_code == 302
    assert CompanyMember.objects.filter(company=company, user__email="new@alpha-salon.test")
    assert broken_mail.attempts == 1


def test_registration_request_is_kept_while_the_mail_server_is_down(
    storefront, anon_client, broken_mail, committed
):
    storefront.order_email = "sales@alpha.test"
    storefront.save()

    with committed():
        response = anon_client.post(reverse("companies:register"), REQUEST_DATA)

    assert response.status_code == 302
    assert RegistrationRequest.objects.filter(storefront=storefront, inn="7701234567").exists()
    assert broken_mail.attempts == 1


def placed_order(storefront, company, buyer) -> Order:
    serum = factories.product(storefront, "Serum", stock={"main": 5})
    basket = Basket.objects.create(owner=buyer)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=buyer)
    basket.add_product(serum, 1)
    return place_order(
        storefront=storefront, user=buyer, basket=basket, shipping_address=company.addresses.get()
    )


def test_order_is_placed_while_the_mail_server_is_down(
    storefront, company, buyer, broken_mail, committed
):
    with committed():
        order = placed_order(storefront, company, buyer)

    assert Order.objects.filter(pk=order.pk, storefront=storefront).exists()
    assert broken_mail.attempts == 1


def test_onboarding_mail_goes_out_once_the_server_answers(
    storefront, manager_client, committed, settings
):
    req = pending_request(storefront)

    with committed():
        manager_client.post(
            reverse("commerce_registration_requests:edit", args=[req.pk]),
            {"approve": "1", "attach_to": ""},
        )

    assert [m.to for m in mail.outbox] == [["olga@lotos.test"]]
    assert "http://alpha.test/" in mail.outbox[0].body


def test_mail_tasks_retry_five_times_before_giving_up(
    storefront, company, buyer, broken_mail, monkeypatch
):
    # As a worker runs them: an error is retried instead of raised into the caller.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    storefront.order_email = "sales@alpha.test"
    storefront.save()
    req = pending_request(storefront)
    order = placed_order(storefront, company, buyer)  # its own e-mail is not sent: no commit
    calls = [
        (company_tasks.send_welcome_email, (buyer.pk, storefront.pk)),
        (company_tasks.send_rejection_email, (req.pk, storefront.pk)),
        (company_tasks.send_new_request_email, (req.pk, storefront.pk)),
        (ordering_tasks.send_order_placed_notifications, (order.pk, storefront.pk)),
    ]

    for task, args in calls:
        broken_mail.attempts = 0
        result = task.apply(args=args)
        assert result.state == "FAILURE", task.name
        assert broken_mail.attempts == ATTEMPTS, task.name
