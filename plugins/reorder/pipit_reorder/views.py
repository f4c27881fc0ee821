"""The "Repeat order" page: review an order's lines at today's prices, then add the chosen ones.

GET shows the review (it changes nothing, so it is a plain link from the order history and can
be reloaded). POST, with the CSRF token, adds what the buyer ticked — or, with ``mode=all`` (the
one-click button on the order's page), every line that can be added as ordered — and sends the
buyer to the cart with a report of what was added and what was not, and why.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views import View
from pipit.plugins.models import activations

from .forms import ReviewForm
from .plugin import ReorderPlugin, analog_limit
from .review import (
    DISCONTINUED,
    SHORT,
    UNAVAILABLE,
    Choices,
    Report,
    Review,
    company_order,
    repeat,
    review_order,
)

# "3 unavailable" on the review's summary; with a context, as the line statuses.
COUNT_LABELS = {
    SHORT: pgettext_lazy("repeat order lines", "not enough in stock"),
    UNAVAILABLE: pgettext_lazy("repeat order lines", "unavailable"),
    DISCONTINUED: pgettext_lazy("repeat order lines", "discontinued"),
}


def plugin_settings(storefront) -> dict:
    activation = activations(storefront).get(ReorderPlugin.id)
    return activation.settings if activation else {}


class RepeatOrderView(LoginRequiredMixin, View):
    template_name = "pipit_reorder/review.html"

    def review(self, number: str) -> Review:
        request = self.request
        order = company_order(request, number)
        return review_order(
            order,
            storefront=request.storefront,
            strategy=request.strategy,
            basket=request.basket,
            analog_limit=analog_limit(plugin_settings(request.storefront)),
        )

    def get(self, request, number: str):
        review = self.review(number)
        return self.render(review, ReviewForm(review))

    def post(self, request, number: str):
        review = self.review(number)
        if request.POST.get("mode") == "all":
            choices = Choices.everything_ready(review)
            if choices.is_empty:
                form = ReviewForm(review)
                form.non_field_errors.append(
                    _(
                        "None of the lines can be added as ordered. Choose the available "
                        "quantities or analogs below."
                    )
                )
                return self.render(review, form)
        else:
            form = ReviewForm(review, request.POST)
            if not form.is_valid():
                return self.render(review, form)
            choices = form.choices
        report = repeat(review, request.basket, choices)
        _announce(request, report)
        return redirect("basket:summary")

    def render(self, review: Review, form: ReviewForm):
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "order": review.order,
                "review": review,
                "form": form,
                "rows": form.rows(),
                "counts": [
                    (status, COUNT_LABELS[status], review.count(status))
                    for status in (SHORT, UNAVAILABLE, DISCONTINUED)
                ],
            },
        )


def _announce(request, report: Report) -> None:
    """The report as messages on the cart page: what was added, and what was not with why."""
    number = report.order.number
    if report.added:
        messages.success(
            request,
            format_html(
                "{}<ul>{}</ul>",
                ngettext(
                    "%(n)d line from order %(number)s added to the cart:",
                    "%(n)d lines from order %(number)s added to the cart:",
                    len(report.added),
                )
                % {"n": len(report.added), "number": number},
                format_html_join("", "<li>{}</li>", ((_added(o),) for o in report.added)),
            ),
            extra_tags="safe",
        )
    if report.not_added:
        messages.warning(
            request,
            format_html(
                "{}<ul>{}</ul>",
                ngettext(
                    "%(n)d line from order %(number)s was not added:",
                    "%(n)d lines from order %(number)s were not added:",
                    len(report.not_added),
                )
                % {"n": len(report.not_added), "number": number},
                format_html_join("", "<li>{}</li>", ((_refused(o),) for o in report.not_added)),
            ),
            extra_tags="safe",
        )


def _label(outcome) -> str:
    sku = f" ({outcome.sku})" if outcome.sku else ""
    return f"{outcome.title}{sku} × {outcome.quantity}"


def _added(outcome) -> str:
    if outcome.is_analog:
        return _("%(item)s, instead of %(original)s") % {
            "item": _label(outcome),
            "original": outcome.source.title,
        }
    if outcome.quantity != outcome.source.quantity:
        return _("%(item)s (you chose this instead of the %(ordered)d ordered)") % {
            "item": _label(outcome),
            "ordered": outcome.source.quantity,
        }
    return _label(outcome)


def _refused(outcome) -> str:
    if outcome.is_analog:
        return _("%(item)s, instead of %(original)s: %(reason)s") % {
            "item": _label(outcome),
            "original": outcome.source.title,
            "reason": outcome.reason,
        }
    return _("%(item)s: %(reason)s") % {"item": _label(outcome), "reason": outcome.reason}
