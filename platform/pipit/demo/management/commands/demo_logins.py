"""``manage.py demo_logins``: the demo's URLs and accounts (and the README section)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pipit.demo import logins
from pipit.demo.sites import SiteDefinitionError, load_sites


class Command(BaseCommand):
    help = "Print every demo URL and login with its password, from sites/*.toml."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--write-readme",
            action="store_true",
            help="Rewrite the 'Demo logins' section of README.md (always for port 8000).",
        )

    def handle(self, *args, port, write_readme: bool, **options):
        try:
            sites = load_sites()
        except SiteDefinitionError as exc:
            raise CommandError(str(exc)) from exc
        if write_readme:
            path = settings.PROJECT_DIR / "README.md"
            changed = logins.write_readme(path, sites)
            status = _("updated") if changed else _("already up to date")
            self.stdout.write(f"{path}: {status}")
            return
        self.stdout.write(logins.console_text(sites, port), ending="")
