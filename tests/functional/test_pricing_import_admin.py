"""Admin → Pricing → Import contract prices: upload, dry-run report, apply, progress, history."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from pipit.pricing.models import PriceImport, PriceList, PriceListItem
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db

INDEX = "/admin/pricing/contract-import/"
GOOD = "ИНН;Артикул;Цена;От\n7701000001;DRL-1;90,50;1\n7701000001;DRL-1;80;10\n"
ONE_BAD = GOOD + "7701000001;DRL-1;-3;20\n"


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
def sales_ops(world, client_for):
    return client_for(world["sf"], factories.staff(world["sf"], "pricing"))


def upload(client, content, *, name="prices.csv", **fields):
    data = content.encode("cp1251") if isinstance(content, str) else content
    return client.post(INDEX, {"file": SimpleUploadedFile(name, data), **fields}, follow=True)


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_one_bad_row_applies_nothing_and_the_report_names_the_row_and_the_reason(
    world, sales_ops, django_capture_on_commit_callbacks
):
    response = upload(sales_ops, ONE_BAD, price_list=world["list"].pk)

    assert response.status_code == 200
    page = text(response)
    assert "Rows in the file 3" in page
    assert "Accepted 2" in page
    assert "Rejected 1" in page
    assert "Row Column Value Reason 4 Цена -3 The price cannot be negative." in page
    assert "1 row is rejected. Nothing is applied while any row is rejected" in page
    assert "Apply" not in re.findall(r"<button[^>]*>([^<]*)</button>", response.content.decode())

    price_import = PriceImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        refused = sales_ops.post(f"{INDEX}{price_import.pk}/apply/", follow=True)
    assert "Rows of this import are rejected, so nothing can be applied" in text(refused)
    assert not PriceListItem.objects.exists()


def test_dry_run_then_apply_and_the_buyer_pays_the_contract_price(
    world, sales_ops, django_capture_on_commit_callbacks
):
    checked = upload(sales_ops, GOOD, price_list=world["list"].pk)
    page = text(checked)
    assert "Accepted 2" in page and "Would create 2" in page
    assert "All 2 rows are accepted" in page
    assert not PriceListItem.objects.exists()

    price_import = PriceImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        applied = sales_ops.post(f"{INDEX}{price_import.pk}/apply/", follow=True)

    page = text(applied)
    assert "The prices were applied." in page
    assert "Rows created 2" in page
    assert "buyers see them within moments" in page
    assert "Open the price list" in page
    buyer = factories.buyer(world["acme"])
    strategy = StorefrontStrategy(storefront=world["sf"], user=buyer)
    assert strategy.fetch_for_product(world["drill"], quantity=10).price.excl_tax == Decimal("80")

    history = text(sales_ops.get(INDEX))
    assert "prices.csv" in history and "Applied" in history


def test_an_xlsx_file_into_a_new_draft_list(world, sales_ops, django_capture_on_commit_callbacks):
    workbook = Workbook()
    workbook.active.append(["Company", "SKU", "Price"])
    workbook.active.append([7701000001, "DRL-1", 88.8])
    out = io.BytesIO()
    workbook.save(out)

    checked = upload(sales_ops, out.getvalue(), name="acme.xlsx", price_list="")
    assert "A new draft list, “Contract prices: acme”, is created on apply." in text(checked)
    price_import = PriceImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        applied = sales_ops.post(f"{INDEX}{price_import.pk}/apply/", follow=True)

    assert "It is a draft: publish it for buyers to see them." in text(applied)
    new_list = PriceList.objects.get(name="Contract prices: acme")
    assert new_list.items.get().price == Decimal("88.80")


def test_a_file_without_the_needed_columns_is_a_form_error(world, sales_ops):
    response = upload(sales_ops, "Артикул;Цена\nDRL-1;10\n", price_list=world["list"].pk)

    assert "has no column for: company" in text(response)
    assert not PriceImport.objects.exists()


def test_a_running_import_shows_a_progress_bar_that_polls_its_status(world, sales_ops):
    running = PriceImport.objects.create(
        storefront=world["sf"],
        price_list=world["list"],
        original_name="big.csv",
        file=SimpleUploadedFile("big.csv", b"inn;sku;price\n"),
        status=PriceImport.Status.CHECKING,
        total_rows=12_000,
        processed_rows=5_000,
    )
    page = sales_ops.get(f"{INDEX}{running.pk}/")
    html = page.content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="41"' in html
    assert f'data-status-url="{INDEX}{running.pk}/status/"' in html

    status = sales_ops.get(f"{INDEX}{running.pk}/status/").json()
    assert status == {
        "status": "checking",
        "label": "Checking",
        "processed": 5000,
        "total": 12000,
        "percent": 41,
        "done": False,
    }


def test_another_storefronts_import_and_list_answer_404(world, sales_ops, other_storefront):
    theirs = PriceList.objects.create(
        storefront=other_storefront, name="Theirs", kind="company", currency="RUB"
    )
    their_import = PriceImport.objects.create(
        storefront=other_storefront,
        price_list=theirs,
        original_name="theirs.csv",
        file=SimpleUploadedFile("theirs.csv", b"inn;sku;price\n"),
        status=PriceImport.Status.CHECKED,
        accepted=1,
    )
    assert sales_ops.get(f"{INDEX}{their_import.pk}/").status_code == 404
    assert sales_ops.get(f"{INDEX}{their_import.pk}/status/").status_code == 404
    assert sales_ops.post(f"{INDEX}{their_import.pk}/apply/").status_code == 404
    assert sales_ops.get(f"{INDEX}?list={theirs.pk}").status_code == 404
    assert "theirs.csv" not in text(sales_ops.get(INDEX))

    forged = upload(sales_ops, GOOD, price_list=theirs.pk)
    assert "Select a valid choice" in text(forged)
    assert not PriceImport.objects.filter(storefront=world["sf"]).exists()


def test_the_list_can_be_preselected_from_its_page(world, sales_ops):
    page = sales_ops.get(f"{INDEX}?list={world['list'].pk}").content.decode()
    assert re.search(rf'<option value="{world["list"].pk}" selected>', page)


def test_only_pricing_and_admin_staff_see_and_use_the_screen(world, client_for, buyer):
    editor = client_for(world["sf"], factories.staff(world["sf"], "editor"))
    refused = editor.get(INDEX)  # Wagtail sends the refused back to the dashboard
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert "Import contract prices" not in editor.get("/admin/").content.decode()

    admin = client_for(world["sf"], factories.staff(world["sf"], "admin"))
    assert admin.get(INDEX).status_code == 200
    assert "Import contract prices" in admin.get("/admin/").content.decode()

    as_buyer = client_for(world["sf"], buyer).get(INDEX)
    assert as_buyer.status_code == 302 and "/admin/login/" in as_buyer["Location"]
