"""Storefront staff run companies, orders, prices and stock from the Wagtail admin."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.order.models import OrderStatusChange

from pipit.companies.models import CompanyMember
from pipit.inventory.models import WarehouseStock
from pipit.oscar_apps.order.models import Line, Order
from pipit.tenancy.models import Storefront, StorefrontGroup
from pipit.testing import factories

Role = StorefrontGroup.Role


@pytest.fixture
def admin_client(storefront, client_for):
    return client_for(storefront, factories.staff(storefront, Role.ADMIN))


def make_order(sf, company, number="A-100", status="new"):
    order = Order.objects.create(
        number=number,
        storefront=sf,
        company=company,
        currency=sf.currency,
        total_incl_tax="1200.00",
        total_excl_tax="1000.00",
        status=status,
        po_number="PO-77",
        requested_delivery_date=datetime.date(2030, 5, 17),
        buyer_comment="Gate 3, call before arrival",
    )
    product = factories.product(sf, "Shampoo 1L", price="500.00")
    record = product.stockrecords.get()
    Line.objects.create(
        order=order,
        partner=record.partner,
        stockrecord=record,
        product=product,
        partner_sku=record.partner_sku,
        partner_name=record.partner.name,
        title=product.title,
        quantity=2,
        num_allocated=2,
        line_price_incl_tax="1200.00",
        line_price_excl_tax="1000.00",
        line_price_before_discounts_incl_tax="1200.00",
        line_price_before_discounts_excl_tax="1000.00",
        unit_price_incl_tax="600.00",
        unit_price_excl_tax="500.00",
        status=status,
    )
    return order


def test_storefront_admin_edits_own_storefront(storefront, admin_client):
    url = reverse("commerce_storefronts:edit", args=[storefront.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert "theme" in form.fields
    # Catalog scope and host names belong to the platform operator (superusers).
    assert not {"warehouses", "categories", "extra_hostnames"} & set(form.fields)
    data = {
        "name": "Alpha Pro",
        "extra_hostnames": "pro.alpha.test",
        "language": "en",
        "currency": "RUB",
        "vat_rate": "10",
        "theme": "base",
        "show_prices_to_anonymous": "on",
        "categories": [c.pk for c in storefront.categories.all()],
        "warehouses": [w.pk for w in storefront.warehouses.all()],
        "order_email": "orders@alpha.test",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    storefront.refresh_from_db()
    assert storefront.name == "Alpha Pro" and storefront.show_prices_to_anonymous
    assert storefront.site.site_name == "Alpha Pro"
    assert storefront.vat_rate == 10 and storefront.order_email == "orders@alpha.test"
    assert "pro.alpha.test" not in storefront.hostnames


def test_superuser_edits_a_storefronts_host_names_and_scope(storefront, client_for):
    client = client_for(storefront, factories.superuser())
    url = reverse("commerce_storefronts:edit", args=[storefront.pk])
    north = storefront.warehouses.get(code="alpha-north")
    response = client.post(
        url,
        {
            "name": "Alpha",
            "extra_hostnames": "pro.alpha.test",
            "language": "en",
            "currency": "RUB",
            "vat_rate": "20",
            "theme": "base",
            "categories": [c.pk for c in storefront.categories.all()],
            "warehouses": [north.pk],
            "order_email": "",
        },
    )
    assert response.status_code == 302
    storefront.refresh_from_db()
    assert "pro.alpha.test" in storefront.hostnames
    assert list(storefront.warehouses.all()) == [north]


def test_superuser_creates_a_storefront_with_site_home_and_groups(storefront, client_for):
    client = client_for(storefront, factories.superuser())
    response = client.post(
        reverse("commerce_storefronts:add"),
        {
            "name": "Gamma Tools",
            "code": "gamma",
            "hostname": "gamma.test",
            "port": "80",
            "language": "ru",
            "currency": "RUB",
            "theme": "base",
            "vat_rate": "20",
            "order_email": "",
        },
    )
    assert response.status_code == 302
    gamma = Storefront.objects.get(code="gamma")
    assert gamma.site.hostname == "gamma.test"
    assert gamma.site.root_page.title == "Gamma Tools"
    assert gamma.role_groups.count() == 4
    taken = client.post(
        reverse("commerce_storefronts:add"),
        {
            "name": "X",
            "code": "x",
            "hostname": "gamma.test",
            "port": "80",
            "language": "ru",
            "currency": "RUB",
            "theme": "base",
            "vat_rate": "20",
        },
    )
    assert "already serves a storefront" in taken.content.decode()


def test_admin_adds_a_buyer_who_gets_a_set_password_link(
    storefront, company, admin_client, django_capture_on_commit_callbacks
):
    url = reverse("commerce_companies:add_member", args=[company.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {"email": "new.buyer@alpha-salon.test", "first_name": "Nina", "role": "buyer"},
        )
    assert response.status_code == 302
    member = CompanyMember.objects.get(user__email="new.buyer@alpha-salon.test")
    assert member.company == company and member.role == "buyer"
    assert not member.user.has_usable_password()
    assert re.search(r"http://alpha\.test/shop/password-reset/confirm/\S+/", mail.outbox[0].body)

    again = admin_client.post(
        url, {"email": "new.buyer@alpha-salon.test", "first_name": "Nina", "role": "buyer"}
    )
    assert "already exists" in again.content.decode()

    page = admin_client.get(reverse("commerce_companies:edit", args=[company.pk]))
    assert "new.buyer@alpha-salon.test" in page.content.decode()
    assert "Invited, no password yet" in page.content.decode()


def test_company_edit_saves_inline_addresses(storefront, company, admin_client):
    address = company.addresses.get()
    url = reverse("commerce_companies:edit", args=[company.pk])
    data = {
        "storefront": storefront.pk,
        "name": "Alpha Salon LLC",
        "inn": company.inn,
        "kpp": "",
        "email": "",
        "phone": "",
        "is_active": "on",
        "addresses-TOTAL_FORMS": "1",
        "addresses-INITIAL_FORMS": "1",
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000",
        "addresses-0-id": address.pk,
        "addresses-0-ORDER": "0",
        "addresses-0-label": "Main",
        "addresses-0-kind": "delivery",
        "addresses-0-postcode": "101000",
        "addresses-0-city": "Moscow",
        "addresses-0-line1": "Petrovka 5",
        "addresses-0-line2": "",
        "addresses-0-contact_name": "",
        "addresses-0-contact_phone": "",
        "addresses-0-is_default": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    address.refresh_from_db()
    assert address.line1 == "Petrovka 5"
    bad = admin_client.post(url, {**data, "inn": "123"})
    assert "INN is 10 digits" in bad.content.decode()


def test_order_detail_and_status_change_along_the_pipeline(storefront, company, client_for):
    order = make_order(storefront, company)
    client = client_for(storefront, factories.staff(storefront, Role.MANAGER))
    url = reverse("commerce_orders:edit", args=[order.pk])
    page = client.get(url).content.decode()
    for text in ["A-100", "PO-77", "Gate 3, call before arrival", "Shampoo 1L", company.name]:
        assert text in page
    # "delivered" is not reachable from "new"; the form refuses it.
    refused = client.post(url, {"status": "delivered"})
    assert refused.status_code == 200
    order.refresh_from_db()
    assert order.status == "new"

    assert client.post(url, {"status": "confirmed"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "confirmed"
    change = OrderStatusChange.objects.get(order=order)
    assert (change.old_status, change.new_status) == ("new", "confirmed")


def test_order_list_filters_by_status(storefront, company, client_for):
    make_order(storefront, company, "A-1", status="new")
    make_order(storefront, company, "A-2", status="shipped")
    client = client_for(storefront, factories.staff(storefront, Role.MANAGER))
    listing = client.get(reverse("commerce_orders:index"), {"status": "shipped"}).content.decode()
    assert "A-2" in listing and "A-1" not in listing


def test_sales_ops_edits_price_stock_and_restock_date(storefront, client_for):
    product = factories.product(storefront, "Hair dye", price="300.00", stock={"main": 4})
    record = product.stockrecords.get()
    main, north = storefront.warehouses.order_by("priority")
    client = client_for(storefront, factories.staff(storefront, Role.PRICING))
    url = reverse("commerce_products:edit", args=[product.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"price_{record.pk}": "325.50",
            f"stock_{record.pk}_{main.pk}": "12",
            f"restock_{record.pk}_{main.pk}": "",
            f"stock_{record.pk}_{north.pk}": "0",
            f"restock_{record.pk}_{north.pk}": "2030-01-15",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert str(record.price) == "325.50"
    assert WarehouseStock.objects.get(stockrecord=record, warehouse=main).num_in_stock == 12
    north_row = WarehouseStock.objects.get(stockrecord=record, warehouse=north)
    assert north_row.restock_date == datetime.date(2030, 1, 15)


def test_stock_cannot_drop_below_reserved_units(storefront, client_for):
    product = factories.product(storefront, "Comb", stock={"main": 10})
    row = WarehouseStock.objects.get(stockrecord__product=product)
    row.num_allocated = 6
    row.save()
    client = client_for(storefront, factories.staff(storefront, Role.PRICING))
    response = client.post(
        reverse("commerce_stock:edit", args=[row.pk]), {"num_in_stock": "3", "restock_date": ""}
    )
    assert "reserved by placed orders" in response.content.decode()
    row.refresh_from_db()
    assert row.num_in_stock == 10


def test_stock_list_shows_out_of_stock_and_low(storefront, client_for):
    factories.product(storefront, "Plenty item", stock={"main": 50})
    factories.product(storefront, "Low item", stock={"main": 2})
    factories.product(storefront, "Gone item", stock={"main": 0})
    client = client_for(storefront, factories.staff(storefront, Role.PRICING))
    out = client.get(reverse("commerce_stock:index"), {"level": "out"}).content.decode()
    assert "Gone item" in out and "Low item" not in out and "Plenty item" not in out
    low = client.get(reverse("commerce_stock:index"), {"level": "low"}).content.decode()
    assert "Low item" in low and "Gone item" not in low and "Plenty item" not in low


def test_dashboard_summarises_pending_requests_and_new_orders(storefront, company, client_for):
    make_order(storefront, company)
    client = client_for(storefront, factories.staff(storefront, Role.MANAGER))
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Your storefronts" in home and "New orders, last 7 days" in home
    editor_home = client_for(storefront, factories.staff(storefront, Role.EDITOR))
    assert (
        "New orders, last 7 days"
        not in editor_home.get(reverse("wagtailadmin_home")).content.decode()
    )


@pytest.mark.parametrize(
    "listing",
    [
        "commerce_orders:index",
        "commerce_companies:index",
        "commerce_stock:index",
        "commerce_products:index",
    ],
)
def test_listing_query_count_does_not_grow_with_rows(storefront, company, client_for, listing):
    client = client_for(storefront, factories.staff(storefront, Role.ADMIN))
    make_order(storefront, company, "A-0")
    client.get(reverse(listing))  # warm caches (host map, permissions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(listing)).status_code == 200
    for n in range(1, 6):
        make_order(storefront, factories.company(storefront), f"A-{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(listing))
    assert len(many.captured_queries) == len(few.captured_queries) <= 25
