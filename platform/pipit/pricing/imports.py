"""Contract price import: a CSV or XLSX file of company prices, checked row by row, applied whole.

A file has a header row and one price per row: the company (INN, INN/KPP or its CRM/ERP code),
the SKU, the price before tax and optionally the quantity it applies from and its validity dates.
Column names are English or Russian (:data:`COLUMN_NAMES`). Every row is checked against the
storefront (its companies, its purchasable products) and is either accepted or rejected with its
row number as the file shows it (the header is row 1) and the reason.

A dry run reports and writes nothing. Applying checks the file again and, only when every row is
accepted, upserts the rows into one company price list in one transaction (rows with the same
company, product, from-quantity and start date are updated, the others created; optionally the
list's other rows for the companies in the file are deleted), then schedules one recompile of the
touched products and companies. Files above :attr:`Limits.background_rows` run in a Celery task
(:func:`pipit.pricing.tasks.run_price_import`) that keeps the progress current.

Everything is read in a fixed number of queries whatever the size of the file: the storefront's
companies and SKUs are loaded once, the list's existing rows company batch by company batch.
Accepted rows are kept in machine-integer arrays (about 60 bytes a row), so the 600,000 contract
prices of the benchmark fit in memory comfortably.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import re
import zipfile
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .compiler import Scope, chunked, remember_footprint, stored_footprint
from .models import PriceImport, PriceList, PriceListItem

logger = logging.getLogger(__name__)

Status = PriceImport.Status


# -- limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How big a file may be, and from what size it is processed in the background.

    Override any of them with the ``PIPIT_PRICE_IMPORT_LIMITS`` setting (a dict).
    """

    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 1_000_000
    #: Files with more rows are checked and applied by a Celery task, with visible progress.
    background_rows: int = 5_000
    #: Rejected rows listed in the report (the counts are always exact).
    listed_rows: int = 200
    #: Progress is saved every this many rows.
    progress_every: int = 5_000
    #: Accepted rows written (and existing rows read) per batch of companies.
    write_batch: int = 20_000


def limits() -> Limits:
    return Limits(**getattr(settings, "PIPIT_PRICE_IMPORT_LIMITS", {}))


class UnreadableFile(Exception):
    """The file as a whole cannot be imported (format, size, header); the message says why."""


# -- reading files ---------------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary Excel (.xls)


