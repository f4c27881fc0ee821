"""Apply the declarative demo storefronts (``sites/*.toml``) to the database, idempotently.

Every row the demo owns is found by a natural key (storefront code, warehouse code, product code
``demo:<storefront>:<key>``, partner SKU, company INN/KPP, e-mail) and created, updated in place or
left alone. A second run with the same files changes nothing. Rows are written in bulk so that the
three storefronts load in seconds on SQLite.
"""

from __future__ import annotations

import datetime
import re
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.apps.catalogue.models import (
    Category,
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductCategory,
    ProductClass,
    ProductRecommendation,
)
from wagtail.users.models import UserProfile

from pipit.catalog.queries import purchasable_for_storefront, with_purchase_info
from pipit.catalog.search import rebuild_all
from pipit.cms.models import LandingPage, PromoBanner
from pipit.companies.models import Company, CompanyAddress, CompanyMember
from pipit.inventory.models import Warehouse, WarehouseStock
from pipit.ordering.basket import add_to_basket
from pipit.ordering.services import place_order
from pipit.oscar_apps.partner.models import Partner, StockRecord
from pipit.plugins.forms import SETTINGS_PREFIX, cleaned_settings, settings_form_for
from pipit.plugins.models import PluginActivation, activations, forget_activations
from pipit.plugins.registry import registry as plugin_registry
from pipit.pricing.compiler import Scope, compile_prices
from pipit.pricing.models import (
    CustomerGroup,
    PriceList,
    PriceListItem,
    PriceRule,
    PriceRuleTier,
)
from pipit.pricing.strategy import StorefrontStrategy
from pipit.promotions import demo as promotions_demo
from pipit.tenancy.models import Storefront, StorefrontGroup
from pipit.tenancy.services import StorefrontSpec, provision_storefront
from pipit.themes.models import DesignTokens
from pipit.themes.registry import themes

from .catalogs import Catalog, ClassDef, ProductDef, build_catalog, latin
from .sites import (
    PASSWORD,
    PLATFORM_ADMIN,
    DemoLogin,
    SiteDefinition,
    SiteDefinitionError,
    logins,
)

_VALUE_COLUMN = {"text": "value_text", "integer": "value_integer", "float": "value_float"}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class SiteReport:
    code: str
    products: int = 0  # top-level (stand-alone and parents)
    variants: int = 0
    companies: int = 0
    users: int = 0
    rows: Counts = field(default_factory=Counts)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def upsert(
    model: type[models.Model],
    key_fields: tuple[str, ...],
    rows: dict[tuple, dict[str, Any]],
    existing: Iterable[models.Model],
    counts: Counts,
) -> dict[tuple, models.Model]:
    """Create the rows whose key is new, update the ones that differ, leave the rest alone.

    ``rows`` maps a natural key (values of ``key_fields``) to the other field values; ``existing``
    are the rows already stored that may match. Returns every row by key, saved.
    """
    stored = {tuple(getattr(obj, f) for f in key_fields): obj for obj in existing}
    result: dict[tuple, models.Model] = {}
    to_create, to_update, changed_fields = [], [], set()
    for key, values in rows.items():
        obj = stored.get(key)
        if obj is None:
            obj = model(**dict(zip(key_fields, key, strict=True)), **values)
            to_create.append(obj)
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            for name in changed:
                setattr(obj, name, values[name])
            if changed:
                to_update.append(obj)
                changed_fields.update(changed)
            else:
                counts.unchanged += 1
        result[key] = obj
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
        counts.created += len(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=500)
        counts.updated += len(to_update)
    return result


def _save_if_changed(obj: models.Model, values: dict[str, Any], counts: Counts) -> models.Model:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if obj.pk is None:
        obj.save()
        counts.created += 1
    elif changed:
        obj.save(update_fields=changed)
        counts.updated += 1
    else:
        counts.unchanged += 1
    return obj


DISCARD_MAIL = "django.core.mail.backends.dummy.EmailBackend"


