"""A buyer company's SKU aliases: adding one, importing a CSV of them, listing them.

Every read goes through :func:`company_aliases` (the company's own rows); another company's alias
is never listed, matched or deleted. An alias is refused when it is already a SKU of the
storefront (quick order would find the SKU first, so the alias would never be used).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.apps.catalogue.models import Product
from pipit.catalog.queries import purchasable_for_storefront

from .forms import check_file_size, too_many_lines
from .matching import LookAlikes, exact_matches, sku_index
from .models import SkuAlias
from .parsing import (
    XLSX_MAGIC,
    ListTooLong,
    UnreadableFile,
    checked_xlsx_rows,
    csv_rows,
    normalise_sku,
)
from .plugin import Limits

ALIAS_MAX_LENGTH = SkuAlias._meta.get_field("alias").max_length


def company_aliases(company) -> QuerySet[SkuAlias]:
    """The aliases of ``company``: the only way views reach SkuAlias rows."""
    return SkuAlias.objects.for_company(company)


def _products(storefront, ids) -> dict[int, Product]:
    return {
        p.pk: p
        for p in purchasable_for_storefront(storefront)
        .filter(pk__in=set(ids))
        .select_related("parent")
    }


class AliasForm(forms.Form):
    alias = forms.CharField(
        label=gettext_lazy("Your code"),
        max_length=ALIAS_MAX_LENGTH,
        help_text=gettext_lazy("The code your company uses for the product."),
    )
    sku = forms.CharField(
        label=gettext_lazy("Our SKU"),
        max_length=100,
        help_text=gettext_lazy("The product's SKU on this storefront."),
    )

    def __init__(self, *args, storefront, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.storefront = storefront
        self.company = company

    def clean(self):
        cleaned = super().clean()
        alias = " ".join((cleaned.get("alias") or "").split())
        sku = (cleaned.get("sku") or "").strip()
        if not alias or not sku:
            return cleaned
        alias_key, sku_key = normalise_sku(alias), normalise_sku(sku)
        if not alias_key:
            self.add_error("alias", _("Enter a code with letters or digits."))
            return cleaned
        matches = exact_matches(self.storefront, {alias_key, sku_key})
        existing = company_aliases(self.company).filter(normalised=alias_key).first()
        problem = alias_problem(alias, matches.get(alias_key), existing)
        if problem:
            self.add_error("alias", problem)
        product_ids = matches.get(sku_key, set())
        problem = sku_problem(self.storefront, sku, product_ids)
        if problem:
            self.add_error("sku", problem)
        if not self.errors:
            cleaned["alias"] = alias
            cleaned["product"] = _products(self.storefront, product_ids)[next(iter(product_ids))]
        return cleaned

    def save(self, *, user) -> SkuAlias:
        try:
            with transaction.atomic():
                return SkuAlias.objects.create(
                    company=self.company,
                    alias=self.cleaned_data["alias"],
                    product=self.cleaned_data["product"],
                    created_by=user,
                )
        except IntegrityError:
            # A colleague added the same alias a moment ago.
            return company_aliases(self.company).get(
                normalised=normalise_sku(self.cleaned_data["alias"])
            )


def alias_problem(alias: str, sku_products: set[int] | None, existing: SkuAlias | None) -> str:
    if len(alias) > ALIAS_MAX_LENGTH:
        return _("The code is longer than %(max)d characters.") % {"max": ALIAS_MAX_LENGTH}
    if sku_products:
        return _(
            "%(alias)s is already a SKU on this storefront: quick order finds it as it is."
        ) % {"alias": alias}
    if existing is not None:
        return _("Your company already uses %(alias)s; remove it first to change it.") % {
            "alias": existing.alias
        }
    return ""


def sku_problem(storefront, sku: str, product_ids: set[int]) -> str:
    if not product_ids:
        index = sku_index(storefront)
        look_alikes = LookAlikes(index).suggest(normalise_sku(sku))
        codes = sorted({code for _key, code, pk in index if pk in look_alikes and code})
        if codes:
            return _("No product has SKU %(sku)s here. Did you mean %(codes)s?") % {
                "sku": sku,
                "codes": ", ".join(codes[:3]),
            }
        return _("No product has SKU %(sku)s on this storefront.") % {"sku": sku}
    if len(product_ids) > 1:
        return _("Several products have SKU %(sku)s; enter another of the product's codes.") % {
            "sku": sku
        }
    return ""


# -- import ----------------------------------------------------------------------------------


@dataclass
class ImportRow:
    number: int
    alias: str
    sku: str


@dataclass
class RejectedRow:
    number: int
    alias: str
    sku: str
    reason: str


@dataclass
class ImportReport:
    created: list[SkuAlias] = field(default_factory=list)
    updated: list[SkuAlias] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    header: str = ""


class AliasImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy(
            "Your code in the first column, our SKU in the second; a header row is skipped. An "
            "alias already in the list is changed to the product of the file."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def __init__(self, *args, limits: Limits, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_file_size(upload, self.limits)
        data = upload.read()
        try:
            raw = checked_xlsx_rows(data) if data.startswith(XLSX_MAGIC) else csv_rows(data)
            rows = read_alias_rows(raw, max_rows=self.limits.max_lines)
        except ListTooLong as exc:
            raise ValidationError(too_many_lines(exc)) from exc
        except UnreadableFile as exc:
            raise ValidationError(str(exc)) from exc
        if not rows:
            raise ValidationError(_("The file has no rows."))
        self.cleaned_data["rows"] = rows
        return upload


def read_alias_rows(raw_rows, *, max_rows: int) -> list[ImportRow]:
    """The non-empty rows (code, SKU) of an alias file; stops reading past the limit."""
    rows: list[ImportRow] = []
    for number, cells in enumerate(raw_rows, start=1):
        cells = [_text(c) for c in list(cells)[:2]] + ["", ""]
        alias, sku = cells[0], cells[1]
        if not alias and not sku:
            continue
        rows.append(ImportRow(number, alias, sku))
        if len(rows) > max_rows + 1:  # more than the limit even if the first row is a header
            raise ListTooLong(len(rows), max_rows, at_least=True)
    data_rows = len(rows) - (1 if rows and _is_header(rows[0]) else 0)
    if data_rows > max_rows:
        raise ListTooLong(data_rows, max_rows)
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _is_header(row: ImportRow) -> bool:
    # "Alias; SKU" or "Наш код; Артикул": words without a digit in either column.
    return not any(ch.isdigit() for ch in row.alias + row.sku)


def import_aliases(storefront, company, rows: list[ImportRow], *, user) -> ImportReport:
    """Create or change the company's aliases from ``rows``; report every row refused, and why.

    All rows are checked in a fixed number of queries; the accepted ones are written together.
    """
    report = ImportReport()
    if rows and _is_header(rows[0]):
        report.header = f"{rows[0].alias}; {rows[0].sku}"
        rows = rows[1:]
    keys = {normalise_sku(r.alias) for r in rows} | {normalise_sku(r.sku) for r in rows}
    matches = exact_matches(storefront, keys)
    existing = {
        a.normalised: a
        for a in company_aliases(company).filter(
            normalised__in={normalise_sku(r.alias) for r in rows}
        )
    }
    accepted: dict[str, tuple[ImportRow, int]] = {}
    seen_at: dict[str, int] = {}
    for row in rows:
        alias_key, sku_key = normalise_sku(row.alias), normalise_sku(row.sku)
        reason = ""
        if not alias_key or not sku_key:
            reason = _("Both the code and the SKU are needed.")
        elif alias_key in seen_at:
            reason = _("The same code is on row %(row)d.") % {"row": seen_at[alias_key]}
        else:
            reason = alias_problem(row.alias, matches.get(alias_key), None) or _import_sku_problem(
                row.sku, matches.get(sku_key, set())
            )
        if reason:
            report.rejected.append(RejectedRow(row.number, row.alias, row.sku, reason))
            continue
        seen_at[alias_key] = row.number
        accepted[alias_key] = (row, next(iter(matches[sku_key])))

    products = _products(storefront, {pk for _row, pk in accepted.values()})
    to_create, to_update = [], []
    for alias_key, (row, product_id) in accepted.items():
        current = existing.get(alias_key)
        if current is None:
            to_create.append(
                SkuAlias(
                    company=company,
                    alias=row.alias,
                    normalised=alias_key,
                    product=products[product_id],
                    created_by=user,
                )
            )
        elif current.product_id != product_id or current.alias != row.alias:
            current.alias, current.product = row.alias, products[product_id]
            to_update.append(current)
        else:
            report.unchanged += 1
    with transaction.atomic():
        SkuAlias.objects.bulk_create(to_create)
        SkuAlias.objects.bulk_update(to_update, ["alias", "product"])
    report.created, report.updated = to_create, to_update
    return report


def _import_sku_problem(sku: str, product_ids: set[int]) -> str:
    if not product_ids:
        return _("No product has SKU %(sku)s on this storefront.") % {"sku": sku}
    if len(product_ids) > 1:
        return _("Several products have SKU %(sku)s.") % {"sku": sku}
    return ""