def is_xlsx(name: str, data: bytes) -> bool:
    if data.startswith(XLSX_MAGIC):
        return True
    if data.startswith(OLE_MAGIC) or name.lower().endswith(".xls"):
        raise UnreadableFile(
            _("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or .csv.")
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise UnreadableFile(_("The file could not be read as an XLSX workbook."))
    return False


def _csv_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or Windows-1251."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data[:4096]:
        raise UnreadableFile(_("This is not a CSV file."))
    # Validate in slices: a 50 MB file is not held twice in memory as bytes and text.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x98" in data:  # the one byte Windows-1251 does not define
        raise UnreadableFile(_("The file is not text in UTF-8 or Windows-1251."))
    return "cp1251"


def _delimiter(first_line: str) -> str:
    # The header row tells: it holds column names, never a decimal comma.
    counts = {sep: first_line.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _csv_rows(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    encoding = _csv_encoding(data)
    head = data[: 64 * 1024].decode(encoding, errors="ignore")
    first_line = next((line for line in head.splitlines() if line.strip()), "")
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(stream, delimiter=_delimiter(first_line))
    number = 0
    try:
        # Records are numbered as a spreadsheet shows the file: a quoted cell spanning lines is
        # still one row.
        for number, row in enumerate(reader, start=1):  # noqa: B007  (read in the except)
            yield number, row
    except csv.Error as exc:
        raise UnreadableFile(
            _("Row %(row)s cannot be read as CSV: %(error)s") % {"row": number + 1, "error": exc}
        ) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    """Rows of the first sheet, numbered as Excel numbers them (empty rows included)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    broken = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except broken as exc:
        raise UnreadableFile(_("The file could not be read as an XLSX workbook.")) from exc
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        # The size a workbook declares is often wrong (written by other tools): read every row.
        sheet.reset_dimensions()
        # A workbook can be broken past its first bytes; openpyxl finds out while reading.
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except broken as exc:
        raise UnreadableFile(_("The file could not be read as an XLSX workbook.")) from exc
    finally:
        workbook.close()


def file_rows(name: str, data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    """``(row number, cells)`` of an uploaded file: XLSX by content, CSV otherwise."""
    return _xlsx_rows(data) if is_xlsx(name, data) else _csv_rows(data)


def estimate_rows(name: str, data: bytes) -> int:
    """About how many data rows the file has, without reading it (decides foreground or task)."""
    if is_xlsx(name, data):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True)
            max_row = workbook.worksheets[0].max_row if workbook.worksheets else 0
            workbook.close()
        except Exception:  # noqa: BLE001  (a broken workbook is reported by the real read)
            max_row = None
        # A workbook that declares no size: about 25 compressed bytes a row.
        return max((max_row or len(data) // 25) - 1, 0)
    lines = data.count(b"\n")
    return max(lines - 1, 0) if lines else 1


# -- the header ------------------------------------------------------------------------------

#: Canonical column → the names it goes by in a header (compared in lower case, "ё" as "е",
#: spaces and underscores alike).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "company": (
        "company",
        "компания",
        "inn",
        "инн",
        "code",
        "код",
        "inn/kpp",
        "инн/кпп",
        "company code",
        "company inn",
        "код компании",
        "инн компании",
        "customer",
        "клиент",
        "покупатель",
        "контрагент",
    ),
    "kpp": ("kpp", "кпп"),
    "sku": ("sku", "артикул", "partner sku", "product sku", "item", "код товара", "upc"),
    "price": (
        "price",
        "цена",
        "contract price",
        "price excl tax",
        "price before tax",
        "контрактная цена",
        "цена без ндс",
    ),
    "min_quantity": (
        "min quantity",
        "min qty",
        "from quantity",
        "quantity from",
        "qty from",
        "от",
        "кол-во от",
        "количество от",
        "от количества",
        "мин. количество",
        "минимальное количество",
    ),
    "valid_from": ("valid from", "start", "start date", "действует с", "с", "дата начала"),
    "valid_to": (
        "valid to",
        "valid until",
        "end",
        "end date",
        "действует по",
        "по",
        "до",
        "дата окончания",
    ),
}
REQUIRED = ("company", "sku", "price")


def _header_key(text: str) -> str:
    text = str(text).replace("\ufeff", "").replace("ё", "е").replace("Ё", "Е").lower()
    text = text.replace("_", " ")
    return " ".join(text.split()).strip(" :*")


_NAME_TO_COLUMN = {
    _header_key(name): column for column, names in COLUMN_NAMES.items() for name in names
}


def column_label(column: str) -> str:
    labels = {
        "company": _("company (INN, INN/KPP or code)"),
        "kpp": _("KPP"),
        "sku": _("SKU"),
        "price": _("price"),
        "min_quantity": _("from quantity"),
        "valid_from": _("valid from"),
        "valid_to": _("valid to"),
    }
    return labels[column]


@dataclass
class Header:
    row: int
    #: canonical column → position in the row
    positions: dict[str, int]
    #: canonical column → the name the file gives it
    names: dict[str, str]
    ignored: list[str]


def read_header(number: int, cells: Sequence[Any]) -> Header:
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    for position, cell in enumerate(cells):
        text = _text(cell)
        if not text:
            continue
        key = _header_key(text)
        # "Цена, руб." and "Price (RUB)" are the price column.
        column = _NAME_TO_COLUMN.get(key) or _NAME_TO_COLUMN.get(
            re.split(r"[,(]", key, maxsplit=1)[0].strip(" :*")
        )
        if column is None:
            ignored.append(text)
            continue
        if column in positions:
            raise UnreadableFile(
                _("Columns “%(first)s” and “%(second)s” both hold the %(column)s.")
                % {"first": names[column], "second": text, "column": column_label(column)}
            )
        positions[column] = position
        names[column] = text
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        expected = "; ".join(
            f"{column_label(column)}: {', '.join(COLUMN_NAMES[column][:4])}" for column in missing
        )
        raise UnreadableFile(
            _(
                "Row %(row)s is read as the header, and it has no column for: %(expected)s. "
                "The first row of the file names the columns."
            )
            % {"row": number, "expected": expected}
        )
    return Header(number, positions, names, ignored)


# -- cell values -----------------------------------------------------------------------------


def _is_blank(cells: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code or SKU Excel stored as a number
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    return str(value).strip()


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_CURRENCY = re.compile(r"(₽|руб\.?|р\.|rub|rur)$", re.IGNORECASE)
_DECIMAL = re.compile(r"\+?(\d+(\.\d*)?|\.\d+)")
_NEGATIVE = re.compile(r"-(\d+(\.\d*)?|\.\d+)")
_SIMPLE_PRICE = re.compile(r"(\d{1,12})(?:[.,](\d{1,2}))?")
MAX_CENTS = 10**14  # PriceListItem.price: 14 digits, 2 of them decimals
MAX_QUANTITY = 2_147_483_647  # PositiveIntegerField


def parse_price(raw: Any) -> tuple[int | None, str]:
    """``(cents, "")`` or ``(None, reason)`` for a price as written or as a cell value."""
    if isinstance(raw, str) and (simple := _SIMPLE_PRICE.fullmatch(raw)):
        # "1250", "90.5", "612,50": most cells of a CSV, read without Decimal.
        return int(simple[1]) * 100 + int((simple[2] or "").ljust(2, "0")), ""
    if isinstance(raw, bool):
        return None, _("The price is not a number.")
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return None, _("The price is not a number.")
        # Spreadsheets keep 15 significant digits: 89.10000000000001 from a formula is 89.1.
        value = Decimal(format(raw, ".15g"))
    elif isinstance(raw, Decimal):
        value = raw
    else:
        text = _CURRENCY.sub("", _SPACES.sub("", str(raw)))
        if not text:
            return None, _("There is no price.")
        if "," in text and "." in text:
            # "1,234.50" or "1.234,50": the last separator is the decimal one.
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        if _NEGATIVE.fullmatch(text):
            return None, _("The price cannot be negative.")
        if not _DECIMAL.fullmatch(text):
            return None, _("The price is not a number.")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None, _("The price is not a number.")
    if not value.is_finite():
        return None, _("The price is not a number.")
    if value < 0:
        return None, _("The price cannot be negative.")
    if value.normalize().as_tuple().exponent < -2:
        return None, _("A price has at most 2 decimals.")
    cents = int(value * 100)
    if cents >= MAX_CENTS:
        return None, _("The price is too large.")
    return cents, ""


def parse_quantity(raw: Any) -> tuple[int | None, str]:
    """``(quantity, "")`` or ``(None, reason)``; an empty cell means from 1 piece."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 1, ""
    if isinstance(raw, str) and raw.isdecimal() and raw.isascii() and 0 < len(raw) < 10:
        value = int(raw)
        return (value, "") if value >= 1 else (None, _("The quantity must be at least 1."))
    if isinstance(raw, bool):
        return None, _("The quantity is not a whole number.")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            return None, _("The quantity must be a whole number of pieces.")
        value = int(raw)
    else:
        text = _SPACES.sub("", str(raw)).replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, _("The quantity is not a whole number.")
        if not number.is_finite():
            return None, _("The quantity is not a whole number.")
        if number != number.to_integral_value():
            return None, _("The quantity must be a whole number of pieces.")
        value = int(number)
    if value < 1:
        return None, _("The quantity must be at least 1.")
    if value > MAX_QUANTITY:
        return None, _("The quantity is too large.")
    return value, ""


_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(raw: Any) -> tuple[datetime.date | None, str]:
    """``(date or None when empty, "")`` or ``(None, reason)``.

    dd.mm.yyyy, yyyy-mm-dd (a time after it is ignored), a date cell, or an Excel day number.
    """
    if raw is None:
        return None, ""
    if isinstance(raw, datetime.datetime):
        return raw.date(), ""
    if isinstance(raw, datetime.date):
        return raw, ""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # A date cell without a date format arrives as Excel's day number (45658 = 2025-01-01).
        if 1 <= raw < 2958466:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(raw)), ""
        return None, _("The date is not a date: write dd.mm.yyyy or yyyy-mm-dd.")
    text = str(raw).strip()
    if not text:
        return None, ""
    text = _TIME.sub("", text, count=1) if _TIME.search(text) else text
    match = _DMY.fullmatch(text)
    parts = None
    if match:
        parts = int(match[3]), int(match[2]), int(match[1])
    elif match := _ISO.fullmatch(text):
        parts = int(match[1]), int(match[2]), int(match[3])
    if parts is None:
        return None, _("The date is not a date: write dd.mm.yyyy or yyyy-mm-dd.")
    try:
        return datetime.date(*parts), ""
    except ValueError:
        return None, _("There is no such day.")


# -- the storefront's companies and products -------------------------------------------------

_INN = re.compile(r"\d{10}|\d{12}")
_INN_KPP = re.compile(r"(\d{10}|\d{12})\s*[/\\|,\s-]\s*(\d{9})")


def _sku_key(value: str) -> str:
    return " ".join(value.split()).upper()


class CompanyIndex:
    """The storefront's companies by INN, INN + KPP and code, loaded in one query."""

    def __init__(self, storefront):
        from pipit.companies.models import Company

        self.by_code: dict[str, int] = {}
        self.by_inn: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.by_inn_kpp: dict[tuple[str, str], int] = {}
        for pk, inn, kpp, code in Company.objects.for_storefront(storefront).values_list(
            "pk", "inn", "kpp", "code"
        ):
            self.by_inn[inn].append((pk, kpp))
            self.by_inn_kpp[(inn, kpp)] = pk
            if code:
                self.by_code[code.strip().casefold()] = pk
        self._found: dict[tuple[str, str], tuple[int | None, str]] = {}

    def find(self, value: str, kpp: str = "") -> tuple[int | None, str]:
        """``(company id, "")`` or ``(None, reason)`` for a cell naming a company."""
        key = (value, kpp)
        found = self._found.get(key)
        if found is None:
            found = self._find(value, kpp)
            if len(self._found) < 100_000:
                self._found[key] = found
        return found

    def _inns(self, value: str) -> list[str]:
        digits = value.replace(" ", "")
        if _INN.fullmatch(digits):
            return [digits]
        if digits.isdigit() and len(digits) in (9, 11):
            # Excel drops the leading zero of INNs such as 0274062111 stored as numbers.
            return [digits.zfill(len(digits) + 1)]
        return []

    def _find(self, value: str, kpp: str) -> tuple[int | None, str]:
        if not value:
            return None, _("There is no company: write its INN, INN/KPP or code.")
        if kpp:
            for inn in self._inns(value):
                pk = self.by_inn_kpp.get((inn, kpp))
                if pk is not None:
                    return pk, ""
            return None, _("No company of this storefront has INN %(inn)s and KPP %(kpp)s.") % {
                "inn": value,
                "kpp": kpp,
            }
        if match := _INN_KPP.fullmatch(value):
            pk = self.by_inn_kpp.get((match[1], match[2]))
            if pk is not None:
                return pk, ""
            return None, _("No company of this storefront has INN %(inn)s and KPP %(kpp)s.") % {
                "inn": match[1],
                "kpp": match[2],
            }
        by_code = self.by_code.get(value.casefold())
        by_inn = [entry for inn in self._inns(value) for entry in self.by_inn.get(inn, [])]
        if by_code is not None and (not by_inn or {pk for pk, _kpp in by_inn} == {by_code}):
            return by_code, ""
        if by_code is not None:
            return None, _(
                "“%(value)s” is the code of one company and the INN of another: write INN/KPP."
            ) % {"value": value}
        if len(by_inn) == 1:
            return by_inn[0][0], ""
        if by_inn:
            kpps = ", ".join(sorted(kpp or "—" for _pk, kpp in by_inn))
            return None, _(
                "INN %(inn)s belongs to several companies (KPP %(kpps)s): write INN/KPP or the "
                "company's code."
            ) % {"inn": value, "kpps": kpps}
        return None, _("No company of this storefront has the INN or code “%(value)s”.") % {
            "value": value
        }


class ProductIndex:
    """The storefront's purchasable products by the partners' SKUs, then by UPC (two queries)."""

    AMBIGUOUS = -1

    def __init__(self, storefront):
        from pipit.catalog.queries import purchasable_for_storefront
        from pipit.oscar_apps.partner.models import StockRecord

        products = dict(purchasable_for_storefront(storefront).values_list("pk", "upc"))
        self.by_sku: dict[str, int] = {}
        records = StockRecord.objects.filter(partner_id__in=storefront.partner_ids)
        for sku, product_id in records.values_list("partner_sku", "product_id").iterator(
            chunk_size=20_000
        ):
            if product_id in products and sku:
                self._add(self.by_sku, _sku_key(sku), product_id)
        self.by_upc: dict[str, int] = {}
        for product_id, upc in products.items():
            if upc:
                self._add(self.by_upc, _sku_key(upc), product_id)

    def _add(self, index: dict[str, int], key: str, product_id: int) -> None:
        known = index.get(key)
        index[key] = product_id if known in (None, product_id) else self.AMBIGUOUS

    def find(self, value: str) -> tuple[int | None, str]:
        if not value:
            return None, _("There is no SKU.")
        key = _sku_key(value)
        product_id = self.by_sku.get(key)
        if product_id is None:
            product_id = self.by_upc.get(key)
        if product_id is None:
            return None, _("No product of this storefront has this SKU.")
        if product_id == self.AMBIGUOUS:
            return None, _("Several products of this storefront have this SKU.")
        return product_id, ""


# -- checking rows ---------------------------------------------------------------------------

# Accepted rows are compared and sorted by one integer key: company, product, from-quantity and
# start date packed into bit fields (ids below 2**32, quantities below 2**31, dates as ordinals
# below 2**22).
_QTY_BITS, _DATE_BITS = 32, 22


def pack_key(company: int, product: int, quantity: int, start: int) -> int:
    return (((company << 32 | product) << _QTY_BITS | quantity) << _DATE_BITS) | start


class AcceptedRows:
    """Accepted rows in columns of machine integers (dates as ordinals, 0 for none; prices in
    cents): about 60 bytes a row instead of some 300 for tuples of Python objects."""

    def __init__(self):
        self.row = array("q")
        self.company = array("q")
        self.product = array("q")
        self.quantity = array("q")
        self.start = array("q")
        self.end = array("q")
        self.cents = array("q")

    def __len__(self) -> int:
        return len(self.row)

    def add(self, row, company, product, quantity, start, end, cents) -> None:
        self.row.append(row)
        self.company.append(company)
        self.product.append(product)
        self.quantity.append(quantity)
        self.start.append(start)
        self.end.append(end)
        self.cents.append(cents)

    def key(self, i: int) -> int:
        return pack_key(self.company[i], self.product[i], self.quantity[i], self.start[i])


@dataclass
class Problem:
    row: int
    field: str  # canonical column, "" for the row as a whole
    column: str  # the column's name in the file
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass
class CheckResult:
    header: Header
    accepted: AcceptedRows
    #: indices into ``accepted`` in key order, duplicates left out
    order: array
    total: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    companies: int = 0
    products: int = 0


_ROW_COLUMNS = ("company", "kpp", "sku", "price", "min_quantity", "valid_from", "valid_to")


class RowChecker:
    def __init__(self, storefront, header: Header):
        self.header = header
        self.companies = CompanyIndex(storefront)
        self.products = ProductIndex(storefront)
        self._dates: dict[Any, tuple[datetime.date | None, str]] = {}
        # Where each column sits (-1: not in the file), in the order ``check`` reads them.
        self._positions = tuple(header.positions.get(column, -1) for column in _ROW_COLUMNS)

    def _date(self, raw: Any) -> tuple[datetime.date | None, str]:
        found = self._dates.get(raw)
        if found is None:
            found = parse_date(raw)
            if len(self._dates) < 10_000:
                self._dates[raw] = found
        return found

    def check(self, number: int, cells: Sequence[Any], accepted: AcceptedRows) -> list[Problem]:
        """Accept the row (append it to ``accepted``) or return what is wrong with it."""
        problems: list[Problem] = []
        names = self.header.names

        def problem(column: str, raw: Any, reason: str) -> None:
            problems.append(
                Problem(number, column, names.get(column, ""), _text(raw)[:100], reason)
            )

        width = len(cells)
        raw_company, raw_kpp, raw_sku, raw_price, raw_quantity, raw_start, raw_end = (
            cells[p] if 0 <= p < width else None for p in self._positions
        )
        kpp = _text(raw_kpp)
        if kpp.isdigit() and len(kpp) == 8:
            kpp = kpp.zfill(9)  # a KPP stored as a number lost its leading zero
        company, reason = self.companies.find(_text(raw_company), kpp)
        if reason:
            problem("company", raw_company, reason)
        product, reason = self.products.find(_text(raw_sku))
        if reason:
            problem("sku", raw_sku, reason)
        cents, reason = parse_price(raw_price)
        if reason:
            problem("price", raw_price, reason)
        quantity, reason = parse_quantity(raw_quantity)
        if reason:
            problem("min_quantity", raw_quantity, reason)
        start, reason = self._date(raw_start)
        if reason:
            problem("valid_from", raw_start, reason)
        end, reason = self._date(raw_end)
        if reason:
            problem("valid_to", raw_end, reason)
        elif start and end and end < start:
            problem("valid_to", raw_end, _("The end of validity is before its start."))
        if not problems:
            accepted.add(
                number,
                company,
                product,
                quantity,
                start.toordinal() if start else 0,
                end.toordinal() if end else 0,
                cents,
            )
        return problems


def check_rows(
    storefront,
    name: str,
    data: bytes,
    *,
    progress: Callable[[int], None] | None = None,
    limits_: Limits | None = None,
) -> CheckResult:
    """Read and check every row of the file. Raises :class:`UnreadableFile` for the file as a
    whole (format, header, too many rows); rows with problems are counted and reported."""
    limits_ = limits_ or limits()
    rows = file_rows(name, data)
    header = None
    for number, cells in rows:
        if not _is_blank(cells):
            header = read_header(number, cells)
            break
    if header is None:
        raise UnreadableFile(_("The file is empty."))
    checker = RowChecker(storefront, header)
    accepted = AcceptedRows()
    result = CheckResult(header=header, accepted=accepted, order=array("q"))
    listed_rows = 0
    for number, cells in rows:
        if _is_blank(cells):
            continue  # blank rows are not rows
        result.total += 1
        if result.total > limits_.max_rows:
            raise UnreadableFile(
                _("The file has more than %(max)s rows: split it into several files.")
                % {"max": number_format(limits_.max_rows, force_grouping=True)}
            )
        problems = checker.check(number, cells, accepted)
        if problems:
            result.rejected += 1
            if listed_rows < limits_.listed_rows:
                listed_rows += 1
                result.problems.extend(problems)
        if progress is not None and result.total % limits_.progress_every == 0:
            progress(result.total)
    _drop_duplicates(result, limits_)
    result.companies = len(set(accepted.company))
    result.products = len(set(accepted.product))
    return result


def _drop_duplicates(result: CheckResult, limits_: Limits) -> None:
    """Reject every row that repeats an earlier row's company, product, from-quantity and start
    date, naming that row; leave the others in ``result.order``, sorted by key."""
    accepted = result.accepted
    count = len(accepted)
    bits = max(count.bit_length(), 1)
    mask = (1 << bits) - 1
    # One integer per row, key above index: sorting groups equal keys with the earliest row first.
    keyed = sorted((accepted.key(i) << bits) | i for i in range(count))
    duplicates: list[Problem] = []
    previous_key, first = None, -1
    for value in keyed:
        key, i = value >> bits, value & mask
        if key == previous_key:
            result.rejected += 1
            duplicates.append(
                Problem(
                    accepted.row[i],
                    "",
                    "",
                    "",
                    _(
                        "Row %(row)s has the same company, SKU, from-quantity and start date: "
                        "a price can be given once."
                    )
                    % {"row": accepted.row[first]},
                )
            )
            continue
        previous_key, first = key, i
        result.order.append(i)
    del keyed
    if duplicates:
        duplicates.sort(key=lambda problem: problem.row)
        problems = sorted(result.problems + duplicates, key=lambda problem: problem.row)
        listed, rows = [], set()
        for problem in problems:
            if problem.row not in rows and len(rows) >= limits_.listed_rows:
                break
            rows.add(problem.row)
            listed.append(problem)
        result.problems = listed


# -- writing ---------------------------------------------------------------------------------


@dataclass
class WriteResult:
    create: int = 0
    update: int = 0
    unchanged: int = 0
    delete: int = 0
    products: set[int] = field(default_factory=set)
    companies: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            "create": self.create,
            "update": self.update,
            "unchanged": self.unchanged,
            "delete": self.delete,
        }


def _company_batches(accepted: AcceptedRows, order: array, size: int) -> Iterator[list[int]]:
    """Indices in key order, cut between companies into batches of about ``size`` rows."""
    batch: list[int] = []
    previous = None
    for i in order:
        company = accepted.company[i]
        if company != previous and len(batch) >= size:
            yield batch
            batch = []
        previous = company
        batch.append(i)
    if batch:
        yield batch


def _ordinal(value: datetime.date | None) -> int:
    return value.toordinal() if value else 0


def _date(ordinal: int) -> datetime.date | None:
    return datetime.date.fromordinal(ordinal) if ordinal else None


def _price(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def upsert(
    price_list_id: int | None,
    check: CheckResult,
    *,
    replace: bool,
    write: bool,
    progress: Callable[[int], None] | None = None,
    limits_: Limits | None = None,
) -> WriteResult:
    """Compare the accepted rows with the list's rows and, with ``write``, bring the list in line:
    create, update, and (``replace``) delete the other rows of the companies in the file.

    Without ``write`` it only counts (the dry run's "would create / update"). Writes go in
    batches of companies; the caller holds the transaction.
    """
    limits_ = limits_ or limits()
    accepted = check.accepted
    result = WriteResult()
    now = timezone.now()
    done = 0
    for batch in _company_batches(accepted, check.order, limits_.write_batch):
        company_ids = sorted({accepted.company[i] for i in batch})
        existing: dict[int, tuple[int, int, int, int, int]] = {}
        if price_list_id is not None:
            rows = PriceListItem.objects.filter(price_list_id=price_list_id)
            columns = ("pk", "company_id", "product_id", "min_quantity", "valid_from")
            for ids in chunked(company_ids):
                for pk, company, product, quantity, start, price, end in (
                    rows.filter(company_id__in=ids)
                    .values_list(*columns, "price", "valid_to")
                    .iterator(chunk_size=20_000)
                ):
                    key = pack_key(company, product, quantity, _ordinal(start))
                    existing[key] = (pk, company, product, int(price * 100), _ordinal(end))
        creates: list[tuple] = []
        updates: list[tuple] = []
        for i in batch:
            found = existing.pop(accepted.key(i), None)
            if found is not None and found[3] == accepted.cents[i] and found[4] == accepted.end[i]:
                result.unchanged += 1
                continue
            result.products.add(accepted.product[i])
            result.companies.add(accepted.company[i])
            if found is None:
                result.create += 1
                if write:
                    creates.append(
                        (
                            price_list_id,
                            accepted.product[i],
                            accepted.company[i],
                            accepted.quantity[i],
                            _price(accepted.cents[i]),
                            _date(accepted.start[i]),
                            _date(accepted.end[i]),
                            now,
                        )
                    )
            else:
                result.update += 1
                if write:
                    updates.append(
                        (_price(accepted.cents[i]), _date(accepted.end[i]), now, found[0])
                    )
        # Replacing: the list's other rows of the companies in this batch (the file names them).
        stale = list(existing.values()) if replace else []
        for _pk, company, product, _cents, _end in stale:
            result.products.add(product)
            result.companies.add(company)
        result.delete += len(stale)
        if write:
            _insert(creates)
            _update(updates)
            for ids in chunked(pk for pk, *_rest in stale):
                # Raw: no per-row signals (each would read its list); the recompile is
                # scheduled once for the whole import.
                doomed = PriceListItem.objects.filter(pk__in=ids)
                doomed._raw_delete(doomed.db)
        done += len(batch)
        if progress is not None:
            progress(done)
    return result


# Rows are written with plain SQL, like the compiler writes effective prices: Django's
# bulk_create and bulk_update prepare every field of every row in Python (about 300 µs a row),
# which made 600,000 rows take minutes. Rows written this way send no signals, which is wanted:
# the recompile is scheduled once for the whole import.
_INSERT_FIELDS = (
    "price_list",
    "product",
    "company",
    "min_quantity",
    "price",
    "valid_from",
    "valid_to",
    "updated_at",
)


def _column(name: str) -> str:
    return connection.ops.quote_name(PriceListItem._meta.get_field(name).column)


def _timestamp(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _insert(rows: list[tuple]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(PriceListItem._meta.db_table)
    columns = ", ".join(_column(name) for name in _INSERT_FIELDS)
    stamp = _timestamp(rows[0][-1])
    rows = [(*row[:-1], stamp) for row in rows]
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(_INSERT_FIELDS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _update(rows: list[tuple]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(PriceListItem._meta.db_table)
    stamp = _timestamp(rows[0][2])
    rows = [(price, end, stamp, pk) for price, end, _now, pk in rows]
    sql = (
        f"UPDATE {table} SET {_column('price')} = %s, {_column('valid_to')} = %s, "
        f"{_column('updated_at')} = %s WHERE {_column('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# -- running an import -----------------------------------------------------------------------


def _progress_key(pk: int) -> str:
    return f"pipit:pricing:import:{pk}:progress"


def live_progress(price_import: PriceImport) -> tuple[str, int, int]:
    """``(status, processed, total)`` as the running import last reported it.

    While rows are written the import's own row is inside the write transaction, invisible to
    other requests; the progress travels through the cache then.
    """
    status, processed, total = (
        price_import.status,
        price_import.processed_rows,
        price_import.total_rows,
    )
    if price_import.is_running:
        cached = cache.get(_progress_key(price_import.pk))
        if cached:
            status, processed, total = cached
    return status, min(processed, total) if total else processed, total


class _Progress:
    def __init__(self, price_import: PriceImport, status: str, total: int):
        self.price_import = price_import
        self.status = status
        self.total = total

    def __call__(self, processed: int) -> None:
        total = max(self.total, processed)
        PriceImport.objects.filter(pk=self.price_import.pk).update(
            status=self.status, processed_rows=processed, total_rows=total
        )
        cache.set(_progress_key(self.price_import.pk), (self.status, processed, total), 3600)


def _read_file(price_import: PriceImport) -> bytes:
    with price_import.file.open("rb") as handle:
        return handle.read()


_CHECK_FIELDS = ("total_rows", "processed_rows", "accepted", "rejected", "report")


def _fail(price_import: PriceImport, message: str, keep: tuple[str, ...] = ()) -> PriceImport:
    """Mark the import failed, saving only the status and the ``keep`` fields: after a rolled
    back write the instance may name rows that no longer exist (a list created, say)."""
    fields = {name: getattr(price_import, name) for name in keep}
    PriceImport.objects.filter(pk=price_import.pk).update(
        status=Status.FAILED, error=message, finished_at=timezone.now(), **fields
    )
    cache.delete(_progress_key(price_import.pk))
    price_import.refresh_from_db()
    return price_import


def run(price_import: PriceImport) -> PriceImport:
    """Check the import's file and, in apply mode with every row accepted, write it.

    Called inline for small files and by the Celery task for large ones. Leaves the import
    ``checked``, ``applied`` or ``failed`` with its counts and report.
    """
    limits_ = limits()
    try:
        data = _read_file(price_import)
        estimate = estimate_rows(price_import.original_name, data)
        price_import.status = Status.CHECKING
        price_import.processed_rows = 0
        price_import.total_rows = estimate
        price_import.error = ""
        price_import.save(update_fields=["status", "processed_rows", "total_rows", "error"])
        check = check_rows(
            price_import.storefront,
            price_import.original_name,
            data,
            progress=_Progress(price_import, Status.CHECKING, estimate),
            limits_=limits_,
        )
        del data
        _record_check(price_import, check)
        target = _target_list(price_import)
        if isinstance(target, str):
            return _fail(price_import, target, keep=_CHECK_FIELDS)
        if price_import.mode == PriceImport.Mode.DRY_RUN or check.rejected or not check.total:
            plan = upsert(
                target.pk if target else None, check, replace=price_import.replace, write=False
            )
            price_import.report["plan"] = plan.counts()
            if price_import.mode == PriceImport.Mode.APPLY:
                price_import.status = Status.FAILED
                price_import.error = _nothing_applied(check)
            else:
                price_import.status = Status.CHECKED
            price_import.processed_rows = check.total
            price_import.finished_at = timezone.now()
            price_import.save()
            cache.delete(_progress_key(price_import.pk))
            return price_import
        return _apply(price_import, target, check, limits_)
    except UnreadableFile as error:
        return _fail(price_import, str(error))
    except Exception:
        logger.exception("pricing: import %s failed", price_import.pk)
        return _fail(price_import, _("The import stopped on an unexpected error; nothing changed."))


def _nothing_applied(check: CheckResult) -> str:
    if not check.total:
        return _("The file has no rows under its header: nothing was applied.")
    return ngettext(
        "%(count)s row is rejected, so nothing was applied. Correct the file and upload it again.",
        "%(count)s rows are rejected, so nothing was applied. Correct the file and upload it "
        "again.",
        check.rejected,
    ) % {"count": number_format(check.rejected, force_grouping=True)}


def _record_check(price_import: PriceImport, check: CheckResult) -> None:
    price_import.total_rows = check.total
    price_import.accepted = len(check.order)
    price_import.rejected = check.rejected
    price_import.report = {
        "columns": check.header.names,
        "ignored_columns": check.header.ignored,
        "rejected_rows": [problem.as_dict() for problem in check.problems],
        "listed_rows": len({problem.row for problem in check.problems}),
        "companies": check.companies,
        "products": check.products,
    }


def _target_list(price_import: PriceImport) -> PriceList | None | str:
    """The list the rows go to (``None``: a new one, created on apply), or why there is none."""
    if price_import.creates_list:
        return price_import.price_list
    price_list = (
        PriceList.objects.for_storefront(price_import.storefront)
        .filter(pk=price_import.price_list_id)
        .first()
    )
    if price_list is None:
        return _("The price list no longer exists.")
    if price_list.kind != PriceList.Kind.COMPANY:
        return _("The price list no longer holds company contract prices.")
    return price_list


def new_list_name(file_name: str) -> str:
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0].strip() or file_name
    return (_("Contract prices: %(file)s") % {"file": stem})[:160]


def _apply(
    price_import: PriceImport, target: PriceList | None, check: CheckResult, limits_: Limits
) -> PriceImport:
    from .receivers import schedule

    price_import.status = Status.APPLYING
    price_import.processed_rows = 0
    price_import.save(update_fields=["status", "processed_rows"])
    progress = _Progress(price_import, Status.APPLYING, len(check.order))
    try:
        with transaction.atomic():
            if target is None:
                target = _create_list(price_import)
            else:
                # One import into a list at a time: a second waits for this one's commit.
                target = PriceList.objects.select_for_update().get(pk=target.pk)
            written = upsert(
                target.pk,
                check,
                replace=price_import.replace,
                write=True,
                progress=progress,
                limits_=limits_,
            )
            scope = Scope.of(written.products, written.companies)
            scheduled = bool(target.live and not scope.is_empty)
            if scheduled:
                # Unpublishing the list later must recompile what this import reached too.
                remember_footprint(target, stored_footprint(target) | scope)
            price_import.price_list = target
            price_import.status = Status.APPLIED
            price_import.processed_rows = check.total
            price_import.finished_at = timezone.now()
            price_import.report["result"] = written.counts()
            price_import.report["recompile_scheduled"] = scheduled
            price_import.save()
            _log_on_list(price_import, target, written)
            if scheduled:
                # Last, once for the whole import: recompiled after the commit.
                schedule(target.storefront_id, scope)
    except IntegrityError:
        logger.warning("pricing: import %s hit a concurrent change", price_import.pk, exc_info=True)
        return _fail(
            price_import,
            _(
                "Companies, products or the list's rows changed while the file was applied; "
                "nothing changed. Apply it again."
            ),
        )
    cache.delete(_progress_key(price_import.pk))
    return price_import


def _create_list(price_import: PriceImport) -> PriceList:
    storefront = price_import.storefront
    price_list = PriceList(
        storefront=storefront,
        name=new_list_name(price_import.original_name),
        kind=PriceList.Kind.COMPANY,
        currency=storefront.currency,
        live=False,
        has_unpublished_changes=True,
    )
    price_list.save()
    price_list.save_revision(user=price_import.uploaded_by, log_action="wagtail.create")
    return price_list


def _log_on_list(price_import: PriceImport, price_list: PriceList, written: WriteResult) -> None:
    """The list's history says who imported what, from which file (see ``admin_import``)."""
    from wagtail.log_actions import log

    log(
        instance=price_list,
        action="pipit_pricing.import",
        user=price_import.uploaded_by,
        data={"file": price_import.original_name, "import": price_import.pk, **written.counts()},
    )


# -- who may import ---------------------------------------------------------------------------

#: Storefront roles that import contract prices (besides platform superusers).
IMPORT_ROLES = frozenset({"admin", "pricing"})


def import_storefront_ids(user) -> frozenset[int]:
    """Storefronts whose contract prices ``user`` may import: where they hold the admin or
    pricing role (every storefront for a superuser)."""
    from pipit.tenancy.access import staff_roles, staff_storefront_ids

    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return frozenset()
    if user.is_superuser:
        return staff_storefront_ids(user)
    return frozenset(pk for pk, roles in staff_roles(user).items() if roles & IMPORT_ROLES)


def imports_for_staff(user):
    """The imports of the storefronts ``user`` may import into, newest first."""
    return PriceImport.objects.filter(storefront_id__in=sorted(import_storefront_ids(user)))


def target_lists(storefront_ids):
    """Company lists an import may write to, in these storefronts."""
    return PriceList.objects.filter(
        storefront_id__in=sorted(storefront_ids), kind=PriceList.Kind.COMPANY
    )


# -- starting imports ------------------------------------------------------------------------


def check_upload(upload, limits_: Limits | None = None) -> None:
    """The upload's bytes, if it is a file this import can read; :class:`UnreadableFile`
    otherwise (size, format, header). Rows are not checked here."""
    limits_ = limits_ or limits()
    if upload.size > limits_.max_bytes:
        raise UnreadableFile(
            _("The file is %(size)s MB; the limit is %(max)s MB.")
            % {
                "size": number_format(upload.size / 1024 / 1024, 1),
                "max": number_format(limits_.max_bytes / 1024 / 1024, 0),
            }
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    for number, cells in file_rows(upload.name, data):
        if not _is_blank(cells):
            read_header(number, cells)
            break
    else:
        raise UnreadableFile(_("The file is empty."))


def create_import(
    storefront,
    upload,
    *,
    user,
    price_list: PriceList | None,
    replace: bool = False,
) -> PriceImport:
    """Store a checked upload (see :func:`check_upload`) as a new import; ``price_list=None``
    creates a draft company list on apply. The caller starts it with :func:`start`."""
    if price_list is not None and (
        price_list.storefront_id != storefront.pk or price_list.kind != PriceList.Kind.COMPANY
    ):
        raise ValueError("the list must be a company list of the storefront")
    return PriceImport.objects.create(
        storefront=storefront,
        price_list=price_list,
        creates_list=price_list is None,
        replace=replace,
        original_name=upload.name.rsplit("/", 1)[-1][:255],
        file=upload,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )


def start(price_import: PriceImport, *, apply: bool) -> PriceImport:
    """Check the file (and with ``apply`` write it) now, or in a Celery task when it is large.

    ``apply`` on an import that was checked before claims it first, so a double click applies
    once; it answers the import unchanged when it cannot be applied (see
    :attr:`PriceImport.can_apply`).
    """
    mode = PriceImport.Mode.APPLY if apply else PriceImport.Mode.DRY_RUN
    if price_import.status == Status.CHECKED:
        if not apply:
            return price_import
        # The same conditions as PriceImport.can_apply, checked and claimed in one statement.
        claimed = (
            PriceImport.objects.filter(
                pk=price_import.pk, status=Status.CHECKED, rejected=0, accepted__gt=0
            )
            .filter(Q(price_list__isnull=False) | Q(creates_list=True))
            .update(status=Status.QUEUED, mode=mode, error="")
        )
        price_import.refresh_from_db()
        if not claimed:
            return price_import
    elif price_import.status == Status.QUEUED and price_import.processed_rows == 0:
        price_import.mode = mode
        price_import.save(update_fields=["mode"])
    else:
        return price_import
    data = _read_file(price_import)
    large = estimate_rows(price_import.original_name, data) > limits().background_rows
    del data
    if not large:
        return run(price_import)
    from .tasks import run_price_import

    language = translation.get_language()
    pk, storefront_id = price_import.pk, price_import.storefront_id

    def enqueue() -> None:
        run_price_import.delay(pk, storefront_id, language)

    transaction.on_commit(enqueue)
    return price_import


def why_not_applicable(price_import: PriceImport) -> str:
    """Why :attr:`PriceImport.can_apply` is false, in words for the user."""
    if price_import.status == Status.APPLIED:
        return _("This import was applied already.")
    if price_import.is_running:
        return _("This import is still running.")
    if price_import.rejected:
        return _(
            "Rows of this import are rejected, so nothing can be applied: correct the file and "
            "upload it again."
        )
    if price_import.status == Status.FAILED:
        return _("This import failed: upload the file again.")
    if not price_import.accepted:
        return _("The file has no rows to apply.")
    return _("The price list of this import no longer exists.")
