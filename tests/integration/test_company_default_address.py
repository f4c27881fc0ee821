"""A company has one default delivery address (the one checkout preselects), enforced by the
database; choosing another default in the admin or on the storefront moves it there."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from pipit.companies.models import CompanyAddress, CompanyMember
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def second_address(company, **changes) -> CompanyAddress:
    values = {
        "label": "North store",
        "postcode": "190000",
        "city": "Saint Petersburg",
        "line1": "Nevsky 10",
        "kind": "delivery",
        **changes,
    }
    return CompanyAddress.objects.create(company=company, **values)


def defaults(company) -> list[str]:
    return list(
        CompanyAddress.objects.filter(company=company, is_default=True, kind="delivery")
        .order_by("label")
        .values_list("label", flat=True)
    )


def test_the_database_refuses_a_second_default_delivery_address(company, other_company):
    with pytest.raises(IntegrityError), transaction.atomic():
        second_address(company, is_default=True)
    # Another company's default, or a second non-default address, is fine.
    second_address(company)
    assert defaults(company) == ["Main"] and defaults(other_company) == ["Main"]


def admin_data(company, rows: list[tuple[CompanyAddress | None, dict]]) -> dict:
    data = {
        "storefront": company.storefront_id,
        "name": company.name,
        "inn": company.inn,
        "kpp": "",
        "email": "",
        "phone": "",
        "is_active": "on",
        "addresses-TOTAL_FORMS": str(len(rows)),
        "addresses-INITIAL_FORMS": str(sum(1 for a, _ in rows if a is not None)),
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000",
    }
    for i, (address, values) in enumerate(rows):
        row = {
            "id": address.pk if address else "",
            "ORDER": str(i),
            "label": address.label if address else "",
            "kind": address.kind if address else "delivery",
            "postcode": address.postcode if address else "",
            "city": address.city if address else "",
            "line1": address.line1 if address else "",
            "line2": "",
            "contact_name": "",
            "contact_phone": "",
            **({"is_default": "on"} if address and address.is_default else {}),
            **values,
        }
        row = {k: v for k, v in row.items() if v is not None}
        data.update({f"addresses-{i}-{k}": v for k, v in row.items()})
    return data


@pytest.fixture
def admin_client(storefront, client_for):
    return client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.ADMIN))


def test_admin_ticking_another_default_moves_it_there(company, admin_client):
    main = company.addresses.get()
    north = second_address(company)
    url = reverse("commerce_companies:edit", args=[company.pk])

    # "Main" stays ticked as the page showed it; "North store" is ticked now.
    response = admin_client.post(
        url, admin_data(company, [(main, {}), (north, {"is_default": "on"})])
    )

    assert response.status_code == 302, response.context["form"].errors
    assert defaults(company) == ["North store"]


def test_admin_adds_a_new_default_address_inline(company, admin_client):
    main = company.addresses.get()
    url = reverse("commerce_companies:edit", args=[company.pk])
    new = {
        "label": "South store",
        "postcode": "344000",
        "city": "Rostov",
        "line1": "Bolshaya Sadovaya 1",
        "is_default": "on",
    }

    response = admin_client.post(url, admin_data(company, [(main, {}), (None, new)]))

    assert response.status_code == 302, response.context["form"].errors
    assert defaults(company) == ["South store"]
    assert company.addresses.count() == 2


def test_admin_ticking_two_new_defaults_is_a_form_error(company, admin_client):
    main = company.addresses.get()
    north = second_address(company)
    url = reverse("commerce_companies:edit", args=[company.pk])

    response = admin_client.post(
        url,
        admin_data(company, [(main, {"is_default": None}), (north, {"is_default": "on"})])
        | {"addresses-TOTAL_FORMS": "3"}
        | {
            f"addresses-2-{k}": v
            for k, v in {
                "id": "",
                "ORDER": "2",
                "label": "South store",
                "kind": "delivery",
                "postcode": "344000",
                "city": "Rostov",
                "line1": "Bolshaya Sadovaya 1",
                "is_default": "on",
            }.items()
        },
    )

    assert response.status_code == 200
    assert "Mark only one delivery address as the default." in response.content.decode()
    assert defaults(company) == ["Main"]


def test_company_admin_on_the_storefront_switches_the_default(storefront, company, client_for):
    north = second_address(company)
    admin = factories.buyer(company, "boss@alpha-salon.test", role=CompanyMember.Role.ADMIN)
    client = client_for(storefront, admin)

    response = client.post(
        reverse("companies:address-edit", args=[north.pk]),
        {
            "label": "North store",
            "postcode": "190000",
            "city": "Saint Petersburg",
            "line1": "Nevsky 10",
            "is_default": "on",
        },
    )

    assert response.status_code == 302
    assert defaults(company) == ["North store"]
