"""CSV and XLSX uploads, and the storefront's limits on lines and file size."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from pipit.plugins.testing import enable_plugin

from pipit_quick_order.plugin import QuickOrderSettings

URL = "/shop/p/quick_order/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, name: str, data: bytes, content_type: str = "text/csv"):
    return client.post(
        URL, {"file": SimpleUploadedFile(name, data, content_type=content_type), "action": "check"}
    )


def test_xlsx_upload_is_matched_like_pasted_lines(buyer_client, enabled, catalog):
    data = xlsx(
        [
            ["SKU", "Qty"],
            ["15208-65F0E", 4],
            ["16546-JG30A", 1.0],  # Excel keeps numbers as floats: 1.0 is 1
            ["DDF-2000", 2.5],
            [None, None],
            ["C 2029", None],
        ]
    )
    response = upload(buyer_client, "order.xlsx", data, XLSX)
    result = response.context["result"]
    assert result.header == "SKU; Qty"
    assert [(m.line.number, m.line.text, m.status.value) for m in result.lines] == [
        (1, "15208-65F0E; 4", "ok"),
        (2, "16546-JG30A; 1", "out_of_stock"),
        (3, "DDF-2000; 2.5", "bad"),
        (4, "C 2029", "ok"),
    ]
    assert "“2.5” is not a whole number" in response.content.decode()


def test_csv_upload(buyer_client, enabled, catalog):
    response = upload(buyer_client, "order.csv", b"15208-65F0E,3\nNOPE-1,1\n")
    assert [m.status.value for m in response.context["result"].lines] == ["ok", "unmatched"]


def test_a_broken_or_old_excel_file_is_a_clear_error(buyer_client, enabled):
    response = upload(buyer_client, "order.xlsx", b"PK\x03\x04 not really a zip", XLSX)
    assert "could not be read as an XLSX workbook" in response.content.decode()
    response = upload(buyer_client, "order.xls", b"\xd0\xcf\x11\xe0 old excel")
    assert "Old Excel files (.xls) cannot be read" in response.content.decode()
    assert response.context["result"] is None


def test_too_many_lines_is_refused_before_anything_is_matched(buyer_client, storefront, catalog):
    enable_plugin(storefront, "quick_order", max_lines=5, max_file_size_kb=1)
    text = "\n".join(f"15208-65F0E {n}" for n in range(1, 7))
    with CaptureQueriesContext(connection) as queries:
        response = buyer_client.post(URL, {"text": text})
    # Nothing was matched: no SKU lookup ran (the basket's own lines load for the header).
    assert not [q for q in queries.captured_queries if "REPLACE(" in q["sql"]]
    html = response.content.decode()
    assert "The list has 6 lines; the limit is 5. Split it into several orders." in html
    assert response.context["result"] is None
    rows = xlsx([["15208-65F0E", n] for n in range(1, 50)])
    response = upload(buyer_client, "order.xlsx", rows, XLSX)
    assert (
        "The file is" in response.content.decode()
        and "the limit is 1.0" in response.content.decode()
    )
    enable_plugin(storefront, "quick_order", max_lines=5, max_file_size_kb=100)
    response = upload(buyer_client, "order.xlsx", rows, XLSX)
    assert "The list has more than 5 lines; the limit is 5." in response.content.decode()


def test_text_and_file_together_or_nothing_at_all(buyer_client, enabled, catalog):
    response = buyer_client.post(
        URL,
        {"text": "15208-65F0E 1", "file": SimpleUploadedFile("a.csv", b"C 2029;1")},
    )
    assert "Paste lines or upload a file, not both" in response.content.decode()
    response = buyer_client.post(URL, {"text": "  \n "})
    assert "Paste lines of SKU and quantity, or upload a file." in response.content.decode()


def test_limits_are_validated_in_the_settings_form():
    assert QuickOrderSettings(data={"max_lines": "500", "max_file_size_kb": "1024"}).is_valid()
    form = QuickOrderSettings(data={"max_lines": "2001", "max_file_size_kb": "0"})
    assert not form.is_valid()
    assert set(form.errors) == {"max_lines", "max_file_size_kb"}
