"""A visitor asks for an account; staff approve it; the new buyer sets a password and signs in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from pipit.companies.models import Company, CompanyMember, RegistrationRequest
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

REQUEST_DATA = {
    "company_name": "Salon Lotos LLC",
    "inn": "7701234567",
    "kpp": "770101001",
    "contact_name": "Olga Smirnova",
    "email": "olga@lotos.test",
    "phone": "+7 495 123 45 67",
    "city": "Moscow",
    "message": "We buy hair dye monthly.",
}


@pytest.fixture
def manager(storefront):
    return factories.staff(storefront, StorefrontGroup.Role.MANAGER)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """E-mails go out once the transaction commits: ``with committed(): client.post(...)``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def submit_request(committed):
    def submit(client, **changes):
        with committed():
            return client.post(reverse("companies:register"), {**REQUEST_DATA, **changes})

    return submit


def test_visitor_sends_a_registration_request(storefront, anon_client, submit_request):
    storefront.order_email = "sales@alpha.test"
    storefront.save()
    page = anon_client.get(reverse("companies:register"))
    assert page.status_code == 200
    assert "Request an account" in page.content.decode()

    response = submit_request(anon_client)
    assert response.status_code == 302
    assert anon_client.get(response.url).status_code == 200
    req = RegistrationRequest.objects.get()
    assert req.storefront == storefront
    assert req.status == RegistrationRequest.Status.PENDING
    assert [m.to for m in mail.outbox] == [["sales@alpha.test"]]
    assert "Salon Lotos LLC" in mail.outbox[0].subject


def test_register_replaces_oscars_self_registration(anon_client):
    assert reverse("customer:register") == reverse("companies:register")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"inn": "12345"}, "inn", "INN is 10 digits"),
        ({"inn": "77012345ab"}, "inn", "INN is 10 digits"),
        ({"kpp": "1234"}, "kpp", "KPP is 9 digits"),
        ({"inn": "770123456789", "kpp": "770101001"}, "kpp", "has no KPP"),
    ],
)
def test_registration_form_explains_bad_inn_and_kpp(
    anon_client, submit_request, changes, field, message
):
    response = submit_request(anon_client, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not RegistrationRequest.objects.exists()


def test_approved_buyer_sets_password_and_signs_in_on_that_storefront_only(
    storefront, other_storefront, anon_client, manager, client_for, submit_request, committed
):
    submit_request(anon_client)
    req = RegistrationRequest.objects.get()
    mail.outbox.clear()

    admin = client_for(storefront, manager)
    review = admin.get(reverse("commerce_registration_requests:edit", args=[req.pk]))
    assert review.status_code == 200
    assert "Salon Lotos LLC" in review.content.decode()
    with committed():
        response = admin.post(
            reverse("commerce_registration_requests:edit", args=[req.pk]),
            {"approve": "1", "attach_to": ""},
        )
    assert response.status_code == 302

    company = Company.objects.get(inn="7701234567")
    assert company.storefront == storefront
    assert company.addresses.get().kind == "legal"
    member = CompanyMember.objects.get(company=company)
    assert member.role == CompanyMember.Role.ADMIN
    assert member.user.email == "olga@lotos.test"
    req.refresh_from_db()
    assert req.status == RegistrationRequest.Status.APPROVED
    assert req.company == company and req.decided_by == manager

    # The e-mail carries a set-password link on the storefront's own host.
    assert len(mail.outbox) == 1
    link = re.search(r"http://alpha\.test(/\S+/)", mail.outbox[0].body).group(1)
    visitor = client_for(storefront)
    form_page = visitor.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = visitor.post(
        set_url, {"new_password1": "Lotos-pass-2024!", "new_password2": "Lotos-pass-2024!"}
    )
    assert done.status_code == 302

    login = {"login-username": "olga@lotos.test", "login-password": "Lotos-pass-2024!"}
    signed_in = client_for(storefront).post(
        reverse("customer:login"), {**login, "login_submit": "1"}
    )
    assert signed_in.status_code == 302
    elsewhere = client_for(other_storefront)
    refused = elsewhere.post(reverse("customer:login"), {**login, "login_submit": "1"})
    assert refused.status_code == 200  # the login form again, with an error
    assert "_auth_user_id" not in elsewhere.session


def test_duplicate_inn_offers_the_existing_company(
    storefront, anon_client, manager, client_for, submit_request
):
    existing = factories.company(storefront, "Lotos Old Name")
    existing.inn, existing.kpp = "7701234567", "770101001"
    existing.save()
    submit_request(anon_client)
    req = RegistrationRequest.objects.get()
    admin = client_for(storefront, manager)
    url = reverse("commerce_registration_requests:edit", args=[req.pk])

    page = admin.get(url).content.decode()
    assert "already exists on this storefront" in page
    assert "Lotos Old Name" in page

    # Insisting on a new company is refused with a clear message, nothing is created.
    refused = admin.post(url, {"approve": "1", "attach_to": ""}, follow=True)
    assert "already exists" in refused.content.decode()
    assert Company.objects.filter(inn="7701234567").count() == 1
    assert not CompanyMember.objects.filter(company=existing).exists()

    admin.post(url, {"approve": "1", "attach_to": existing.pk})
    member = CompanyMember.objects.get(company=existing)
    assert member.user.email == "olga@lotos.test"
    assert member.role == CompanyMember.Role.BUYER


def test_rejecting_a_request_emails_the_reason(
    storefront, anon_client, manager, client_for, submit_request, committed
):
    submit_request(anon_client)
    req = RegistrationRequest.objects.get()
    mail.outbox.clear()
    admin = client_for(storefront, manager)
    url = reverse("commerce_registration_requests:edit", args=[req.pk])
    empty = admin.post(url, {"reject": "1", "reason": ""})
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()

    with committed():
        admin.post(url, {"reject": "1", "reason": "We only sell to salons in Moscow region."})
    req.refresh_from_db()
    assert req.status == RegistrationRequest.Status.REJECTED
    assert mail.outbox[0].to == ["olga@lotos.test"]
    assert "only sell to salons" in mail.outbox[0].body
    assert not Company.objects.filter(inn="7701234567").exists()


def test_pending_list_shows_new_requests(
    storefront, anon_client, manager, client_for, submit_request
):
    submit_request(anon_client)
    admin = client_for(storefront, manager)
    listing = admin.get(reverse("commerce_registration_requests:index"), {"status": "pending"})
    assert "Salon Lotos LLC" in listing.content.decode()
    home = admin.get(reverse("wagtailadmin_home")).content.decode()
    assert "Pending registration requests" in home
