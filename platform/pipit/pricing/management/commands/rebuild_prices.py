"""``manage.py rebuild_prices <code>… | --all``: recompile a storefront's effective prices from
scratch (recovery: after a restore, a bug fix in the engine, or rows edited by hand in the
database). Publishing keeps the table up to date on its own; this is not needed day to day."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pipit.pricing.compiler import Scope, compile_prices
from pipit.tenancy.models import Storefront


class Command(BaseCommand):
    help = "Rebuild the effective prices of some storefronts (by code) or of all of them."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", metavar="CODE", help="Storefront codes.")
        parser.add_argument(
            "--all", action="store_true", dest="everything", help="Every storefront."
        )

    def handle(self, *args, codes: list[str], everything: bool, **options):
        if everything == bool(codes):
            raise CommandError(_("Name storefront codes or pass --all (not both)."))
        storefronts = Storefront.objects.order_by("code")
        if not everything:
            storefronts = storefronts.filter(code__in=codes)
            unknown = set(codes) - {sf.code for sf in storefronts}
            if unknown:
                raise CommandError(
                    _("Unknown storefront code(s): %(codes)s")
                    % {"codes": ", ".join(sorted(unknown))}
                )
        total_rows, total_seconds = 0, 0.0
        for storefront in storefronts:
            result = compile_prices(storefront, Scope())
            total_rows += result.rows
            total_seconds += result.seconds
            self.stdout.write(
                _(
                    "%(code)s: %(rows)s effective prices for %(products)s products in "
                    "%(seconds).2f s (%(rate)s rows/s)"
                )
                % {
                    "code": storefront.code,
                    "rows": f"{result.rows:,}",
                    "products": f"{result.products:,}",
                    "seconds": result.seconds,
                    "rate": f"{result.per_second:,.0f}",
                }
            )
        if total_seconds:
            self.stdout.write(
                _("total: %(rows)s rows in %(seconds).2f s (%(rate)s rows/s)")
                % {
                    "rows": f"{total_rows:,}",
                    "seconds": total_seconds,
                    "rate": f"{total_rows / total_seconds:,.0f}",
                }
            )
