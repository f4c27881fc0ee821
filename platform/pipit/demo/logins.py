"""The demo's URLs and accounts as a console table and as the README's "Demo logins" section.

Both are rendered from the site definitions, the same data the loader creates the accounts from,
so the README cannot drift from what ``load_demo`` builds (a test compares them).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .sites import PASSWORD, DemoLogin, SiteDefinition, logins

ROLE_LABELS = {
    "superuser": _("Platform superuser: every storefront, Oscar dashboard"),
    "admin": _("Storefront admin"),
    "editor": _("Marketing editor: pages, banners, design"),
    "pricing": _("Sales ops: catalog, prices, stock"),
    "manager": _("Sales manager: companies, orders"),
    "buyer-admin": _("Buyer, company admin"),
    "buyer": _("Buyer"),
}

README_HEADING = "## Demo logins"
_GENERATED = (
    "<!-- Generated from sites/*.toml by `manage.py demo_logins --write-readme`; "
    "tests/integration/test_demo_loader.py keeps it in sync. -->"
)


def _base(host: str, port: int) -> str:
    return f"http://{host}:{port}" if port != 80 else f"http://{host}"


def _platform_host() -> str:
    hosts = settings.PIPIT_PLATFORM_HOSTS
    return "127.0.0.1" if "127.0.0.1" in hosts else (hosts[0] if hosts else "localhost")


def _login_path() -> str:
    return reverse("customer:login")


def urls(sites: list[SiteDefinition], port: int) -> list[tuple[str, str]]:
    """(URL, what it is) for every storefront, its admin, the platform index and the API docs."""
    rows = []
    for site in sites:
        base = _base(site.hostname, port)
        rows.append(
            (
                f"{base}/",
                _("%(name)s storefront (%(language)s, %(currency)s, theme “%(theme)s”)")
                % {
                    "name": site.name,
                    "language": site.language,
                    "currency": site.currency,
                    "theme": site.theme,
                },
            )
        )
        rows.append((f"{base}/admin/", _("%(name)s admin") % {"name": site.name}))
    platform = _base(_platform_host(), port)
    rows.append((f"{platform}/", str(_("Platform index: every storefront"))))
    rows.append((f"{platform}/admin/", str(_("Platform admin (superuser)"))))
    rows.append((f"{platform}/api/docs/", str(_("REST API documentation (OpenAPI)"))))
    return rows


def sign_in_url(login: DemoLogin, port: int) -> str:
    if not login.storefront:
        return f"{_base(_platform_host(), port)}/admin/"
    base = _base(login.hostname, port)
    return f"{base}{_login_path()}" if login.is_buyer else f"{base}/admin/"


def login_rows(sites: list[SiteDefinition], port: int) -> list[tuple[str, str, str, str, str]]:
    """(sign-in URL, e-mail, password, role, company) for every demo account."""
    return [
        (
            sign_in_url(login, port),
            login.email,
            PASSWORD,
            str(ROLE_LABELS[login.role]),
            login.company,
        )
        for login in logins(sites)
    ]


def _markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    def line(cells) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return [line(header), "|" + "---|" * len(header), *(line(r) for r in rows)]


def readme_section(sites: list[SiteDefinition], port: int = 8000) -> str:
    """The README's "Demo logins" section, heading included; always in English."""
    with translation.override("en"):
        lines = [
            README_HEADING,
            "",
            _GENERATED,
            "",
            f"`make demo` loads these (or `manage.py load_demo`). Every demo password is "
            f"`{PASSWORD}`. Buyers sign in on their own storefront only; staff sign in at "
            f"`/admin/` and see only their storefront.",
            "",
            *_markdown_table(("URL", "What"), [(f"<{u}>", str(w)) for u, w in urls(sites, port)]),
            "",
            *_markdown_table(
                ("Sign in at", "E-mail", "Password", "Role", "Company"),
                [
                    (f"<{url}>", f"`{email}`", f"`{pw}`", role, company)
                    for url, email, pw, role, company in login_rows(sites, port)
                ],
            ),
        ]
    return "\n".join(lines) + "\n"


def console_text(sites: list[SiteDefinition], port: int) -> str:
    def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        return [fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [
            fmt.format(*map(str, r)) for r in rows
        ]

    lines = [
        *table((str(_("URL")), str(_("What"))), [(u, str(w)) for u, w in urls(sites, port)]),
        "",
        *table(
            (
                str(_("Sign in at")),
                str(_("E-mail")),
                str(_("Password")),
                str(_("Role")),
                str(_("Company")),
            ),
            login_rows(sites, port),
        ),
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def section_in(readme: str) -> str | None:
    """The "Demo logins" section of a README text (heading to the next ``## ``), or None."""
    match = re.search(rf"^{re.escape(README_HEADING)}\n.*?(?=^## |\Z)", readme, re.M | re.S)
    return match.group(0) if match else None


def write_readme(path: Path, sites: list[SiteDefinition], port: int = 8000) -> bool:
    """Replace (or append) the README's "Demo logins" section; returns whether the file changed."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = readme_section(sites, port)
    current = section_in(text)
    if current is None:
        new = (text.rstrip("\n") + "\n\n" if text.strip() else "") + section
    else:
        followed = not text.endswith(current)  # another section comes after: keep a blank line
        new = text.replace(current, section + ("\n" if followed else ""), 1)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True
