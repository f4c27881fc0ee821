"""The quick order page and the company's SKU aliases page (/shop/p/quick_order/…).

Pipit answers 404 before these views run where the plugin is switched off. Both pages are for
buyers of a company of the storefront: anonymous visitors are sent to the login, anyone else is
refused with a page saying why (403, as the checkout does).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from pipit.companies.access import buyer_company
from pipit.companies.models import CompanyMember
from pipit.ordering.basket import add_to_basket
from pipit.plugins.models import activations

from .aliases import AliasForm, AliasImportForm, company_aliases, import_aliases
from .forms import CHECKED_FIELD, QuickOrderForm, choices_value, rows_from_post
from .matching import MatchResult, Status, lines_for_cart, match_lines
from .models import SkuAlias
from .parsing import lines_as_text
from .plugin import Limits

#: The lines a quick order left out of the cart, offered again on the quick order page.
LEFTOVER_SESSION_KEY = "pipit_quick_order_leftover"


def limits_for(storefront) -> Limits:
    activation = activations(storefront).get("quick_order")
    return Limits.from_settings(activation.settings if activation else {})


class BuyerView(View):
    """For members of an active company of the request's storefront."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        company = buyer_company(request.user, request.storefront, active=False)
        if company is None or not company.is_active:
            return render(
                request,
                "pipit_quick_order/not_a_buyer.html",
                {"suspended": company is not None},
                status=403,
            )
        self.company = company
        # Loaded with the company by buyer_company: no query.
        self.membership = request.user.company_membership
        return super().dispatch(request, *args, **kwargs)

    @property
    def is_company_admin(self) -> bool:
        return self.membership.role == CompanyMember.Role.ADMIN


class QuickOrderView(BuyerView):
    template_name = "pipit_quick_order/quick_order.html"

    def get(self, request, *args, **kwargs):
        leftover = request.session.pop(LEFTOVER_SESSION_KEY, "")
        limits = limits_for(request.storefront)
        form = QuickOrderForm(initial={"text": leftover}, limits=limits)
        return self.render_page(form, limits=limits, leftover=bool(leftover))

    def post(self, request, *args, **kwargs):
        limits = limits_for(request.storefront)
        rows = rows_from_post(request.POST, max_rows=limits.max_lines)
        form = QuickOrderForm(request.POST, request.FILES, limits=limits, rows=rows)
        if not form.is_valid():
            return self.render_page(form, limits=limits, from_rows=rows is not None)
        parsed = form.cleaned_data["parsed"]
        # The result page shows the list in one box, a row per line: number the lines as there.
        for number, line in enumerate(parsed.lines, start=1):
            line.number = number
        result = match_lines(
            request.storefront, request.strategy, self.company, parsed.lines, header=parsed.header
        )
        if request.POST.get("action") == "add" and rows is not None:
            if result.good:
                return self.add_to_cart(result)
            form.add_error(None, _("No line is ready for the cart yet: fix the lines below."))
        return self.render_page(form, limits=limits, result=result)

    def add_to_cart(self, result: MatchResult):
        request = self.request
        added = add_to_basket(request.basket, lines_for_cart(result))
        if added.added:
            messages.success(
                request,
                ngettext(
                    "Quick order: %(lines)d line (%(pieces)d pcs.) added to the cart.",
                    "Quick order: %(lines)d lines (%(pieces)d pcs.) added to the cart.",
                    len(added.added),
                )
                % {"lines": len(added.added), "pieces": added.added_quantity},
            )
        refused_products = {line.product.pk: line for line in added.refused}
        for line in added.refused:
            messages.warning(
                request,
                _("%(title)s (%(quantity)d pcs.) was not added: %(reason)s")
                % {
                    "title": line.product.get_title(),
                    "quantity": line.quantity,
                    "reason": line.reason,
                },
            )
        # What did not go into the cart waits on the quick order page, as the buyer wrote it.
        leftover = [
            m.line
            for m in result.lines
            if (m.status not in (Status.OK, Status.MERGED))
            or (m.offer is not None and m.offer.pk in refused_products)
        ]
        if leftover:
            request.session[LEFTOVER_SESSION_KEY] = lines_as_text(leftover)
            messages.info(
                request,
                ngettext(
                    "%(count)d line was not added; it is waiting on the quick order page.",
                    "%(count)d lines were not added; they are waiting on the quick order page.",
                    len(leftover),
                )
                % {"count": len(leftover)},
            )
        return redirect("basket:summary")

    def render_page(self, form, *, limits: Limits, result: MatchResult | None = None, **extra):
        context = {
            "form": form,
            "limits": limits,
            "result": result,
            "statuses": Status,
            "aliases_url": reverse("quick_order:aliases"),
            "checked_field": CHECKED_FIELD,
            **extra,
        }
        if result is not None:
            lines = [m.line for m in result.lines]
            context["list_text"] = lines_as_text(lines)
            context["choices"] = choices_value(lines)
            context["list_rows"] = max(4, min(len(lines) + 1, 14))
        return render(self.request, self.template_name, context)


class AliasesView(BuyerView):
    """The company's SKU aliases: every member sees them, the company admin edits them."""

    template_name = "pipit_quick_order/aliases.html"

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def post(self, request, *args, **kwargs):
        if not self.is_company_admin:
            return render(
                request,
                "pipit_quick_order/not_a_buyer.html",
                {"admin_only": True},
                status=403,
            )
        action = request.POST.get("action")
        limits = limits_for(request.storefront)
        if action == "delete":
            pk = request.POST.get("alias", "")
            deleted = 0
            if pk.isdigit():
                deleted, _rows = company_aliases(self.company).filter(pk=int(pk)).delete()
            if deleted:
                messages.success(request, _("The alias was removed."))
            return redirect("quick_order:aliases")
        if action == "import":
            import_form = AliasImportForm(request.POST, request.FILES, limits=limits)
            if not import_form.is_valid():
                return self.render_page(import_form=import_form)
            report = import_aliases(
                request.storefront,
                self.company,
                import_form.cleaned_data["rows"],
                user=request.user,
            )
            return self.render_page(report=report)
        form = AliasForm(request.POST, storefront=request.storefront, company=self.company)
        if not form.is_valid():
            return self.render_page(form=form)
        alias = form.save(user=request.user)
        messages.success(
            request,
            _("Alias %(alias)s now finds %(title)s.")
            % {"alias": alias.alias, "title": alias.product.get_title()},
        )
        return redirect("quick_order:aliases")

    def render_page(self, *, form=None, import_form=None, report=None):
        request = self.request
        limits = limits_for(request.storefront)
        aliases = (
            company_aliases(self.company)
            .select_related("product", "product__parent", "created_by")
            .order_by("normalised")
        )
        context = {
            "aliases": aliases,
            "is_company_admin": self.is_company_admin,
            "form": form or AliasForm(storefront=request.storefront, company=self.company),
            "import_form": import_form or AliasImportForm(limits=limits),
            "report": report,
            "company": self.company,
            "alias_model": SkuAlias,
        }
        return render(request, self.template_name, context)
