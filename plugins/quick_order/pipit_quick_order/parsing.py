"""Reading an order list: pasted text, a CSV file or an XLSX workbook → numbered input lines.

Every source gives the same :class:`InputLine` objects: the SKU as written, the quantity (1 when
none is given), or the reason the line cannot be read. Nothing here touches the database; matching
SKUs to products is :mod:`pipit_quick_order.matching`'s job.

Pasted lines are ``SKU quantity`` with a tab, semicolon, comma or spaces between them. A SKU may
itself contain spaces ("W 67/1 2" is SKU "W 67/1", quantity 2). A line with only spaces whose last
word is a number is read as SKU + quantity, and the whole line is kept as a second reading
(``whole_line_sku``) so that "0 986 452 041" still finds that SKU when "0 986 452" finds nothing.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

#: The largest quantity one line may ask for; a bigger number is a typo (a barcode in the wrong
#: column, say), not an order.
MAX_QUANTITY = 100_000

# Dashes of every kind and all whitespace (no-break spaces from spreadsheets included) are not
# part of what identifies a SKU: "ddf 2000", "DDF-2000" and "DDF‑2000" are the same code.
_IGNORED_IN_SKU = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_WHOLE_NUMBER = re.compile(r"\+?\d+")
# Something meant as a number: digits with signs, decimal points or commas, or spaces inside.
_NUMBER_LIKE = re.compile(r"[+-]?\d[\d\s.,]*|[+-]?[.,]\d+")
_SEPARATORS = ("\t", ";", ",")
_SPACED_DECIMAL = re.compile(r"(?P<sku>[^,]*\S)\s+(?P<quantity>[+-]?\d+,\d+)")


def normalise_sku(value: str) -> str:
    """The form SKUs are compared in: upper case, without spaces and dashes."""
    return _IGNORED_IN_SKU.sub("", str(value)).upper()


@dataclass
class InputLine:
    """One line of the buyer's list, as read."""

    number: int  # 1-based: the line of the text or the row of the file
    text: str  # the line as the buyer wrote it (or a file row as "SKU; quantity")
    sku: str = ""
    quantity: int | None = None
    quantity_given: bool = True  # False: no quantity was written, 1 is assumed
    error: str = ""  # why the line cannot be read ("" when it can)
    whole_line_sku: str = ""  # the other reading of a space-separated line (see module doc)
    #: The product the buyer picked for this line when its code names several (a product id).
    chosen: int | None = None

    @property
    def key(self) -> str:
        return normalise_sku(self.sku)


@dataclass
class ParsedList:
    lines: list[InputLine] = field(default_factory=list)
    #: The first row, when it was a header ("SKU; Qty") and skipped.
    header: str = ""


class ListTooLong(Exception):
    """More lines than the storefront allows; nothing is processed."""

    def __init__(self, count: int, limit: int, *, at_least: bool = False):
        self.count, self.limit, self.at_least = count, limit, at_least
        super().__init__(f"{count} lines, limit {limit}")


class UnreadableFile(Exception):
    """The upload is not a CSV or XLSX file this plugin can read (the message says why)."""


# -- quantities ------------------------------------------------------------------------------


def parse_quantity(raw: Any) -> tuple[int | None, str]:
    """``(quantity, "")`` or ``(None, reason)`` for a quantity as written or as a cell value."""
    if isinstance(raw, bool):
        return None, _("The quantity must be a whole number.")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        # Spreadsheets store every number as a float; 2.0 is the number 2, 2.5 is not a quantity.
        if not raw.is_integer():
            return None, _(
                "“%(value)s” is not a whole number: quantities are counted in pieces."
            ) % {"value": _format_number(raw)}
        value = int(raw)
    else:
        text = str(raw).strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            if _NUMBER_LIKE.fullmatch(text) and not text.startswith("-"):
                return None, _(
                    "“%(value)s” is not a whole number: quantities are counted in pieces."
                ) % {"value": text}
            if text.startswith("-") and _NUMBER_LIKE.fullmatch(text):
                return None, _("The quantity must be at least 1, not %(value)s.") % {"value": text}
            return None, _("“%(value)s” is not a quantity.") % {"value": text}
        value = int(text)
    if value < 1:
        return None, _("The quantity must be at least 1, not %(value)s.") % {"value": value}
    if value > MAX_QUANTITY:
        return None, _("%(value)s is more than %(max)s pieces: please check the quantity.") % {
            "value": value,
            "max": MAX_QUANTITY,
        }
    return value, ""


def _format_number(value: float) -> str:
    return f"{value:g}"


def _looks_like_number(text: str) -> bool:
    return bool(_NUMBER_LIKE.fullmatch(text.strip()))


# -- pasted text -----------------------------------------------------------------------------


def split_line(raw: str) -> tuple[str, str | None, str]:
    """``(sku, quantity text or None, whole-line reading)`` of one pasted line.

    A tab, semicolon or comma (the first of these present, in that order) separates the SKU from
    the quantity; further columns are ignored, except that "SKU,2,5" is read as the decimal
    "2,5" so that it is refused rather than taken as 2. Without them, spaces separate.
    """
    if "\t" not in raw and ";" not in raw and (decimal := _SPACED_DECIMAL.fullmatch(raw)):
        # "SKU 2,5": a decimal comma after a space, not a comma separating "SKU 2" from "5".
        return decimal["sku"], decimal["quantity"], ""
    for separator in _SEPARATORS:
        if separator in raw:
            fields = [f.strip() for f in raw.split(separator)]
            sku = fields[0]
            rest = fields[1:]
            if (
                separator == ","
                and len(rest) == 2
                and rest[0].lstrip("+-").isdigit()
                and rest[1].isdigit()
            ):
                return sku, f"{rest[0]},{rest[1]}", ""
            quantity = rest[0] if rest and rest[0] else None
            return sku, quantity, ""
    words = raw.split()
    if len(words) >= 2 and _looks_like_number(words[-1]):
        return " ".join(words[:-1]), words[-1], " ".join(words)
    return " ".join(words), None, ""