class DemoLoader:
    """Loads site definitions; one instance per run (it caches the demo password hash)."""

    def __init__(
        self,
        *,
        port: int = 8000,
        product_limit: int | None = None,
        fixtures_dir: Path | None = None,
        today: datetime.date | None = None,
    ):
        self.port = port
        self.product_limit = product_limit
        self.fixtures_dir = Path(fixtures_dir or settings.FIXTURES_DIR)
        self.today = today or timezone.localdate()
        self._password_hash: str | None = None

    # --- entry points ------------------------------------------------------------------------

    def load_platform_admin(self, sites: list[SiteDefinition]) -> None:
        """The installation's superuser; after the storefronts, which it does not belong to."""
        with transaction.atomic():
            self._user(logins(sites)[0], Counts(), is_staff=True, is_superuser=True)

    def load_site(self, site: SiteDefinition) -> SiteReport:
        """Everything one site file declares, in one transaction: all of it or none."""
        started = time.perf_counter()
        report = SiteReport(site.code)
        # The demo's past orders send no confirmation mail (to the console in development).
        with override_settings(EMAIL_BACKEND=DISCARD_MAIL), transaction.atomic():
            storefront = self._storefront(site, report)
            partner = self._partner(site, report.rows)
            warehouses = self._warehouses(site, storefront, partner, report.rows)
            categories = self._categories(site, storefront, report.rows)
            catalog = build_catalog(site.catalog, self.fixtures_dir, len(warehouses))
            products = self._catalog(site, catalog, categories, partner, warehouses, report)
            companies = self._companies(site, storefront, report.rows)
            self._users(site, storefront, companies, report)
            self._design(site, storefront, report.rows)
            self._home_page(site, storefront, categories, products, report)
            self._landing_pages(site, storefront, categories, products, report)
            self._banners(site, storefront, categories, products, companies, report)
            self._pricing(site, storefront, catalog, categories, products, companies, report)
            self._plugins(site, storefront, report)
            self._orders(site, storefront, companies, report)
        report.companies = len(companies)
        report.seconds = time.perf_counter() - started
        return report

    # --- storefront, partner, warehouses, categories -----------------------------------------

    def _storefront(self, site: SiteDefinition, report: SiteReport) -> Storefront:
        theme = site.theme
        if theme not in themes():
            report.notes.append(f"theme {theme!r} is not installed; using 'base' until it is")
            theme = "base"
        before = Storefront.objects.filter(code=site.code).values().first()
        storefront = provision_storefront(
            StorefrontSpec(
                code=site.code,
                name=site.name,
                hostname=site.hostname,
                port=self.port,
                language=site.language,
                currency=site.currency,
                theme=theme,
                show_prices_to_anonymous=site.show_prices_to_anonymous,
                vat_rate=site.vat_rate,
                order_email=site.order_email,
            )
        )
        after = Storefront.objects.filter(pk=storefront.pk).values().first()
        if before is None:
            report.rows.created += 1
        elif before != after:
            report.rows.updated += 1
        else:
            report.rows.unchanged += 1
        return storefront

    def _partner(self, site: SiteDefinition, counts: Counts) -> Partner:
        partner = Partner.objects.filter(code=site.code).first() or Partner(code=site.code)
        return _save_if_changed(partner, {"name": site.partner}, counts)

    def _warehouses(
        self, site: SiteDefinition, storefront: Storefront, partner: Partner, counts: Counts
    ) -> list[Warehouse]:
        rows = {
            (w.code,): {
                "partner_id": partner.pk,
                "name": w.name,
                "city": w.city,
                "priority": w.priority,
            }
            for w in sorted(site.warehouses, key=lambda w: w.priority)
        }
        stored = upsert(
            Warehouse,
            ("code",),
            rows,
            Warehouse.objects.filter(code__in=[k[0] for k in rows]),
            counts,
        )
        warehouses = list(stored.values())
        storefront.warehouses.add(*warehouses)
        return warehouses

    def _categories(
        self, site: SiteDefinition, storefront: Storefront, counts: Counts
    ) -> dict[str, Category]:
        root = create_from_breadcrumbs(site.root_category)
        storefront.categories.add(root)
        found = {key: create_from_breadcrumbs(site.category_path(key)) for key in site.categories}
        # Oscar's slugifier escapes Cyrillic into "u0412u043e..."; demo categories get Latin slugs.
        seen = set()
        for category in [root, *found.values()]:
            for node in [*category.get_ancestors(), category]:
                if node.pk in seen:
                    continue
                seen.add(node.pk)
                _save_if_changed(node, {"slug": slugify(latin(node.name))[:255] or "c"}, counts)
        return found

    # --- catalog -------------------------------------------------------------------------------

    def _product_classes(
        self, site: SiteDefinition, classes: list[ClassDef], counts: Counts
    ) -> dict[str, tuple[ProductClass, dict[str, ProductAttribute]]]:
        result = {}
        for class_def in classes:
            slug = f"{site.code}-{class_def.key}"
            product_class = ProductClass.objects.filter(slug=slug).first() or ProductClass(
                slug=slug
            )
            _save_if_changed(product_class, {"name": class_def.name, "track_stock": True}, counts)
            rows = {
                (product_class.pk, a.code): {"name": a.name, "type": a.type}
                for a in class_def.attributes
            }
            stored = upsert(
                ProductAttribute,
                ("product_class_id", "code"),
                rows,
                ProductAttribute.objects.filter(product_class=product_class),
                counts,
            )
            result[class_def.key] = (product_class, {k[1]: v for k, v in stored.items()})
        return result

    def _catalog(
        self,
        site: SiteDefinition,
        catalog: Catalog,
        categories: dict[str, Category],
        partner: Partner,
        warehouses: list[Warehouse],
        report: SiteReport,
    ) -> dict[str, Product]:
        counts = report.rows
        classes = self._product_classes(site, catalog.classes, counts)
        top = catalog.capped(self.product_limit)
        prefix = f"demo:{site.code}:"

        def product_row(item: ProductDef, structure: str, parent: Product | None) -> dict:
            return {
                "structure": structure,
                "title": item.title,
                "slug": slugify(latin(item.title))[:255] or "product",
                "description": item.description,
                "product_class_id": classes[item.product_class][0].pk if parent is None else None,
                "parent_id": parent.pk if parent else None,
                "upc": item.sku,  # NullCharField: "" is stored as NULL
                "is_public": True,
            }

        # Created last-first: lists sort newest first, so the catalog opens on the fixture's
        # first items (DIN 933 bolts, not the anchors at the end of the file).
        top_rows = {
            (prefix + item.key,): product_row(
                item, Product.PARENT if item.is_parent else Product.STANDALONE, None
            )
            for item in reversed(top)
        }
        child_defs = [(item, child) for item in top for child in item.children]
        codes = [prefix + item.key for item in top] + [prefix + c.key for _, c in child_defs]
        existing = list(Product.objects.filter(code__in=codes))
        stored = upsert(Product, ("code",), top_rows, existing, counts)
        by_key: dict[str, Product] = {code[0][len(prefix) :]: p for code, p in stored.items()}
        child_rows = {
            (prefix + child.key,): product_row(child, Product.CHILD, by_key[item.key])
            for item, child in child_defs
        }
        stored = upsert(Product, ("code",), child_rows, existing, counts)
        by_key.update({code[0][len(prefix) :]: p for code, p in stored.items()})

        # Categories: top-level products only (Oscar forbids them on children).
        desired = {(by_key[i.key].pk, categories[i.category].pk) for i in top}
        top_ids = [by_key[i.key].pk for i in top]
        links = list(ProductCategory.objects.filter(product_id__in=top_ids))
        stale = [link.pk for link in links if (link.product_id, link.category_id) not in desired]
        if stale:
            ProductCategory.objects.filter(pk__in=stale).delete()
            counts.updated += len(stale)
        upsert(
            ProductCategory,
            ("product_id", "category_id"),
            {pair: {} for pair in desired},
            links,
            counts,
        )

        # Attribute values: a child carries only what differs from its parent (Oscar merges them).
        value_rows = {}
        for item in top:
            _, attributes = classes[item.product_class]
            for product_def in [item, *item.children]:
                product = by_key[product_def.key]
                for code, value in product_def.attributes.items():
                    attribute = attributes[code]
                    value_rows[(product.pk, attribute.pk)] = {_VALUE_COLUMN[attribute.type]: value}
        all_ids = [p.pk for p in by_key.values()]
        upsert(
            ProductAttributeValue,
            ("product_id", "attribute_id"),
            value_rows,
            ProductAttributeValue.objects.filter(product_id__in=all_ids),
            counts,
        )

        # Analogs as Oscar's recommendations: the original first, then the others in list order.
        recommendation_rows = {
            (by_key[item.key].pk, by_key[analog].pk): {"ranking": len(item.analogs) - rank}
            for item in top
            for rank, analog in enumerate(item.analogs)
            if analog in by_key
        }
        upsert(
            ProductRecommendation,
            ("primary_id", "recommendation_id"),
            recommendation_rows,
            ProductRecommendation.objects.filter(primary_id__in=top_ids),
            counts,
        )

        # Offers: one stock record per buyable product, with stock in each warehouse.
        buyable = [p for item in top for p in (item.children or [item])]
        record_rows = {
            (partner.pk, item.sku): {
                "product_id": by_key[item.key].pk,
                "price": item.price,
                "price_currency": site.currency,
            }
            for item in buyable
        }
        records = upsert(
            StockRecord,
            ("partner_id", "partner_sku"),
            record_rows,
            StockRecord.objects.filter(partner=partner, partner_sku__in=[i.sku for i in buyable]),
            counts,
        )
        stock_qs = WarehouseStock.objects.filter(
            stockrecord__in=[r.pk for r in records.values()], warehouse__in=warehouses
        )
        stock_list = list(stock_qs)
        allocated = {(s.stockrecord_id, s.warehouse_id): s.num_allocated for s in stock_list}
        stock_rows = {}
        for item in buyable:
            record = records[(partner.pk, item.sku)]
            for warehouse, qty, days in zip(warehouses, item.stock, item.restock_days, strict=True):
                key = (record.pk, warehouse.pk)
                stock_rows[key] = {
                    # Never below what placed orders already hold (the allocation constraint).
                    "num_in_stock": max(qty, allocated.get(key, 0)),
                    "restock_date": self.today + datetime.timedelta(days=days) if days else None,
                }
        upsert(WarehouseStock, ("stockrecord_id", "warehouse_id"), stock_rows, stock_list, counts)

        report.products = len(top)
        report.variants = len(child_defs)
        return by_key

    # --- companies and people ------------------------------------------------------------------

    def _companies(
        self, site: SiteDefinition, storefront: Storefront, counts: Counts
    ) -> dict[str, Company]:
        companies = {}
        for spec in site.companies:
            company = Company.objects.filter(
                storefront=storefront, inn=spec.inn, kpp=spec.kpp
            ).first() or Company(storefront=storefront, inn=spec.inn, kpp=spec.kpp)
            _save_if_changed(
                company,
                {"name": spec.name, "email": spec.email, "phone": spec.phone, "is_active": True},
                counts,
            )
            for address in spec.addresses:
                stored = CompanyAddress.objects.filter(
                    company=company, label=address.label
                ).first() or CompanyAddress(company=company, label=address.label)
                values = {
                    f: getattr(address, f)
                    for f in (
                        "kind",
                        "postcode",
                        "city",
                        "line1",
                        "line2",
                        "contact_name",
                        "contact_phone",
                        "is_default",
                    )
                }
                _save_if_changed(stored, values, counts)
            companies[spec.key] = company
        return companies

    def _password(self) -> str:
        """One hash for every demo account: hashing 30 passwords would cost seconds. Reused from
        the platform admin when it still matches, so a second run rewrites nothing."""
        if self._password_hash is None:
            User = get_user_model()
            admin = User.objects.filter(username=PLATFORM_ADMIN).first()
            if admin is not None and admin.check_password(PASSWORD):
                self._password_hash = admin.password
            else:
                self._password_hash = make_password(PASSWORD)
        return self._password_hash

    def _user(self, login: DemoLogin, counts: Counts, **flags: bool):
        User = get_user_model()
        user = User.objects.filter(username=login.email).first() or User(username=login.email)
        values = {
            "email": login.email,
            "first_name": login.first_name,
            "last_name": login.last_name,
            "is_active": True,
            "is_staff": flags.get("is_staff", False),
            "is_superuser": flags.get("is_superuser", False),
        }
        if user.pk is None or user.password != self._password():
            values["password"] = self._password()
        return _save_if_changed(user, values, counts)

    def _users(
        self,
        site: SiteDefinition,
        storefront: Storefront,
        companies: dict[str, Company],
        report: SiteReport,
    ) -> None:
        groups = {
            link.role: link.group
            for link in StorefrontGroup.objects.filter(storefront=storefront).select_related(
                "group"
            )
        }
        mine = [login for login in logins([site]) if login.storefront == site.code]
        for login in mine:
            if login.is_buyer:
                user = self._user(login, report.rows)
                role = (
                    CompanyMember.Role.ADMIN
                    if login.role == "buyer-admin"
                    else CompanyMember.Role.BUYER
                )
                member = CompanyMember.objects.filter(user=user).first() or CompanyMember(user=user)
                _save_if_changed(
                    member,
                    {"company_id": companies[login.company_key].pk, "role": role},
                    report.rows,
                )
            else:
                user = self._user(login, report.rows, is_staff=True)
                user.groups.add(groups[login.role])
                # The admin speaks the storefront's language to its staff, whatever their
                # browser asks for.
                profile = UserProfile.get_for_user(user)
                if profile.preferred_language != site.language:
                    profile.preferred_language = site.language
                    profile.save(update_fields=["preferred_language"])
        report.users = len(mine)

    def _design(self, site: SiteDefinition, storefront: Storefront, counts: Counts) -> None:
        if not site.design:
            return
        tokens = DesignTokens.for_site(storefront.site)
        before = {name: getattr(tokens, name) for name in site.design}
        for name, value in site.design.items():
            setattr(tokens, name, value)
        # The editor's rules apply to the demo too (valid colors, readable text on the brand
        # color); clean() also normalises the colors, so compare after it.
        tokens.full_clean()
        if {name: getattr(tokens, name) for name in site.design} != before:
            tokens.save()
            counts.updated += 1
        else:
            counts.unchanged += 1

    # --- home page and banners -----------------------------------------------------------------

    def _url(self, text: str, categories: dict[str, Category], products: dict[str, Product]):
        """``{category:key}`` and ``{product:key}`` in a URL become the object's URL."""

        def replace(match: re.Match) -> str:
            kind, key = match.groups()
            target = categories.get(key) if kind == "category" else products.get(key)
            if target is None:
                raise SiteDefinitionError(f"a link names an unknown {kind} {key!r}")
            return target.get_absolute_url()

        return re.sub(r"\{(category|product):([\w\-./]+)\}", replace, text)

    def _block_value(
        self, block: dict, categories: dict[str, Category], products: dict[str, Product]
    ) -> Any:
        kind = block["type"]
        value = {k: v for k, v in block.items() if k != "type"}
        if kind == "rich_text":
            return value.get("html", "")
        if kind == "banners":
            return {"placement": value.get("placement", "home_top")}
        for name in ("cta_url", "button_url", "link_url"):
            if name in value:
                value[name] = self._url(value[name], categories, products)
        if kind == "hero":
            value.setdefault("image", None)
        if kind == "promo_grid":
            value["items"] = [
                {
                    "title": item.get("title", ""),
                    "text": item.get("text", ""),
                    "image": None,
                    "link_url": self._url(item.get("link_url", ""), categories, products),
                }
                for item in value.get("items", [])
            ]
        if kind == "product_carousel":
            key = value.get("category")
            value["category"] = categories[key].pk if key else None
            value["products"] = [
                products[key].pk for key in value.get("products", []) if key in products
            ]
            value.setdefault("source", "products" if value["products"] else "category")
        return value

    def _body(
        self,
        page,
        blocks: tuple[dict, ...],
        categories: dict[str, Category],
        products: dict[str, Product],
        report: SiteReport,
    ) -> list[dict] | None:
        """The StreamField JSON for ``blocks``, or None when the page already has it."""
        stream_block = type(page)._meta.get_field("body").stream_block
        available = set(stream_block.child_blocks)
        missing = sorted({b["type"] for b in blocks} - available)
        if missing:
            raise SiteDefinitionError(
                f"unknown page block(s) {', '.join(missing)}; "
                f"the blocks are: {', '.join(sorted(available))}"
            )
        body = [
            {"type": b["type"], "value": self._block_value(b, categories, products)} for b in blocks
        ]
        if page.pk:
            current = _without_ids(stream_block.get_prep_value(page.body))
            wanted = _without_ids(stream_block.get_prep_value(stream_block.to_python(body)))
            if current == wanted and page.live and page.latest_revision_id:
                return None
        return body

    def _home_page(
        self,
        site: SiteDefinition,
        storefront: Storefront,
        categories: dict[str, Category],
        products: dict[str, Product],
        report: SiteReport,
    ) -> None:
        page = storefront.site.root_page.specific
        body = self._body(page, site.home, categories, products, report)
        if body is None:
            report.rows.unchanged += 1
            return
        page.body = body
        page.save_revision().publish()
        report.rows.updated += 1

    def _landing_pages(
        self,
        site: SiteDefinition,
        storefront: Storefront,
        categories: dict[str, Category],
        products: dict[str, Product],
        report: SiteReport,
    ) -> None:
        if not site.pages:
            return
        home = storefront.site.root_page
        for spec in site.pages:
            page = home.get_children().filter(slug=spec.slug).specific().first()
            if page is None:
                page = LandingPage(title=spec.title, slug=spec.slug)
                page.body = self._body(page, spec.body, categories, products, report)
                home.add_child(instance=page)
                page.save_revision().publish()
                report.rows.created += 1
                continue
            body = self._body(page, spec.body, categories, products, report)
            if body is None and page.title == spec.title:
                report.rows.unchanged += 1
                continue
            page.title = spec.title
            if body is not None:
                page.body = body
            page.save_revision().publish()
            report.rows.updated += 1

    def _banners(
        self,
        site: SiteDefinition,
        storefront: Storefront,
        categories: dict[str, Category],
        products: dict[str, Product],
        companies: dict[str, Company],
        report: SiteReport,
    ) -> None:
        if not site.banners:
            return
        fields = {f.name for f in PromoBanner._meta.get_fields()}
        for spec in site.banners:
            values = {
                "text": spec.text,
                "link_url": self._url(spec.link_url, categories, products),
                "cta_label": spec.cta_label,
                "placement": spec.placement,
                "priority": spec.priority,
            }
            values = {k: v for k, v in values.items() if k in fields}
            banner = PromoBanner.objects.filter(storefront=storefront, title=spec.title).first()
            audience = [companies[key] for key in spec.audience]
            if banner is not None:
                same = all(getattr(banner, k) == v for k, v in values.items())
                if "companies" in fields:
                    stored = sorted(banner.companies.values_list("pk", flat=True))
                    same = same and stored == sorted(c.pk for c in audience)
                if same:
                    report.rows.unchanged += 1
                    continue
                report.rows.updated += 1
            else:
                banner = PromoBanner(storefront=storefront, title=spec.title)
                if "live" in fields:
                    banner.live = False  # published below, through a revision
                report.rows.created += 1
            for name, value in values.items():
                setattr(banner, name, value)
            if spec.go_live_in_days > 0 and "go_live_at" in fields:
                banner.go_live_at = timezone.now() + datetime.timedelta(days=spec.go_live_in_days)
            if "companies" in fields:
                # A ParentalManyToManyField: kept in memory, written by save() and the revision.
                banner.companies.set(audience)
            banner.save()
            banner.save_revision().publish()

    # --- pricing -------------------------------------------------------------------------------

    def _pricing(
        self,
        site: SiteDefinition,
        storefront: Storefront,
        catalog: Catalog,
        categories: dict[str, Category],
        products: dict[str, Product],
        companies: dict[str, Company],
        report: SiteReport,
    ) -> None:
        """Customer groups, a group list with quantity tiers, contract prices and rules from the
        site file's ``[pricing]`` table, all published; then the storefront's prices compiled
        in full, so the demo's orders, pages and API read them at once.

        Products are picked from the storefront's own catalog: the first offers (by SKU) of the
        category named, or of the whole catalog when a small demo has none there.
        """
        spec = site_pricing(site)
        if spec:
            pricing = _DemoPricing(
                storefront, spec, catalog.capped(self.product_limit), categories, products
            )
            groups = pricing.groups(companies, report.rows)
            pricing.group_lists(groups, report.rows)
            pricing.contracts(companies, report.rows)
            pricing.rules(report.rows)
            # "5% off an order over 1,500,000 for regular customers" and a multi-buy.
            promotions_demo.load_demo(storefront, groups)
        compile_prices(storefront, Scope())

    # --- order history -------------------------------------------------------------------------

    #: Past orders per demo company: (PO number, lines, status it has reached).
    ORDER_HISTORY = (("PO-DEMO-1", 4, "delivered"), ("PO-DEMO-2", 3, "confirmed"))

    def _orders(
        self,
        site: SiteDefinition,
        storefront: Storefront,
        companies: dict[str, Company],
        report: SiteReport,
    ) -> None:
        """Two past orders per company, so order history and "repeat order" have something to
        show. Placed through :func:`~pipit.ordering.services.place_order` like a buyer's (stock
        is reserved; the delivered one consumed it); a company that has orders is left alone."""
        storefront = Storefront.objects.get(pk=storefront.pk)  # fresh plugin switches and scope
        products = list(
            with_purchase_info(purchasable_for_storefront(storefront).order_by("pk"), storefront)[
                :60
            ]
        )
        stock = WarehouseStock.objects.filter(warehouse__in=storefront.warehouse_ids)
        before = dict(stock.values_list("pk", "num_in_stock"))
        for index, company in enumerate(companies.values()):
            member = (
                CompanyMember.objects.filter(company=company, user__is_active=True)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            address = company.addresses.filter(kind="delivery").order_by("-is_default").first()
            if member is None or address is None or company.orders.exists():
                report.rows.unchanged += 1
                continue
            for number, (po, size, status) in enumerate(self.ORDER_HISTORY):
                basket = Basket.objects.create(owner=member.user)
                basket.strategy = StorefrontStrategy(storefront=storefront, user=member.user)
                start = (index * 7 + number * 3) % max(1, len(products) - size)
                added = 0
                for position, product in enumerate(products[start:]):
                    if added == size:
                        break
                    quantity = 1 + (position + index) % 4
                    added += len(add_to_basket(basket, [(product, quantity)]).added)
                if not added:
                    basket.delete()
                    continue
                order = place_order(
                    storefront=storefront,
                    user=member.user,
                    basket=basket,
                    shipping_address=address,
                    po_number=po,
                )
                for step in ("confirmed", "picking", "shipped", "delivered"):
                    if order.status == status:
                        break
                    order.set_status(step)
                report.rows.created += 1
        # Delivered orders took their units out of the warehouses; the demo's stock is what the
        # catalog file says (restocked since), so the next load finds nothing to change.
        for pk, num_in_stock in stock.values_list("pk", "num_in_stock"):
            if before.get(pk, num_in_stock) != num_in_stock:
                WarehouseStock.objects.filter(pk=pk).update(num_in_stock=before[pk])

    # --- plugins -----------------------------------------------------------------------------

    def _plugins(self, site: SiteDefinition, storefront: Storefront, report: SiteReport) -> None:
        """Switch on the plugins the site lists, with their settings, and the others off.

        Settings go through the plugin's own settings form, as in the admin: invalid ones stop
        the load. A listed plugin that is not installed is a note, not an error (Pipit installs
        without the first-party plugins too). Each switched-on plugin then loads its own demo
        data through :meth:`~pipit.plugins.base.Plugin.load_demo`.
        """
        installed = plugin_registry.plugins()
        for plugin_id in sorted(set(site.plugins) - set(installed)):
            report.notes.append(f"plugin {plugin_id!r} is not installed; skipped")
        current = activations(storefront)
        for plugin_id, plugin in installed.items():
            activation = current.get(plugin_id)
            if plugin_id not in site.plugins:
                if activation is not None and activation.enabled:
                    activation.enabled = False
                    activation.save(update_fields=["enabled"])
                    report.rows.updated += 1
                continue
            stored = activation.settings if activation else {}
            values = {**_initial_settings(plugin), **stored, **site.plugins[plugin_id]}
            form = settings_form_for(plugin, stored, data=_form_data(values))
            if form is not None and not form.is_valid():
                raise SiteDefinitionError(
                    f"{site.code}: settings of plugin {plugin_id!r}: {form.errors.as_text()}"
                )
            wanted = cleaned_settings(plugin, form, stored)
            if activation is None:
                PluginActivation.objects.create(
                    storefront=storefront, plugin_id=plugin_id, enabled=True, settings=wanted
                )
                report.rows.created += 1
            elif not activation.enabled or activation.settings != wanted:
                activation.enabled, activation.settings = True, wanted
                activation.save(update_fields=["enabled", "settings"])
                report.rows.updated += 1
            else:
                report.rows.unchanged += 1
            forget_activations(storefront)
            plugin.load_demo(storefront)


def site_pricing(site: SiteDefinition) -> dict[str, Any]:
    """The site file's ``[pricing]`` table (read from the file: the definition keeps the tables
    the storefront itself needs)."""
    spec = getattr(site, "pricing", None)
    if spec is not None:
        return dict(spec)
    if site.path is None or not Path(site.path).exists():
        return {}
    with Path(site.path).open("rb") as fh:
        return dict(tomllib.load(fh).get("pricing", {}))


def _share(value: Any) -> Decimal:
    return Decimal(str(value))


class _DemoPricing:
    """Applies one storefront's ``[pricing]`` table; every object is found by its natural key
    (group code, list or rule name) and published again only when it differs."""

    def __init__(
        self,
        storefront: Storefront,
        spec: dict[str, Any],
        top: list[ProductDef],
        categories: dict[str, Category],
        products: dict[str, Product],
    ):
        self.storefront = storefront
        self.spec = spec
        self.categories = categories
        self.products = products
        self.top = top

    def pick(self, category: str | None, count: int) -> list[tuple[Product, Decimal]]:
        """The first ``count`` offers (by SKU) of a category, with their base prices."""

        def offers(items):
            found = [c for item in items for c in (item.children or [item]) if c.price]
            return sorted(found, key=lambda d: d.sku)

        chosen = offers(i for i in self.top if i.category == category) if category else []
        if not chosen:
            chosen = offers(self.top)
        return [(self.products[d.key], d.price) for d in chosen[:count]]

    # customer groups
    def groups(self, companies: dict[str, Company], counts: Counts) -> dict[str, CustomerGroup]:
        result = {}
        for code, spec in self.spec.get("groups", {}).items():
            group = CustomerGroup.objects.filter(
                storefront=self.storefront, code=code
            ).first() or CustomerGroup(storefront=self.storefront, code=code)
            _save_if_changed(
                group,
                {"name": spec["name"], "description": spec.get("description", "")},
                counts,
            )
            wanted = {companies[key].pk for key in spec.get("companies", [])}
            if set(group.companies.values_list("pk", flat=True)) != wanted:
                group.companies.set(wanted)
                counts.updated += 1
            result[code] = group
        return result

    # price lists
    def _list(
        self,
        name: str,
        kind: str,
        rows: set[tuple[int, int | None, int, Decimal]],
        counts: Counts,
        *,
        groups: list[CustomerGroup] = (),
        priority: int = 0,
    ) -> None:
        price_list = PriceList.objects.filter(storefront=self.storefront, name=name).first()
        values = {"kind": kind, "currency": self.storefront.currency, "priority": priority}
        group_ids = {g.pk for g in groups}
        if price_list is None:
            price_list = PriceList(storefront=self.storefront, name=name, live=False, **values)
            counts.created += 1
            changed = True
        else:
            changed = any(getattr(price_list, k) != v for k, v in values.items())
            changed |= {g.pk for g in price_list.groups.all()} != group_ids
            changed |= not price_list.live or price_list.has_unpublished_changes
            for name_, value in values.items():
                setattr(price_list, name_, value)
        stored = (
            {
                (item.product_id, item.company_id, item.min_quantity, item.price): item.pk
                for item in PriceListItem.objects.filter(price_list=price_list)
            }
            if price_list.pk
            else {}
        )
        if set(stored) != rows:
            changed = True
        if not changed:
            counts.unchanged += 1
            return
        if price_list.pk:
            counts.updated += 1
        price_list.groups.set(groups)
        price_list.save()
        stale = [pk for key, pk in stored.items() if key not in rows]
        PriceListItem.objects.filter(pk__in=stale).delete()
        PriceListItem.objects.bulk_create(
            PriceListItem(
                price_list=price_list,
                product_id=product_id,
                company_id=company_id,
                min_quantity=min_quantity,
                price=price,
            )
            for product_id, company_id, min_quantity, price in sorted(
                rows - set(stored), key=lambda r: (r[0], r[1] or 0, r[2])
            )
        )
        price_list.save_revision().publish()

    def group_lists(self, groups: dict[str, CustomerGroup], counts: Counts) -> None:
        for spec in self.spec.get("lists", []):
            rows = {
                (product.pk, None, quantity, (price * _share(share)).quantize(CENT))
                for product, price in self.pick(spec.get("category"), spec.get("products", 5))
                for quantity, share in spec["tiers"]
            }
            self._list(
                spec["name"],
                PriceList.Kind.GROUP,
                rows,
                counts,
                groups=[groups[code] for code in spec.get("groups", [])],
                priority=spec.get("priority", 0),
            )

    def contracts(self, companies: dict[str, Company], counts: Counts) -> None:
        specs = self.spec.get("contracts", [])
        if not specs:
            return
        rows = set()
        for spec in specs:
            company = companies[spec["company"]]
            for product, price in self.pick(spec.get("category"), spec.get("products", 5)):
                for quantity, share in [[1, spec["share"]], *spec.get("tiers", [])]:
                    amount = (price * _share(share)).quantize(CENT)
                    rows.add((product.pk, company.pk, quantity, amount))
        name = self.spec.get("contract_list", "Contract prices")
        self._list(name, PriceList.Kind.COMPANY, rows, counts)

    # rules
    def rules(self, counts: Counts) -> None:
        for spec in self.spec.get("rules", []):
            category = self.categories[spec["category"]]
            value = spec.get("percent_off")
            values = {
                "product_scope": PriceRule.ProductScope.CATEGORIES,
                "customer_scope": PriceRule.CustomerScope.ALL,
                "action": PriceRule.Action.PERCENT_OFF,
                "value": None if value is None else _share(value).quantize(CENT),
                "priority": spec.get("priority", 0),
                "stacking": spec.get("stacking", PriceRule.Stacking.BEST),
                "description": spec.get("description", ""),
            }
            tiers = [(q, _share(v).quantize(CENT)) for q, v in spec.get("tiers", [])]
            rule = PriceRule.objects.filter(storefront=self.storefront, name=spec["name"]).first()
            if rule is None:
                rule = PriceRule(storefront=self.storefront, name=spec["name"], live=False)
                counts.created += 1
            else:
                same = (
                    all(getattr(rule, k) == v for k, v in values.items())
                    and [c.pk for c in rule.categories.all()] == [category.pk]
                    and [(t.min_quantity, t.value) for t in rule.tiers.all()] == tiers
                    and rule.live
                    and not rule.has_unpublished_changes
                )
                if same:
                    counts.unchanged += 1
                    continue
                counts.updated += 1
            for name, value in values.items():
                setattr(rule, name, value)
            rule.categories.set([category])
            rule.tiers.set([PriceRuleTier(min_quantity=q, value=v) for q, v in tiers])
            rule.save()
            rule.save_revision().publish()


CENT = Decimal("0.01")


def _initial_settings(plugin) -> dict[str, Any]:
    """The settings form's initial values: what an admin saving the form untouched would store."""
    if plugin.settings_form is None:
        return {}
    values = {}
    for name, form_field in plugin.settings_form.base_fields.items():
        initial = form_field.initial() if callable(form_field.initial) else form_field.initial
        if initial is not None:
            values[name] = initial
    return values


def _form_data(values: dict[str, Any]) -> dict[str, Any]:
    """Settings values as a bound settings form's data (prefixed, lists kept for multi-choices)."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[f"{SETTINGS_PREFIX}-{name}"] = "on"
            continue
        data[f"{SETTINGS_PREFIX}-{name}"] = value
    return data


def _without_ids(value: Any) -> Any:
    """A StreamField's JSON without the block ids Wagtail generates on every conversion."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def rebuild_search_index() -> str:
    """Rebuild the catalog search index; returns what was done (for the command's report)."""
    rebuild_all()
    return gettext("search index rebuilt")
