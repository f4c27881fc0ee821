"""Factories for tests. Every function creates real rows through the same services the product uses."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.apps.catalogue.models import (
    AttributeOption,
    AttributeOptionGroup,
    Category,
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductCategory,
    ProductClass,
)

from pipit.companies.models import Company, CompanyAddress, CompanyMember
from pipit.inventory.models import Warehouse, WarehouseStock
from pipit.oscar_apps.partner.models import Partner, StockRecord
from pipit.tenancy.models import Storefront, StorefrontGroup
from pipit.tenancy.services import StorefrontSpec, provision_storefront

PASSWORD = "pipit-test-pass"
_seq = itertools.count(1)


def storefront(
    code: str = "shop",
    *,
    hostname: str | None = None,
    theme: str = "base",
    language: str = "en",
    currency: str = "RUB",
    show_prices_to_anonymous: bool = False,
    warehouses: tuple[str, ...] = ("main", "north"),
) -> Storefront:
    """A storefront at ``<code>.test`` with a partner, warehouses and a root category."""
    sf = provision_storefront(
        StorefrontSpec(
            code=code,
            name=code.title(),
            hostname=hostname or f"{code}.test",
            language=language,
            currency=currency,
            theme=theme,
            show_prices_to_anonymous=show_prices_to_anonymous,
        )
    )
    partner, _ = Partner.objects.get_or_create(
        code=f"{code}-supplier", defaults={"name": f"{code} supplier"}
    )
    for priority, wh in enumerate(warehouses):
        warehouse, _ = Warehouse.objects.get_or_create(
            code=f"{code}-{wh}",
            defaults={"partner": partner, "name": f"{wh.title()} warehouse", "priority": priority},
        )
        sf.warehouses.add(warehouse)
    root = create_from_breadcrumbs(f"{code.title()} catalog")
    sf.categories.add(root)
    return Storefront.objects.get(pk=sf.pk)  # fresh: drop cached scope properties


def category(sf: Storefront, *names: str) -> Category:
    """A category path under the storefront's root category, e.g. ``category(sf, "Tools", "Saws")``."""
    root = sf.categories.order_by("path").first()
    return create_from_breadcrumbs(" > ".join([root.name, *names]))


def product_class(name: str = "Goods") -> ProductClass:
    pc, _ = ProductClass.objects.get_or_create(name=name, defaults={"track_stock": True})
    return pc


def product(
    sf: Storefront,
    title: str = "",
    *,
    price: str | Decimal = "100.00",
    stock: dict[str, int] | None = None,
    restock: dict[str, datetime.date] | None = None,
    categories: list[Category] | None = None,
    sku: str | None = None,
    product_class_name: str = "Goods",
    parent: Product | None = None,
) -> Product:
    """A product sold by the storefront's partner with stock per warehouse (``{"main": 5}``)."""
    n = next(_seq)
    title = title or f"Product {n}"
    if parent is not None:
        p = Product.objects.create(structure=Product.CHILD, parent=parent, title=title)
    else:
        p = Product.objects.create(
            title=title, product_class=product_class(product_class_name), upc=sku or f"UPC{n:06d}"
        )
        for cat in categories or [sf.categories.order_by("path").first()]:
            ProductCategory.objects.create(product=p, category=cat)
    warehouse = Warehouse.objects.filter(storefronts=sf).select_related("partner").first()
    record = StockRecord.objects.create(
        product=p,
        partner=warehouse.partner,
        partner_sku=sku or f"SKU-{n:06d}",
        price=Decimal(price),
        price_currency=sf.currency,
    )
    for wh_code, qty in (stock if stock is not None else {"main": 10}).items():
        WarehouseStock.objects.create(
            stockrecord=record,
            warehouse=Warehouse.objects.get(code=f"{sf.code}-{wh_code}"),
            num_in_stock=qty,
            restock_date=(restock or {}).get(wh_code),
        )
    return p


def parent_product(sf: Storefront, title: str, variants: list[dict], **kwargs) -> Product:
    """A parent product with one child per item of ``variants`` (kwargs for :func:`product`)."""
    parent = Product.objects.create(
        title=title, structure=Product.PARENT, product_class=product_class("Variants")
    )
    for cat in kwargs.get("categories") or [sf.categories.order_by("path").first()]:
        ProductCategory.objects.create(product=parent, category=cat)
    for variant in variants:
        product(sf, parent=parent, **variant)
    return parent


def company(sf: Storefront, name: str = "", *, inn: str | None = None) -> Company:
    n = next(_seq)
    c = Company.objects.create(
        storefront=sf, name=name or f"Company {n}", inn=inn or f"{7700000000 + n}"
    )
    CompanyAddress.objects.create(
        company=c,
        label="Main",
        postcode="101000",
        city="Moscow",
        line1=f"Tverskaya {n}",
        kind="delivery",
        is_default=True,
        contact_name="Ivan Petrov",
        contact_phone="+74950000000",
    )
    return c


def user(email: str, *, password: str = PASSWORD, **extra):
    User = get_user_model()
    u = User.objects.create_user(
        username=email[:30] + str(next(_seq)), email=email, password=password, **extra
    )
    return u


def buyer(comp: Company, email: str | None = None, *, role: str = CompanyMember.Role.BUYER):
    u = user(
        email or f"buyer{next(_seq)}@{comp.storefront.code}.test",
        first_name="Anna",
        last_name="Buyer",
    )
    CompanyMember.objects.create(user=u, company=comp, role=role)
    return u


def staff(sf: Storefront, role: str = StorefrontGroup.Role.EDITOR, email: str | None = None):
    u = user(email or f"{role}{next(_seq)}@{sf.code}.test", is_staff=True)
    u.groups.add(StorefrontGroup.objects.get(storefront=sf, role=role).group)
    return u


def superuser(email: str = "root@pipit.test"):
    return user(email, is_staff=True, is_superuser=True)


def attribute_value(
    p: Product,
    code: str,
    value: str | int | float | bool,
    *,
    name: str | None = None,
    option: bool = False,
) -> ProductAttributeValue:
    """Set attribute ``code`` of a product (or variant) to ``value``, creating the attribute on
    the product's class. The type follows the value (text, integer, float, boolean), or an option
    list with ``option=True``: ``attribute_value(p, "brand", "Makita", option=True)``."""
    if option:
        kind = ProductAttribute.OPTION
    elif isinstance(value, bool):
        kind = ProductAttribute.BOOLEAN
    elif isinstance(value, int):
        kind = ProductAttribute.INTEGER
    elif isinstance(value, float):
        kind = ProductAttribute.FLOAT
    else:
        kind = ProductAttribute.TEXT
    group = None
    if option:
        group, _ = AttributeOptionGroup.objects.get_or_create(
            code=code, defaults={"name": name or code.replace("_", " ").title()}
        )
    attribute, _ = ProductAttribute.objects.get_or_create(
        product_class=p.get_product_class(),
        code=code,
        defaults={
            "name": name or code.replace("_", " ").title(),
            "type": kind,
            "option_group": group,
        },
    )
    stored = value
    if attribute.type == ProductAttribute.OPTION:
        stored, _ = AttributeOption.objects.get_or_create(
            group=attribute.option_group, option=str(value)
        )
    pav, _ = ProductAttributeValue.objects.update_or_create(
        product=p, attribute=attribute, defaults={f"value_{attribute.type}": stored}
    )
    return pav


def token_client(sf: Storefront, user, password: str = PASSWORD):
    """A DRF test client on the storefront's host, authenticated the way integrations are:
    a token obtained from ``POST /api/v1/auth/token/``."""
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=sf.site.hostname)
    response = client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client