def _is_header(quantity_text: str | None) -> bool:
    # A first row whose quantity column holds no digit at all ("Qty", "Количество") is a header.
    return bool(quantity_text) and not any(ch.isdigit() for ch in quantity_text)


def read_line(number: int, raw: str) -> InputLine:
    text = raw.strip()
    sku, quantity_text, whole = split_line(text)
    line = InputLine(number=number, text=text, sku=sku, whole_line_sku=whole)
    _set_quantity(line, quantity_text)
    return line


def _set_quantity(line: InputLine, raw: Any) -> None:
    if not normalise_sku(line.sku):
        line.error = _("There is no SKU on this line.")
        return
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        line.quantity, line.quantity_given = 1, False
        return
    line.quantity, line.error = parse_quantity(raw)


def parse_text(text: str, *, max_lines: int) -> ParsedList:
    """Read pasted lines; blank lines are skipped. Raises :class:`ListTooLong`."""
    raw_lines = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    parsed = ParsedList()
    if raw_lines:
        first_number, first = raw_lines[0]
        if any(sep in first for sep in _SEPARATORS):
            _sku, quantity_text, _whole = split_line(first.strip())
            if _is_header(quantity_text):
                parsed.header = first.strip()
                raw_lines = raw_lines[1:]
    if len(raw_lines) > max_lines:
        raise ListTooLong(len(raw_lines), max_lines)
    parsed.lines = [read_line(n, raw) for n, raw in raw_lines]
    return parsed


# -- files -----------------------------------------------------------------------------------


def parse_rows(rows: Iterable[list[Any]], *, max_lines: int) -> ParsedList:
    """Read spreadsheet rows (first column SKU, second quantity). Raises :class:`ListTooLong`.

    Stops reading once the limit is passed, so a huge sheet costs no more than the limit.
    """
    parsed = ParsedList()
    count = 0
    first = True
    for number, row in enumerate(rows, start=1):
        cells = list(row[:2]) + [None] * (2 - len(row[:2]))
        sku_cell, quantity_cell = cells
        sku = _cell_text(sku_cell)
        quantity_text = _cell_text(quantity_cell)
        if not sku and not quantity_text:
            continue
        if first:
            first = False
            if isinstance(quantity_cell, str) and _is_header(quantity_text):
                parsed.header = "; ".join(t for t in (sku, quantity_text) if t)
                continue
        count += 1
        if count > max_lines:
            raise ListTooLong(count, max_lines, at_least=True)
        separator = "\t" if ";" in sku else "; "
        text = f"{sku}{separator}{quantity_text}" if quantity_text else sku
        line = InputLine(number=number, text=text, sku=sku)
        _set_quantity(line, quantity_cell if quantity_text else None)
        parsed.lines.append(line)
    return parsed


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a SKU or quantity Excel stored as a number
    return str(value).strip()


def csv_rows(data: bytes) -> Iterator[list[str]]:
    """Rows of a CSV file separated by semicolons, commas or tabs (whichever it uses).

    UTF-8 (with or without BOM) or, failing that, Windows-1251: what Excel in Russian saves.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(_("The file is not text in UTF-8 or Windows-1251.")) from exc
    if "\x00" in text:
        raise UnreadableFile(_("This is not a CSV file."))
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        # One column only (SKUs without quantities), or nothing to tell from: any separator
        # present wins in the same order as for pasted lines.
        delimiter = next((sep for sep in ("\t", ";", ",") if sep in sample), ";")
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    """Rows of the first sheet of an XLSX workbook (cell values, formulas as last computed)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(_("The file could not be read as an XLSX workbook.")) from exc
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        return iter(())
    return (list(row) for row in sheet.iter_rows(max_col=2, values_only=True))


XLSX_MAGIC = b"PK\x03\x04"


def checked_xlsx_rows(data: bytes):
    """:func:`xlsx_rows`, with a broken workbook reported as :class:`UnreadableFile`.

    A workbook can be broken past its first bytes; openpyxl finds out while the rows are read,
    so the check wraps the reading, not the opening.
    """
    try:
        yield from xlsx_rows(data)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(_("The file could not be read as an XLSX workbook.")) from exc


def parse_file(name: str, data: bytes, *, max_lines: int) -> ParsedList:
    """Read an uploaded order list: XLSX by content (a zip), CSV otherwise."""
    lower = name.lower()
    if data.startswith(XLSX_MAGIC) or lower.endswith((".xlsx", ".xlsm")):
        if not data.startswith(XLSX_MAGIC):
            raise UnreadableFile(_("The file could not be read as an XLSX workbook."))
        return parse_rows(checked_xlsx_rows(data), max_lines=max_lines)
    if lower.endswith(".xls"):
        raise UnreadableFile(
            _("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or .csv.")
        )
    return parse_rows(csv_rows(data), max_lines=max_lines)


def lines_as_text(lines: Iterable[InputLine]) -> str:
    """The lines as the buyer would paste them again (for the edit box)."""
    return "\n".join(line.text for line in lines)
