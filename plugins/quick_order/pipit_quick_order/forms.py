"""The quick order form (pasted text, a file, or the rows of a checked list) and the alias forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .parsing import (
    InputLine,
    ListTooLong,
    ParsedList,
    UnreadableFile,
    parse_file,
    parse_text,
    read_line,
)
from .plugin import Limits

UPLOAD_TYPES = (
    ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


def too_many_lines(error: ListTooLong) -> str:
    if error.at_least:
        return ngettext(
            "The list has more than %(limit)d line; the limit is %(limit)d. Split it into "
            "several orders.",
            "The list has more than %(limit)d lines; the limit is %(limit)d. Split it into "
            "several orders.",
            error.limit,
        ) % {"limit": error.limit}
    return ngettext(
        "The list has %(count)d line; the limit is %(limit)d. Split it into several orders.",
        "The list has %(count)d lines; the limit is %(limit)d. Split it into several orders.",
        error.count,
    ) % {"count": error.count, "limit": error.limit}


def check_file_size(upload, limits: Limits) -> None:
    if upload.size > limits.max_file_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limits.max_file_bytes),
            },
            code="file_too_large",
        )


def read_upload(upload, limits: Limits) -> ParsedList:
    """Parse an uploaded order list, or raise a ValidationError saying what is wrong with it."""
    check_file_size(upload, limits)
    data = upload.read()
    try:
        parsed = parse_file(upload.name or "", data, max_lines=limits.max_lines)
    except ListTooLong as exc:
        raise ValidationError(too_many_lines(exc), code="too_many_lines") from exc
    except UnreadableFile as exc:
        raise ValidationError(str(exc), code="unreadable") from exc
    if not parsed.lines:
        raise ValidationError(_("The file has no lines with a SKU."), code="empty")
    return parsed


class QuickOrderForm(forms.Form):
    """What the buyer sends: pasted text or a file, or (``rows``) the edited rows of a checked
    list. ``cleaned_data["parsed"]`` is the :class:`ParsedList` to match."""

    text = forms.CharField(
        label=_("Paste your list"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "spellcheck": "false",
                "autocomplete": "off",
                "placeholder": "15208-65F0E 4\nW 67/1; 2\n0 986 452 041\t10",
            }
        ),
        help_text=_(
            "One product per line: the SKU, then the quantity, separated by a space, tab, "
            "semicolon or comma. Without a quantity, 1 piece. Your company's own codes work too."
        ),
    )
    file = forms.FileField(
        label=_("…or upload a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_TYPES}),
        help_text=_(
            "CSV or XLSX: the SKU in the first column, the quantity in the second. A header row "
            "is skipped."
        ),
    )

    def __init__(self, *args, limits: Limits, rows: list[InputLine] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.rows = rows
        self.fields["file"].help_text = _(
            "CSV or XLSX: the SKU in the first column, the quantity in the second. A header row "
            "is skipped. Up to %(lines)d lines and %(size)s."
        ) % {"lines": limits.max_lines, "size": filesizeformat(limits.max_file_bytes)}

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("text") or ""
        upload = cleaned.get("file")
        if self.rows is not None:
            if len(self.rows) > self.limits.max_lines:
                limit = self.limits.max_lines
                self.add_error("text", too_many_lines(ListTooLong(len(self.rows), limit)))
            elif not self.rows:
                self.add_error("text", _("The list is empty: paste some lines."))
            else:
                cleaned["parsed"] = ParsedList(lines=self.rows)
            return cleaned
        if upload and text.strip():
            raise ValidationError(
                _("Paste lines or upload a file, not both: the file would replace the text.")
            )
        if upload:
            try:
                cleaned["parsed"] = read_upload(upload, self.limits)
            except ValidationError as exc:
                self.add_error("file", exc)
            return cleaned
        if not text.strip():
            self.add_error("text", _("Paste lines of SKU and quantity, or upload a file."))
            return cleaned
        try:
            parsed = parse_text(text, max_lines=self.limits.max_lines)
        except ListTooLong as exc:
            self.add_error("text", too_many_lines(exc))
            return cleaned
        if not parsed.lines:
            self.add_error("text", _("There is no line with a SKU."))
            return cleaned
        cleaned["parsed"] = parsed
        return cleaned


#: The result page's form says so with this field: its ``text`` holds the checked list, one row
#: per line, and its buttons may change a row (see :func:`rows_from_post`).
CHECKED_FIELD = "checked"


def rows_from_post(data, *, max_rows: int) -> list[InputLine] | None:
    """The rows of a checked list as the buyer edited them, or None for a fresh paste or upload.

    On the result page the whole list is one text box (one row per line, so the line numbers of
    the table are those of the box) and ``choices`` holds ``row:product id`` pairs for rows
    whose code names several products. One field for any number of rows: a field per row would
    pass Django's limit on form fields with a long list. The button pressed may change one row
    first: ``remove=<row>``, ``choose=<row>|<product id>``, or
    ``pick=<row>|<product id>|<SKU>|<quantity>`` (a suggestion, an analog, or the quantity in
    stock: the row becomes "SKU; quantity"). Product ids are only ever a choice among the
    products the row's code matches again on the server. Blank rows are dropped; at most
    ``max_rows + 1`` are read, enough to tell the list is too long.
    """
    if CHECKED_FIELD not in data:
        return None
    texts = data.get("text", "").splitlines()
    texts = [t for t in texts if t.strip()][: max_rows + 1]
    choices = [""] * len(texts)
    for pair in data.get("choices", "").split():
        row, _sep, product = pair.partition(":")
        if row.isdigit() and int(row) < len(texts) and product.isdigit():
            choices[int(row)] = product
    _apply_edit(data, texts, choices)
    rows = []
    for text, choice in zip(texts, choices, strict=True):
        if not text.strip():
            continue
        line = read_line(len(rows) + 1, text)
        line.chosen = int(choice) if choice else None
        rows.append(line)
    return rows


def choices_value(lines: list[InputLine]) -> str:
    """The ``choices`` field for these rows (row index:product id)."""
    return " ".join(f"{i}:{line.chosen}" for i, line in enumerate(lines) if line.chosen)


def _row(texts: list[str], value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) < len(texts) else None


def _apply_edit(data, texts: list[str], choices: list[str]) -> None:
    if (row := _row(texts, data.get("remove", ""))) is not None:
        texts[row] = ""
    elif "choose" in data:
        row_text, _sep, product = data["choose"].partition("|")
        if (row := _row(texts, row_text)) is not None and product.isdigit():
            choices[row] = product
    elif "pick" in data:
        parts = data["pick"].split("|")
        if len(parts) == 4 and (row := _row(texts, parts[0])) is not None:
            _row_text, product, sku, quantity = parts
            sku = " ".join(sku.split())
            if sku:
                texts[row] = f"{sku}; {quantity}" if quantity.strip() else sku
                choices[row] = product if product.isdigit() else ""
