"""``manage.py load_demo``: create or update the demo storefronts declared in ``sites/``."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pipit.demo.loader import DemoLoader, rebuild_search_index
from pipit.demo.sites import SiteDefinitionError, load_sites

TARGET_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Load the demo storefronts declared in sites/*.toml (catalog, warehouses, companies, "
        "users, home pages, banners). Idempotent: run it again to update in place."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8000, help="Port the demo is served on (site URLs)."
        )
        parser.add_argument(
            "--products",
            type=int,
            default=None,
            metavar="N",
            help="At most N top-level products per storefront (for quick tests).",
        )
        parser.add_argument(
            "--only", action="append", default=[], metavar="CODE", help="Only these storefronts."
        )
        parser.add_argument("--sites-dir", default=None, help="Default: settings.SITES_DIR.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even where PIPIT_DEMO_ALLOWED is off (the demo has a public superuser password).",
        )

    def handle(self, *args, port, products, only, sites_dir, **options):
        if not settings.PIPIT_DEMO_ALLOWED and not options["allow_production"]:
            raise CommandError(
                "Refusing to load the demo here (PIPIT_DEMO_ALLOWED is off): it creates "
                "admin@pipit.demo with the public password 'pipit-demo'. Pass --allow-production "
                "if you really mean it."
            )
        if products is not None and products < 1:
            raise CommandError(_("--products must be at least 1"))
        try:
            sites = load_sites(sites_dir)
        except SiteDefinitionError as exc:
            raise CommandError(str(exc)) from exc
        unknown = set(only) - {s.code for s in sites}
        if unknown:
            raise CommandError(
                _("Unknown storefront code(s): %(codes)s") % {"codes": ", ".join(sorted(unknown))}
            )
        if only:
            sites = [s for s in sites if s.code in only]
        if not sites:
            raise CommandError(_("No site definitions found (sites/*.toml)."))

        started = time.perf_counter()
        loader = DemoLoader(port=port, product_limit=products)
        self.stdout.write(
            ngettext(
                "Loading %(n)d demo storefront, port %(port)s…",
                "Loading %(n)d demo storefronts, port %(port)s…",
                len(sites),
            )
            % {"n": len(sites), "port": port}
        )
        for site in sites:
            try:
                report = loader.load_site(site)
            except (
                ValidationError,
                SiteDefinitionError,
            ) as exc:  # e.g. settings an admin could not save either
                raise CommandError(f"{site.path.name if site.path else site.code}: {exc}") from exc
            rows = report.rows
            summary = _(
                "%(products)d products + %(variants)d variants, %(companies)d companies, "
                "%(users)d users — rows: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged (%(seconds).1f s)"
            ) % {
                "products": report.products,
                "variants": report.variants,
                "companies": report.companies,
                "users": report.users,
                "created": rows.created,
                "updated": rows.updated,
                "unchanged": rows.unchanged,
                "seconds": report.seconds,
            }
            self.stdout.write(f"  {report.code:<10} {summary}")
            for note in report.notes:
                self.stdout.write(self.style.WARNING("    " + _("note: %(note)s") % {"note": note}))
        loader.load_platform_admin(sites)
        self.stdout.write(f"  {rebuild_search_index()}")
        elapsed = time.perf_counter() - started
        style = self.style.SUCCESS if elapsed < TARGET_SECONDS else self.style.WARNING
        self.stdout.write(
            style(
                _("Demo loaded in %(seconds).1f s (target < %(target)d s).")
                % {"seconds": elapsed, "target": TARGET_SECONDS}
            )
            + " "
            + _("Run `manage.py demo_logins` for the URLs and logins.")
        )
