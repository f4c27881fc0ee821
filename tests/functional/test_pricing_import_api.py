"""POST /api/v1/pricing/contract-imports/: a CRM sends contract prices as a file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from pipit.pricing.models import PriceImport, PriceList, PriceListItem
from pipit.pricing.strategy import StorefrontStrategy
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/pricing/contract-imports/"
GOOD = "inn;sku;price;min_quantity\n7701000001;DRL-1;90.50;1\n7701000001;DRL-1;80;10\n"
ONE_BAD = GOOD + "7701000001;NOPE-1;10;1\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def publish(obj):
    obj.save()
    obj.save_revision().publish()
    return obj


@pytest.fixture
def world(storefront, django_capture_on_commit_callbacks):
    acme = factories.company(storefront, "Acme", inn="7701000001")
    drill = factories.product(storefront, "Drill", price="100.00", sku="DRL-1")
    with django_capture_on_commit_callbacks(execute=True):
        contracts = publish(
            PriceList(storefront=storefront, name="Contracts", kind="company", currency="RUB")
        )
    return {"sf": storefront, "acme": acme, "drill": drill, "list": contracts}


@pytest.fixture
def api(world):
    return factories.token_client(world["sf"], factories.staff(world["sf"], "pricing"))


def csv_file(content: str, name: str = "prices.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode())


def post(api, content=GOOD, **data):
    return api.post(URL, {"file": csv_file(content), **data}, format="multipart")


def test_a_dry_run_answers_the_report_and_writes_nothing(api, world):
    response = post(api, price_list=world["list"].pk)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "checked"
    assert body["dry_run"] is True
    assert (body["total_rows"], body["accepted"], body["rejected"]) == (2, 2, 0)
    assert body["rejected_rows"] == []
    assert body["plan"] == {"create": 2, "update": 0, "unchanged": 0, "delete": 0}
    assert body["can_apply"] is True
    assert response["Location"].endswith(f"{URL}{body['id']}/")
    assert not PriceListItem.objects.exists()


def test_one_bad_row_applies_nothing_and_names_the_row_and_the_reason(
    api, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, ONE_BAD, price_list=world["list"].pk, dry_run="false")

    body = response.json()
    assert body["status"] == "failed"
    assert "1 row is rejected, so nothing was applied" in body["error"]
    assert (body["accepted"], body["rejected"]) == (2, 1)
    assert body["rejected_rows"] == [
        {
            "row": 4,
            "column": "sku",
            "field": "sku",
            "value": "NOPE-1",
            "reason": "No product of this storefront has this SKU.",
        }
    ]
    assert not PriceListItem.objects.exists()


def test_apply_after_the_dry_run_and_the_buyer_pays_the_contract_price(
    api, world, django_capture_on_commit_callbacks
):
    checked = post(api, price_list=world["list"].pk).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(checked["apply_url"])

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "applied"
    assert body["result"] == {"create": 2, "update": 0, "unchanged": 0, "delete": 0}
    buyer = factories.buyer(world["acme"])
    strategy = StorefrontStrategy(storefront=world["sf"], user=buyer)
    assert strategy.fetch_for_product(world["drill"]).price.excl_tax == Decimal("90.50")

    again = api.post(checked["apply_url"])
    assert again.status_code == 409
    assert again.json()["detail"] == "This import was applied already."


def test_apply_is_refused_with_409_while_rows_are_rejected(api, world):
    checked = post(api, ONE_BAD, price_list=world["list"].pk).json()
    response = api.post(checked["apply_url"])

    assert response.status_code == 409
    assert "rejected, so nothing can be applied" in response.json()["detail"]
    assert PriceImport.objects.get(pk=checked["id"]).status == "checked"
    assert not PriceListItem.objects.exists()


def test_the_status_url_shows_progress_and_counts(api, world):
    checked = post(api, price_list=world["list"].pk).json()
    response = api.get(checked["url"])

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["processed_rows"], body["total_rows"]) == ("checked", 2, 2)


def test_without_a_list_a_new_draft_list_is_created_on_apply(
    api, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = post(api, dry_run="false").json()

    assert body["status"] == "applied"
    assert body["creates_list"] is True
    new_list = PriceList.objects.get(pk=body["price_list"])
    assert (new_list.name, new_list.live) == ("Contract prices: prices", False)


def test_bad_requests_answer_400_with_field_errors(api, world, other_storefront):
    group_list = PriceList.objects.create(
        storefront=world["sf"], name="Regulars", kind="group", currency="RUB"
    )
    foreign = PriceList.objects.create(
        storefront=other_storefront, name="Theirs", kind="company", currency="RUB"
    )

    missing = api.post(URL, {"price_list": world["list"].pk}, format="multipart")
    assert missing.status_code == 400
    assert "file" in missing.json()["errors"]

    for pk in (foreign.pk, 999_999):
        response = post(api, price_list=pk)
        assert response.status_code == 400
        assert "price_list" in response.json()["errors"]

    wrong_kind = post(api, price_list=group_list.pk)
    assert wrong_kind.status_code == 400
    assert "Choose a company contract price list" in wrong_kind.json()["errors"]["price_list"][0]

    no_header = post(api, "7701000001;DRL-1;90\n", price_list=world["list"].pk)
    assert no_header.status_code == 400
    assert "has no column for" in no_header.json()["errors"]["file"][0]
    assert not PriceImport.objects.exists()


def test_another_storefronts_import_answers_404(api, world, other_storefront, settings):
    theirs_staff = factories.staff(other_storefront, "pricing")
    theirs_api = factories.token_client(other_storefront, theirs_staff)
    theirs = PriceList.objects.create(
        storefront=other_storefront, name="Theirs", kind="company", currency="RUB"
    )
    foreign = theirs_api.post(
        URL, {"file": csv_file(GOOD), "price_list": theirs.pk}, format="multipart"
    ).json()

    assert api.get(f"{URL}{foreign['id']}/").status_code == 404
    assert api.post(f"{URL}{foreign['id']}/apply/").status_code == 404
    assert [item["id"] for item in api.get(URL).json()["results"]] == []


def test_buyers_get_403_and_strangers_401(world, buyer):
    buyer_api = factories.token_client(world["sf"], buyer)
    assert post(buyer_api, price_list=world["list"].pk).status_code == 403
    assert buyer_api.get(URL).status_code == 403

    anonymous = APIClient(HTTP_HOST=world["sf"].site.hostname)
    assert post(anonymous, price_list=world["list"].pk).status_code == 401

    editor_api = factories.token_client(
        world["sf"], factories.staff(world["sf"], StorefrontGroup.Role.EDITOR)
    )
    assert post(editor_api, price_list=world["list"].pk).status_code == 403


def test_staff_of_another_storefront_are_not_authenticated_here(world, other_storefront):
    theirs = factories.staff(other_storefront, "pricing")
    client = factories.token_client(other_storefront, theirs)
    client.defaults["HTTP_HOST"] = world["sf"].site.hostname
    assert post(client, price_list=world["list"].pk).status_code == 401


def test_the_admin_session_of_staff_and_superusers_works_too(world, client_for):
    for user in (factories.staff(world["sf"], "admin"), factories.superuser()):
        client = client_for(world["sf"], user)
        response = client.post(URL, {"file": csv_file(GOOD), "price_list": world["list"].pk})
        assert response.status_code == 201, response.content


def test_the_schema_documents_the_endpoints(db, client):
    schema = client.get("/api/schema/", HTTP_HOST="localhost").content.decode()
    assert "/api/v1/pricing/contract-imports/" in schema
    assert "/api/v1/pricing/contract-imports/{id}/apply/" in schema
    assert "A dry run with one rejected row" in schema
