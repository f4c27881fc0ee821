"""Declarative storefront definitions: one TOML file per storefront in ``sites/``.

The file is the whole storefront as the platform operator describes it — host, language, currency,
theme, warehouses, categories, buyer companies, design tokens, home page and banners. The demo
loader applies it; :func:`logins` derives the demo accounts from it, so the README and
``demo_logins`` never disagree with what was loaded.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

PASSWORD = "pipit-demo"
PLATFORM_ADMIN = "admin@pipit.demo"
STAFF_ROLES = ("admin", "editor", "pricing", "manager")


class SiteDefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class WarehouseDef:
    code: str
    name: str
    city: str
    priority: int


@dataclass(frozen=True)
class AddressDef:
    label: str
    kind: str
    postcode: str
    city: str
    line1: str
    line2: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    is_default: bool = False


@dataclass(frozen=True)
class CompanyDef:
    key: str
    name: str
    inn: str
    kpp: str
    email: str = ""
    phone: str = ""
    addresses: tuple[AddressDef, ...] = ()


@dataclass(frozen=True)
class BannerDef:
    title: str
    text: str = ""
    link_url: str = ""
    cta_label: str = ""
    placement: str = "home_top"
    priority: int = 0
    audience: tuple[str, ...] = ()  # company keys; empty means every visitor
    go_live_in_days: int = 0  # > 0: scheduled to go live that many days after loading


@dataclass(frozen=True)
class PageDef:
    slug: str
    title: str
    body: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SiteDefinition:
    code: str
    name: str
    hostname: str
    language: str
    currency: str
    theme: str
    show_prices_to_anonymous: bool
    vat_rate: str
    partner: str
    catalog: str
    root_category: str
    categories: dict[str, str]
    warehouses: tuple[WarehouseDef, ...]
    companies: tuple[CompanyDef, ...]
    design: dict[str, str] = field(default_factory=dict)
    home: tuple[dict[str, Any], ...] = ()
    banners: tuple[BannerDef, ...] = ()
    pages: tuple[PageDef, ...] = ()  # landing pages under the home page
    order_email: str = ""
    #: Plugin id → its settings on this storefront (``[plugins.<id>]`` tables); installed
    #: plugins not listed are switched off.
    plugins: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None

    def category_path(self, key: str) -> str:
        return f"{self.root_category} > {self.categories[key]}"

    def company(self, key: str) -> CompanyDef:
        return next(c for c in self.companies if c.key == key)


_REQUIRED = ("code", "name", "hostname", "catalog", "root_category", "partner")


def parse_site(data: dict[str, Any], path: Path | None = None) -> SiteDefinition:
    where = path.name if path else "site definition"
    missing = [key for key in _REQUIRED if not data.get(key)]
    if missing:
        raise SiteDefinitionError(f"{where}: missing {', '.join(missing)}")
    try:
        site = SiteDefinition(
            code=data["code"],
            name=data["name"],
            hostname=data["hostname"].lower(),
            language=data.get("language", "ru"),
            currency=data.get("currency", "RUB"),
            theme=data.get("theme", "base"),
            show_prices_to_anonymous=bool(data.get("show_prices_to_anonymous", False)),
            vat_rate=str(data.get("vat_rate", 20)),
            partner=data["partner"],
            catalog=data["catalog"],
            root_category=data["root_category"],
            categories=dict(data.get("categories", {})),
            warehouses=tuple(WarehouseDef(**w) for w in data.get("warehouses", [])),
            companies=tuple(
                CompanyDef(
                    **{k: v for k, v in c.items() if k != "addresses"},
                    addresses=tuple(AddressDef(**a) for a in c.get("addresses", [])),
                )
                for c in data.get("companies", [])
            ),
            design=dict(data.get("design", {})),
            home=tuple(data.get("home", [])),
            banners=tuple(
                BannerDef(**{**b, "audience": tuple(b.get("audience", ()))})
                for b in data.get("banners", [])
            ),
            pages=tuple(
                PageDef(**{**p, "body": tuple(p.get("body", ()))}) for p in data.get("pages", [])
            ),
            order_email=data.get("order_email", ""),
            plugins={str(k): dict(v) for k, v in data.get("plugins", {}).items()},
            path=path,
        )
    except TypeError as exc:  # an unknown or missing key in a nested table
        raise SiteDefinitionError(f"{where}: {exc}") from exc
    _validate(site, where)
    return site


def _validate(site: SiteDefinition, where: str) -> None:
    if not site.warehouses:
        raise SiteDefinitionError(f"{where}: a storefront needs at least one warehouse")
    company_keys = {c.key for c in site.companies}
    if len(company_keys) != len(site.companies):
        raise SiteDefinitionError(f"{where}: company keys must be unique")
    for banner in site.banners:
        unknown = set(banner.audience) - company_keys
        if unknown:
            raise SiteDefinitionError(
                f"{where}: banner {banner.title!r} targets unknown companies {sorted(unknown)}"
            )
    blocks = [*site.home, *(b for page in site.pages for b in page.body)]
    for block in blocks:
        category = block.get("category")
        if block.get("type") == "product_carousel" and category and category not in site.categories:
            raise SiteDefinitionError(
                f"{where}: a page block refers to unknown category {category!r}"
            )


def load_sites(sites_dir: Path | None = None) -> list[SiteDefinition]:
    """Every ``*.toml`` in ``sites_dir`` (``settings.SITES_DIR`` by default), sorted by file name."""
    root = Path(sites_dir or settings.SITES_DIR)
    sites = []
    for path in sorted(root.glob("*.toml")):
        with path.open("rb") as fh:
            try:
                data = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise SiteDefinitionError(f"{path.name}: {exc}") from exc
        sites.append(parse_site(data, path))
    codes = [s.code for s in sites]
    if len(set(codes)) != len(codes):
        raise SiteDefinitionError(f"Two site files use the same code: {codes}")
    return sites


# --- demo accounts -------------------------------------------------------------------------------

_PEOPLE = {
    "ru": {
        "admin": ("Алексей", "Смирнов"),
        "editor": ("Мария", "Котова"),
        "pricing": ("Дмитрий", "Орлов"),
        "manager": ("Елена", "Соколова"),
        "buyer1": ("Ирина", "Павлова"),
        "buyer2": ("Николай", "Фёдоров"),
    },
    "en": {
        "admin": ("Alex", "Smith"),
        "editor": ("Mary", "Cotton"),
        "pricing": ("Dmitry", "Orlov"),
        "manager": ("Helen", "Fox"),
        "buyer1": ("Irina", "Pavlova"),
        "buyer2": ("Nick", "Fedorov"),
    },
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str  # "superuser", a storefront staff role, or "buyer-admin" / "buyer"
    storefront: str = ""  # storefront code; empty for the platform superuser
    hostname: str = ""
    company: str = ""  # company name, for buyers
    company_key: str = ""
    first_name: str = ""
    last_name: str = ""

    @property
    def is_buyer(self) -> bool:
        return self.role.startswith("buyer")


def logins(sites: list[SiteDefinition]) -> list[DemoLogin]:
    """Every demo account, derived from the site definitions (the loader creates exactly these)."""
    people = _PEOPLE
    accounts = [DemoLogin(PLATFORM_ADMIN, "superuser", first_name="Pipit", last_name="Admin")]
    for site in sites:
        names = people.get(site.language, people["en"])
        for role in STAFF_ROLES:
            first, last = names[role]
            accounts.append(
                DemoLogin(
                    f"{role}@{site.code}.demo",
                    role,
                    site.code,
                    site.hostname,
                    first_name=first,
                    last_name=last,
                )
            )
        for company in site.companies:
            for n, role in ((1, "buyer-admin"), (2, "buyer")):
                first, last = names[f"buyer{n}"]
                accounts.append(
                    DemoLogin(
                        f"buyer{n}@{site.code}-{company.key}.demo",
                        role,
                        site.code,
                        site.hostname,
                        company=company.name,
                        company_key=company.key,
                        first_name=first,
                        last_name=last,
                    )
                )
    return accounts
