"""The review page's form: which lines, available quantities and analogs the buyer chose.

The form is drawn from the review itself (one checkbox per line that can be added, one per
analog with its quantity), so it is read here against the same review rather than declared as
fixed fields. Anything that does not belong to the review is ignored; a quantity that is not a
whole number of at least 1 is an error shown next to its input, and nothing is added then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from .review import SHORT, Choices, Review

_WHOLE = re.compile(r"\s*\d{1,9}\s*")


def available_field(pk: int) -> str:
    return f"available-{pk}"


def analog_field(pk: int) -> str:
    return f"analog-{pk}"


def analog_quantity_field(pk: int, product_id: int) -> str:
    return f"qty-{pk}-{product_id}"


@dataclass
class ReviewForm:
    """The buyer's choices on a review, bound to the posted data (or the defaults)."""

    review: Review
    data: QueryDict | None = None
    choices: Choices = field(default_factory=Choices)
    errors: dict[str, str] = field(default_factory=dict)
    non_field_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.data is None:
            # Unbound: every line that can be added as ordered is ticked; nothing else is.
            self.choices = Choices.everything_ready(self.review)
            return
        self._read(self.data)

    def is_valid(self) -> bool:
        if self.data is None:
            return False
        if not self.errors and self.choices.is_empty:
            self.non_field_errors.append(_("Choose at least one line or analog to add."))
        return not self.errors and not self.non_field_errors

    def _read(self, data: QueryDict) -> None:
        posted_lines = set(data.getlist("line"))
        for line in self.review.lines:
            if str(line.pk) in posted_lines and line.is_ready:
                self.choices.lines.add(line.pk)
            name = available_field(line.pk)
            if name in data and line.status == SHORT:
                quantity = _whole(data[name])
                # The value is the quantity the page offered; another one was not offered.
                if quantity is None or not 1 <= quantity <= line.quantity:
                    self.errors[name] = _("Choose the quantity offered, or untick the box.")
                else:
                    self.choices.available[line.pk] = quantity
            picked = set(data.getlist(analog_field(line.pk)))
            offered = {str(analog.product.pk): analog for analog in line.analogs}
            if picked - set(offered):
                self.non_field_errors.append(
                    _("The analogs offered for %(title)s have changed; check them again.")
                    % {"title": line.title}
                )
            for product_id in picked & set(offered):
                if not offered[product_id].can_add:
                    continue
                name = analog_quantity_field(line.pk, int(product_id))
                quantity = _whole(data.get(name, ""))
                if quantity is None or quantity < 1:
                    self.errors[name] = _("Enter a whole number of at least 1.")
                else:
                    self.choices.analogs.setdefault(line.pk, {})[int(product_id)] = quantity

    # -- what the template shows --------------------------------------------------------------

    def rows(self) -> list[dict]:
        """Each review line with its inputs' state (ticked, typed quantities, errors)."""
        rows = []
        for line in self.review.lines:
            chosen_analogs = self.choices.analogs.get(line.pk, {})
            analogs = []
            for analog in line.analogs:
                product_id = analog.product.pk
                quantity_name = analog_quantity_field(line.pk, product_id)
                if self.data is not None and quantity_name in self.data:
                    quantity = self.data[quantity_name]
                else:
                    quantity = line.quantity
                picked = self.data is not None and str(product_id) in self.data.getlist(
                    analog_field(line.pk)
                )
                analogs.append(
                    {
                        "offer": analog,
                        "field": analog_field(line.pk),
                        "quantity_field": quantity_name,
                        "quantity": quantity,
                        "checked": picked or product_id in chosen_analogs,
                        "error": self.errors.get(quantity_name, ""),
                    }
                )
            rows.append(
                {
                    "line": line,
                    "checked": line.pk in self.choices.lines,
                    "available_field": available_field(line.pk),
                    "available_checked": line.pk in self.choices.available
                    or (self.data is not None and available_field(line.pk) in self.data),
                    "available_error": self.errors.get(available_field(line.pk), ""),
                    "analogs": analogs,
                }
            )
        return rows


def _whole(value: str) -> int | None:
    if not isinstance(value, str) or not _WHOLE.fullmatch(value):
        return None
    return int(value)
