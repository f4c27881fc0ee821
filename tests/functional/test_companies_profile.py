"""A buyer sees their company on the storefront; its admin manages delivery addresses."""

from __future__ import annotations

from django.urls import reverse

from pipit.companies.models import CompanyAddress, CompanyMember
from pipit.testing import factories

ADDRESS = {
    "label": "North store",
    "postcode": "190000",
    "city": "Saint Petersburg",
    "line1": "Nevsky 10",
    "line2": "",
    "contact_name": "Pavel",
    "contact_phone": "+7 812 000 00 00",
    "is_default": "on",
}


def test_buyer_sees_legal_data_addresses_and_colleagues(buyer_client, company, buyer, colleague):
    page = buyer_client.get(reverse("companies:company"))
    assert page.status_code == 200
    text = page.content.decode()
    assert company.name in text and company.inn in text
    assert "Tverskaya" in text  # the delivery address
    assert colleague.email in text
    assert "Add a delivery address" not in text  # a plain buyer cannot change addresses


def test_plain_buyer_cannot_add_addresses(buyer_client, company):
    assert buyer_client.get(reverse("companies:address-add")).status_code == 403
    assert buyer_client.post(reverse("companies:address-add"), ADDRESS).status_code == 403
    assert company.addresses.count() == 1


def test_company_admin_adds_and_edits_a_delivery_address(storefront, company, client_for):
    admin = factories.buyer(company, "boss@alpha-salon.test", role=CompanyMember.Role.ADMIN)
    client = client_for(storefront, admin)
    assert "Add a delivery address" in client.get(reverse("companies:company")).content.decode()
    response = client.post(reverse("companies:address-add"), ADDRESS)
    assert response.status_code == 302
    new = company.addresses.get(label="North store")
    assert new.kind == "delivery" and new.is_default
    assert company.addresses.filter(is_default=True).count() == 1  # the old default gave way

    bad = client.post(reverse("companies:address-edit", args=[new.pk]), {**ADDRESS, "city": ""})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    client.post(reverse("companies:address-edit", args=[new.pk]), {**ADDRESS, "line1": "Nevsky 12"})
    new.refresh_from_db()
    assert new.line1 == "Nevsky 12"


def test_company_admin_gets_404_for_another_companys_address(
    storefront, company, other_company, client_for
):
    admin = factories.buyer(company, "boss@alpha-salon.test", role=CompanyMember.Role.ADMIN)
    theirs = other_company.addresses.get()
    client = client_for(storefront, admin)
    url = reverse("companies:address-edit", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, ADDRESS).status_code == 404
    assert CompanyAddress.objects.get(pk=theirs.pk).city == "Moscow"


def test_anonymous_visitor_is_sent_to_log_in(anon_client):
    response = anon_client.get(reverse("companies:company"))
    assert response.status_code == 302 and "login" in response.url


def test_staff_without_a_company_gets_404(storefront, client_for):
    client = client_for(storefront, factories.staff(storefront))
    assert client.get(reverse("companies:company")).status_code == 404
