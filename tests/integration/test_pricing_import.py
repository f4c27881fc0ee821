"""Contract price import: files read the way sales ops save them, rows checked against the
storefront, applied all or nothing, and the buyer's prices follow."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from pipit.pricing import imports
from pipit.pricing.models import PriceImport, PriceList, PriceListItem
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def publish(obj):
    obj.save()
    obj.save_revision().publish()
    return obj


def price(sf, user, product, quantity=1) -> Decimal:
    strategy = StorefrontStrategy(storefront=sf, user=user)
    return strategy.fetch_for_product(product, quantity=quantity).price.excl_tax


@pytest.fixture
def world(storefront, django_capture_on_commit_callbacks):
    sf = storefront
    acme = factories.company(sf, "Acme", inn="7701000001")
    acme.code = "CRM-ACME"
    acme.save()
    north = factories.company(sf, "Beta North", inn="7702000002")
    north.kpp = "770201001"
    north.save()
    south = factories.company(sf, "Beta South", inn="7702000002")
    south.kpp = "770202001"
    south.save()
    drill = factories.product(sf, "Drill", price="100.00", sku="DRL-1")
    saw = factories.product(sf, "Saw", price="200.00", sku="SAW-2")
    with django_capture_on_commit_callbacks(execute=True):
        contracts = publish(
            PriceList(storefront=sf, name="Contracts", kind="company", currency=sf.currency)
        )
    return {
        "sf": sf,
        "acme": acme,
        "north": north,
        "south": south,
        "drill": drill,
        "saw": saw,
        "list": contracts,
    }


def upload(name: str, content: bytes | str, encoding: str = "utf-8") -> SimpleUploadedFile:
    data = content.encode(encoding) if isinstance(content, str) else content
    return SimpleUploadedFile(name, data)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_import(world, file, *, apply=False, replace=False, price_list="default", user=None):
    target = world["list"] if price_list == "default" else price_list
    imports.check_upload(file)
    price_import = imports.create_import(
        world["sf"], file, user=user, price_list=target, replace=replace
    )
    return imports.start(price_import, apply=apply)


def rows_of(price_list) -> set[tuple]:
    return set(
        PriceListItem.objects.filter(price_list=price_list).values_list(
            "company__name", "product__title", "min_quantity", "price", "valid_from", "valid_to"
        )
    )


GOOD = (
    "company;sku;price;min_quantity;valid_from;valid_to\n"
    "7701000001;DRL-1;90.50;1;;\n"
    "CRM-ACME;DRL-1;85;10;01.01.2020;31.12.2099\n"
    "7702000002/770201001;SAW-2;180,00;;2020-01-01;\n"
)


def test_dry_run_reports_every_row_accepted_and_writes_nothing(world):
    result = run_import(world, upload("prices.csv", GOOD))

    assert result.status == PriceImport.Status.CHECKED
    assert (result.total_rows, result.accepted, result.rejected) == (3, 3, 0)
    assert result.report["plan"] == {"create": 3, "update": 0, "unchanged": 0, "delete": 0}
    assert result.can_apply
    assert not PriceListItem.objects.exists()


def test_apply_writes_the_rows_and_the_buyer_pays_the_contract_price(
    world, django_capture_on_commit_callbacks
):
    buyer = factories.buyer(world["acme"])
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(world, upload("prices.csv", GOOD), apply=True)

    assert result.status == PriceImport.Status.APPLIED, result.error
    assert result.report["result"] == {"create": 3, "update": 0, "unchanged": 0, "delete": 0}
    assert result.report["recompile_scheduled"] is True
    assert rows_of(world["list"]) == {
        ("Acme", "Drill", 1, Decimal("90.50"), None, None),
        (
            "Acme",
            "Drill",
            10,
            Decimal("85.00"),
            datetime.date(2020, 1, 1),
            datetime.date(2099, 12, 31),
        ),
        ("Beta North", "Saw", 1, Decimal("180.00"), datetime.date(2020, 1, 1), None),
    }
    assert price(world["sf"], buyer, world["drill"]) == Decimal("90.50")
    assert price(world["sf"], buyer, world["drill"], 10) == Decimal("85.00")


def test_one_bad_row_applies_nothing_and_names_the_row_and_the_reason(
    world, django_capture_on_commit_callbacks
):
    content = GOOD + "7701000001;NO-SUCH-SKU;10;;;\n"
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(world, upload("prices.csv", content), apply=True)

    assert result.status == PriceImport.Status.FAILED
    assert "1 row is rejected, so nothing was applied" in result.error
    assert (result.accepted, result.rejected) == (3, 1)
    assert result.report["rejected_rows"] == [
        {
            "row": 5,
            "column": "sku",
            "field": "sku",
            "value": "NO-SUCH-SKU",
            "reason": "No product of this storefront has this SKU.",
        }
    ]
    assert not PriceListItem.objects.exists()


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("7799999999;DRL-1;10;;;", "company", "No company of this storefront has the INN or code"),
        ("7702000002;DRL-1;10;;;", "company", "INN 7702000002 belongs to several companies"),
        ("7701000001;DRL-1;ten;;;", "price", "The price is not a number."),
        ("7701000001;DRL-1;-5;;;", "price", "The price cannot be negative."),
        ("7701000001;DRL-1;1.005;;;", "price", "A price has at most 2 decimals."),
        ("7701000001;DRL-1;10;2.5;;", "min_quantity", "whole number"),
        ("7701000001;DRL-1;10;0;;", "min_quantity", "at least 1"),
        ("7701000001;DRL-1;10;;31.02.2025;", "valid_from", "There is no such day."),
        ("7701000001;DRL-1;10;;next week;", "valid_from", "dd.mm.yyyy or yyyy-mm-dd"),
        ("7701000001;DRL-1;10;;01.02.2025;01.01.2025", "valid_to", "before its start"),
    ],
)
def test_each_kind_of_bad_row_is_rejected_with_its_reason(world, line, field, reason):
    content = "company;sku;price;min_quantity;valid_from;valid_to\n" + line + "\n"
    result = run_import(world, upload("prices.csv", content))

    assert result.rejected == 1
    [problem] = result.report["rejected_rows"]
    assert problem["row"] == 2
    assert problem["field"] == field
    assert reason in problem["reason"]
    assert not result.can_apply


def test_a_row_repeating_an_earlier_key_is_rejected_naming_the_first(world):
    content = (
        "company;sku;price;min_quantity\n"
        "7701000001;DRL-1;90;1\n"
        "7702000002/770202001;SAW-2;90;1\n"
        "CRM-ACME;drl-1;80;1\n"  # same company (by code), same SKU (any case), same quantity
    )
    result = run_import(world, upload("prices.csv", content))

    assert (result.accepted, result.rejected) == (2, 1)
    [problem] = result.report["rejected_rows"]
    assert problem["row"] == 4
    assert "Row 2 has the same company, SKU, from-quantity and start date" in problem["reason"]


def test_russian_headers_cp1251_and_semicolons_as_excel_saves_them(world):
    content = (
        "ИНН;Артикул;Цена, руб.;Кол-во от;Действует с;Действует по\r\n"
        "7701000001;DRL-1;1 234,50;5;01.03.2025;31.12.2025\r\n"
    )
    result = run_import(world, upload("цены.csv", content, "cp1251"))

    assert result.status == PriceImport.Status.CHECKED, result.error
    assert (result.accepted, result.rejected) == (1, 0)
    assert result.report["columns"]["price"] == "Цена, руб."


def test_utf8_with_bom_and_commas_and_tabs(world):
    comma = "\ufeffCompany,SKU,Price\n7701000001,DRL-1,90.5\n"
    tab = "inn\tsku\tprice\n7701000001\tDRL-1\t90.5\n"
    for content in (comma, tab):
        result = run_import(world, upload("prices.csv", content))
        assert (result.accepted, result.rejected) == (1, 0), result.report


def test_xlsx_with_numbers_and_date_cells(world, django_capture_on_commit_callbacks):
    data = xlsx(
        [
            ["Компания", "Артикул", "Цена", "От", "Действует с", "Действует по"],
            [7701000001, "DRL-1", 91.2, 1, datetime.datetime(2020, 1, 1), None],
            ["CRM-ACME", "SAW-2", 150, 5.0, None, datetime.date(2099, 1, 31)],
            [None, None, None, None, None, None],
            ["7701000001", "SAW-2", "abc", 1, None, None],
        ]
    )
    result = run_import(world, upload("prices.xlsx", data))

    assert (result.total_rows, result.accepted, result.rejected) == (3, 2, 1)
    # Row numbers are the sheet's: the blank row 4 counts in the numbering, not as a row.
    assert [p["row"] for p in result.report["rejected_rows"]] == [5]


def test_upsert_updates_rows_with_the_same_key_and_leaves_the_rest(
    world, django_capture_on_commit_callbacks
):
    acme, drill, saw = world["acme"], world["drill"], world["saw"]
    with django_capture_on_commit_callbacks(execute=True):
        PriceListItem.objects.create(
            price_list=world["list"], company=acme, product=drill, min_quantity=1, price="99.00"
        )
        PriceListItem.objects.create(
            price_list=world["list"], company=acme, product=saw, min_quantity=1, price="199.00"
        )
    content = "company;sku;price\n7701000001;DRL-1;77\n"
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(world, upload("prices.csv", content), apply=True)

    assert result.report["result"] == {"create": 0, "update": 1, "unchanged": 0, "delete": 0}
    assert rows_of(world["list"]) == {
        ("Acme", "Drill", 1, Decimal("77.00"), None, None),
        ("Acme", "Saw", 1, Decimal("199.00"), None, None),
    }
    buyer = factories.buyer(acme)
    assert price(world["sf"], buyer, drill) == Decimal("77.00")


def test_replace_deletes_the_other_rows_of_the_companies_in_the_file_only(
    world, django_capture_on_commit_callbacks
):
    acme, north, saw = world["acme"], world["north"], world["saw"]
    with django_capture_on_commit_callbacks(execute=True):
        PriceListItem.objects.create(
            price_list=world["list"], company=acme, product=saw, min_quantity=1, price="150.00"
        )
        PriceListItem.objects.create(
            price_list=world["list"], company=north, product=saw, min_quantity=1, price="160.00"
        )
    buyer = factories.buyer(acme)
    content = "company;sku;price\n7701000001;DRL-1;77\n"
    with django_capture_on_commit_callbacks(execute=True):
        dry = run_import(world, upload("prices.csv", content), replace=True)
        assert dry.report["plan"] == {"create": 1, "update": 0, "unchanged": 0, "delete": 1}
        result = imports.start(dry, apply=True)

    assert result.status == PriceImport.Status.APPLIED
    assert result.report["result"] == {"create": 1, "update": 0, "unchanged": 0, "delete": 1}
    assert rows_of(world["list"]) == {
        ("Acme", "Drill", 1, Decimal("77.00"), None, None),
        ("Beta North", "Saw", 1, Decimal("160.00"), None, None),
    }
    # Acme's saw contract is gone: the base price again.
    assert price(world["sf"], buyer, saw) == Decimal("200.00")


def test_applying_the_same_file_twice_changes_nothing_the_second_time(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_import(world, upload("prices.csv", GOOD), apply=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = run_import(world, upload("prices.csv", GOOD), apply=True)

    assert again.report["result"] == {"create": 0, "update": 0, "unchanged": 3, "delete": 0}
    assert again.report["recompile_scheduled"] is False
    assert not callbacks  # nothing to recompile


def test_a_new_list_is_created_as_a_draft_named_after_the_file(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(world, upload("acme-2025.csv", GOOD), apply=True, price_list=None)

    new_list = result.price_list
    assert new_list.name == "Contract prices: acme-2025"
    assert (new_list.kind, new_list.live, new_list.storefront) == ("company", False, world["sf"])
    assert new_list.latest_revision is not None
    assert len(rows_of(new_list)) == 3
    assert result.report["recompile_scheduled"] is False
    buyer = factories.buyer(world["acme"])
    assert price(world["sf"], buyer, world["drill"]) == Decimal("100.00")


def test_a_large_file_goes_through_the_task_with_progress_and_prices_change(
    world, settings, django_capture_on_commit_callbacks
):
    sf = world["sf"]
    settings.PIPIT_PRICE_IMPORT_LIMITS = {"background_rows": 5_000, "progress_every": 2_000}
    companies = [factories.company(sf, f"Buyer {n}") for n in range(30)]
    lines = ["inn;sku;price;min_quantity"]
    for company in companies:
        for quantity in range(1, 201):
            for sku, base in (("DRL-1", 100), ("SAW-2", 200)):
                lines.append(f"{company.inn};{sku};{base - quantity * 0.25:.2f};{quantity}")
    assert len(lines) - 1 == 12_000
    buyer = factories.buyer(companies[7])

    with django_capture_on_commit_callbacks() as queued:
        result = run_import(world, upload("big.csv", "\n".join(lines)), apply=True)
    # Too big for the request: queued for the Celery task, which starts after the commit.
    assert (result.status, result.processed_rows) == (PriceImport.Status.QUEUED, 0)
    assert not PriceListItem.objects.exists()

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for callback in queued:
            callback()
    result.refresh_from_db()

    assert result.status == PriceImport.Status.APPLIED, result.error
    assert result.total_rows == result.processed_rows == result.accepted == 12_000
    assert PriceListItem.objects.filter(price_list=world["list"]).count() == 12_000
    progress_updates = [q["sql"] for q in queries.captured_queries if "processed_rows" in q["sql"]]
    assert len(progress_updates) >= 6  # every 2,000 rows while checking, then while writing
    # Batched: the whole import costs far fewer queries than one per row.
    assert len(queries.captured_queries) < 600
    assert price(sf, buyer, world["drill"]) == Decimal("99.75")
    assert price(sf, buyer, world["drill"], 200) == Decimal("50.00")


def test_too_many_rows_fails_the_file_with_a_clear_error(world, settings):
    settings.PIPIT_PRICE_IMPORT_LIMITS = {"max_rows": 2}
    result = run_import(world, upload("prices.csv", GOOD))

    assert result.status == PriceImport.Status.FAILED
    assert result.error == "The file has more than 2 rows: split it into several files."


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("prices.csv", "sku;price\nDRL-1;10\n", "has no column for: company"),
        ("prices.csv", "", "The file is empty."),
        ("prices.xls", b"\xd0\xcf\x11\xe0rest", r"Old Excel files \(.xls\) cannot be read"),
        ("prices.xlsx", b"PK\x03\x04broken", "could not be read as an XLSX workbook"),
        ("prices.csv", "inn;цена;price;sku\n", "both hold the price"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_whole(name, content, message):
    with pytest.raises(imports.UnreadableFile, match=message):
        imports.check_upload(upload(name, content))


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PIPIT_PRICE_IMPORT_LIMITS = {"max_bytes": 1024 * 1024}
    with pytest.raises(imports.UnreadableFile, match="the limit is 1 MB"):
        imports.check_upload(upload("prices.csv", "inn;sku;price\n" + "x" * 1024 * 1024))


def test_another_storefronts_companies_and_products_are_unknown(world, other_storefront):
    factories.company(other_storefront, "Foreign", inn="7709999999")
    factories.product(other_storefront, "Foreign drill", sku="FOREIGN-1")
    content = "inn;sku;price\n7709999999;DRL-1;10\n7701000001;FOREIGN-1;10\n"
    result = run_import(world, upload("prices.csv", content))

    reasons = {(p["row"], p["field"]) for p in result.report["rejected_rows"]}
    assert reasons == {(2, "company"), (3, "sku")}


def test_the_rejected_list_stops_at_the_limit_but_the_counts_stay_exact(world, settings):
    settings.PIPIT_PRICE_IMPORT_LIMITS = {"listed_rows": 5}
    lines = ["inn;sku;price"] + [f"7701000001;NOPE-{n};10" for n in range(40)]
    result = run_import(world, upload("prices.csv", "\n".join(lines)))

    assert result.rejected == 40
    assert [p["row"] for p in result.report["rejected_rows"]] == [2, 3, 4, 5, 6]


def test_row_checks_cost_a_fixed_number_of_queries(world):
    few = "inn;sku;price\n7701000001;DRL-1;10\n"
    many = "inn;sku;price;от\n" + "".join(f"7701000001;DRL-1;10;{n}\n" for n in range(1, 500))
    counts = []
    for content in (few, few, many):
        with CaptureQueriesContext(connection) as queries:
            run_import(world, upload("prices.csv", content))
        counts.append([q["sql"] for q in queries.captured_queries])
    assert len(counts[1]) == len(counts[2]), counts


@pytest.mark.parametrize(
    ("written", "cents"),
    [
        ("1250", 125000),
        ("90.5", 9050),
        ("612,50", 61250),
        (" 1 234,50 ", 123450),
        ("1\u00a0234.5", 123450),
        ("1,234.50", 123450),
        ("1.234,50", 123450),
        ("455 ₽", 45500),
        (91.2, 9120),
        (89.10000000000001, 8910),  # a formula's float, as Excel shows it
        (150, 15000),
        ("0", 0),
    ],
)
def test_prices_are_read_as_sales_ops_write_them(written, cents):
    assert imports.parse_price(written) == (cents, "")


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("01.03.2025", datetime.date(2025, 3, 1)),
        ("1.3.2025", datetime.date(2025, 3, 1)),
        ("2025-03-01", datetime.date(2025, 3, 1)),
        ("2025-03-01 00:00:00", datetime.date(2025, 3, 1)),
        (45717, datetime.date(2025, 3, 1)),  # Excel's day number
        (datetime.datetime(2025, 3, 1, 0, 0), datetime.date(2025, 3, 1)),
        ("", None),
    ],
)
def test_dates_are_read_in_russian_iso_and_excel_forms(written, day):
    assert imports.parse_date(written) == (day, "")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reports_progress_while_it_checks_a_large_file(
    celery_worker_process, settings, storefront
):
    """PostgreSQL + Redis: the admin's progress bar reads what another process writes."""
    import time

    from pipit.settings import test as test_settings

    settings.MEDIA_ROOT = test_settings.MEDIA_ROOT  # where the worker finds the upload
    factories.product(storefront, "Drill", sku="DRL-1")
    companies = [factories.company(storefront, f"Buyer {n}") for n in range(20)]
    lines = ["inn;sku;price;min_quantity"]
    lines += [f"{c.inn};DRL-1;{500 - q * 0.01:.2f};{q}" for c in companies for q in range(1, 3001)]
    contracts = PriceList.objects.create(
        storefront=storefront, name="Contracts", kind="company", currency="RUB"
    )
    price_import = imports.create_import(
        storefront, upload("big.csv", "\n".join(lines)), user=None, price_list=contracts
    )
    try:
        imports.start(price_import, apply=False)  # autocommit: queued to the worker at once
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            price_import.refresh_from_db()
            seen.append((price_import.status, price_import.processed_rows))
            if not price_import.is_running:
                break
            time.sleep(0.02)

        assert price_import.status == PriceImport.Status.CHECKED, price_import.error
        assert price_import.accepted == price_import.processed_rows == 60_000
        midway = [rows for status, rows in seen if status == "checking" and 0 < rows < 60_000]
        assert midway, seen[-5:]
    finally:
        price_import.file.delete(save=False)


def test_apply_checks_the_file_again_and_refuses_what_changed_since_the_dry_run(
    world, django_capture_on_commit_callbacks
):
    checked = run_import(world, upload("prices.csv", GOOD))
    assert checked.can_apply
    world["acme"].inn = "7701999999"  # renamed in the CRM after the dry run
    world["acme"].code = ""
    world["acme"].save()

    with django_capture_on_commit_callbacks(execute=True):
        result = imports.start(checked, apply=True)

    assert result.status == PriceImport.Status.FAILED
    assert "2 rows are rejected, so nothing was applied" in result.error
    assert [p["row"] for p in result.report["rejected_rows"]] == [2, 3]
    assert not PriceListItem.objects.exists()


def test_a_list_deleted_after_the_dry_run_fails_the_apply_with_its_reason(world):
    checked = run_import(world, upload("prices.csv", GOOD))
    world["list"].delete()
    checked.refresh_from_db()

    assert not checked.can_apply
    assert imports.why_not_applicable(checked) == "The price list of this import no longer exists."
    assert imports.start(checked, apply=True).status == PriceImport.Status.CHECKED
    assert not PriceListItem.objects.exists()
