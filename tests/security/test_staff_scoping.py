"""Storefront staff reach only their own storefronts' data in the Wagtail admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pipit.companies.models import RegistrationRequest
from pipit.oscar_apps.order.models import Order
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

Role = StorefrontGroup.Role


def make_order(sf, company, number, status="new"):
    return Order.objects.create(
        number=number,
        storefront=sf,
        company=company,
        currency=sf.currency,
        total_incl_tax="120.00",
        total_excl_tax="100.00",
        status=status,
    )


@pytest.fixture
def beta_company(other_storefront):
    return factories.company(other_storefront, "Beta Trade LLC")


@pytest.fixture
def beta_objects(other_storefront, beta_company):
    request = RegistrationRequest.objects.create(
        storefront=other_storefront,
        company_name="Beta Applicant",
        inn="7701000001",
        contact_name="Bob",
        email="bob@applicant.test",
        phone="+7 900 000 00 00",
    )
    product = factories.product(other_storefront, "Beta drill", stock={"main": 3})
    return {
        "company": beta_company,
        "order": make_order(other_storefront, beta_company, "B-1"),
        "request": request,
        "product": product,
        "stock": product.stockrecords.get().warehouse_stocks.get(),
    }


def denied(response) -> bool:
    """404 (not yours), 403, or Wagtail's "no permission" bounce to the admin home."""
    if response.status_code == 302:
        return response.url == reverse("wagtailadmin_home")
    return response.status_code in (403, 404)


def beta_urls(objects, other_storefront):
    return {
        "company": reverse("commerce_companies:edit", args=[objects["company"].pk]),
        "add member": reverse("commerce_companies:add_member", args=[objects["company"].pk]),
        "company history": reverse("commerce_companies:history", args=[objects["company"].pk]),
        "order": reverse("commerce_orders:edit", args=[objects["order"].pk]),
        "storefront": reverse("commerce_storefronts:edit", args=[other_storefront.pk]),
        "registration request": reverse(
            "commerce_registration_requests:edit", args=[objects["request"].pk]
        ),
        "product": reverse("commerce_products:edit", args=[objects["product"].pk]),
        "stock": reverse("commerce_stock:edit", args=[objects["stock"].pk]),
    }


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.EDITOR, Role.PRICING])
def test_staff_of_alpha_cannot_open_betas_objects(
    role, storefront, other_storefront, beta_objects, client_for
):
    client = client_for(storefront, factories.staff(storefront, role))
    for name, url in beta_urls(beta_objects, other_storefront).items():
        response = client.get(url)
        assert denied(response), f"{role} opened beta's {name}: {response.status_code}"
        # A POST must not change anything either.
        assert denied(client.post(url, {"status": "cancelled", "reason": "x", "approve": "1"}))
    beta_objects["order"].refresh_from_db()
    assert beta_objects["order"].status == "new"
    beta_objects["request"].refresh_from_db()
    assert beta_objects["request"].status == RegistrationRequest.Status.PENDING


def test_admin_of_alpha_gets_404_not_403_for_betas_company_and_order(
    storefront, other_storefront, beta_objects, client_for
):
    client = client_for(storefront, factories.staff(storefront, Role.ADMIN))
    urls = beta_urls(beta_objects, other_storefront)
    for name in ["company", "order", "storefront", "registration request", "product", "stock"]:
        assert client.get(urls[name]).status_code == 404, name


def test_manager_sees_only_own_storefronts_orders(
    storefront, other_storefront, company, beta_objects, client_for
):
    make_order(storefront, company, "A-1")
    client = client_for(storefront, factories.staff(storefront, Role.MANAGER))
    response = client.get(reverse("commerce_orders:index"))
    assert response.status_code == 200
    assert b"A-1" in response.content
    assert b"B-1" not in response.content
    # Filtering by the other storefront's id or company does not reveal anything.
    response = client.get(
        reverse("commerce_orders:index"),
        {"storefront": other_storefront.pk, "company": beta_objects["company"].pk},
    )
    assert b"B-1" not in response.content


def test_company_and_request_lists_are_scoped(storefront, company, beta_objects, client_for):
    RegistrationRequest.objects.create(
        storefront=storefront,
        company_name="Alpha Applicant",
        inn="7701000002",
        contact_name="Al",
        email="al@applicant.test",
        phone="1",
    )
    client = client_for(storefront, factories.staff(storefront, Role.MANAGER))
    companies = client.get(reverse("commerce_companies:index")).content.decode()
    assert company.name in companies and "Beta Trade" not in companies
    requests = client.get(reverse("commerce_registration_requests:index")).content.decode()
    assert "Alpha Applicant" in requests and "Beta Applicant" not in requests


def test_product_and_stock_lists_are_scoped(storefront, beta_objects, client_for):
    factories.product(storefront, "Alpha hammer", stock={"main": 2})
    client = client_for(storefront, factories.staff(storefront, Role.PRICING))
    products = client.get(reverse("commerce_products:index")).content.decode()
    assert "Alpha hammer" in products and "Beta drill" not in products
    stock = client.get(reverse("commerce_stock:index")).content.decode()
    assert "Alpha hammer" in stock and "Beta drill" not in stock


def test_new_company_cannot_be_put_on_another_storefront(storefront, other_storefront, client_for):
    client = client_for(storefront, factories.staff(storefront, Role.ADMIN))
    response = client.post(
        reverse("commerce_companies:add"),
        {
            "storefront": other_storefront.pk,
            "name": "Smuggled LLC",
            "inn": "7701000003",
            "kpp": "",
            "email": "",
            "phone": "",
            "is_active": "on",
            "addresses-TOTAL_FORMS": "0",
            "addresses-INITIAL_FORMS": "0",
            "addresses-MIN_NUM_FORMS": "0",
            "addresses-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200  # the form is shown again with an error
    assert not other_storefront.companies.filter(name="Smuggled LLC").exists()


def test_only_superusers_may_create_storefronts(storefront, client_for):
    client = client_for(storefront, factories.staff(storefront, Role.ADMIN))
    assert denied(client.get(reverse("commerce_storefronts:add")))


def test_design_tokens_of_another_storefront_are_out_of_reach(
    storefront, other_storefront, client_for
):
    editor = factories.staff(storefront, Role.EDITOR)
    client = client_for(storefront, editor)
    own = reverse("wagtailsettings:edit", args=["themes", "designtokens", storefront.site.pk])
    other = reverse(
        "wagtailsettings:edit", args=["themes", "designtokens", other_storefront.site.pk]
    )
    assert client.get(own).status_code == 200
    assert denied(client.get(other))
    assert denied(client.post(other, {"brand_color": "#ff0000", "font": "system"}))
    from pipit.themes.models import DesignTokens

    assert DesignTokens.for_site(other_storefront.site).brand_color != "#ff0000"
    # The settings menu link lands on the storefront's own tokens.
    landing = client.get(reverse("wagtailsettings:edit", args=["themes", "designtokens"]))
    assert landing.status_code == 302
    assert landing.url == own


def test_manager_cannot_edit_design_tokens_at_all(storefront, client_for):
    client = client_for(storefront, factories.staff(storefront, Role.MANAGER))
    own = reverse("wagtailsettings:edit", args=["themes", "designtokens", storefront.site.pk])
    assert denied(client.get(own))


def _menu(client) -> str:
    return client.get(reverse("wagtailadmin_home")).content.decode()


def test_menu_items_follow_the_role(storefront, client_for):
    editor_menu = _menu(client_for(storefront, factories.staff(storefront, Role.EDITOR)))
    manager_menu = _menu(client_for(storefront, factories.staff(storefront, Role.MANAGER)))
    root_menu = _menu(client_for(storefront, factories.superuser()))
    assert "/admin/orders/" not in editor_menu
    assert "/admin/companies/" not in editor_menu
    assert "/admin/products/" in editor_menu  # editors may look products up, not price them
    assert "/admin/orders/" in manager_menu
    assert "/admin/registration_requests/" in manager_menu
    assert "/admin/storefronts/" not in manager_menu
    assert "/shop/dashboard/" not in manager_menu
    assert "/shop/dashboard/" in root_menu


def test_storefront_admin_cannot_take_other_storefronts_categories_or_warehouses(
    storefront, other_storefront, client_for
):
    client = client_for(storefront, factories.staff(storefront, Role.ADMIN))
    url = reverse("commerce_storefronts:edit", args=[storefront.pk])

    page = client.get(url).content.decode()
    assert "Beta catalog" not in page and "beta-main" not in page
    assert 'name="categories"' not in page and 'name="warehouses"' not in page

    beta_category = other_storefront.categories.get()
    beta_warehouse = other_storefront.warehouses.first()
    client.post(
        url,
        {
            "name": "Alpha renamed",
            "language": "en",
            "currency": "RUB",
            "vat_rate": "20",
            "theme": "base",
            "order_email": "",
            "categories": [beta_category.pk],
            "warehouses": [beta_warehouse.pk],
            "extra_hostnames": "beta.test",
        },
    )
    storefront.refresh_from_db()
    assert storefront.name == "Alpha renamed"  # the allowed fields were saved
    assert beta_category not in storefront.categories.all()
    assert beta_warehouse not in storefront.warehouses.all()
    assert "beta.test" not in storefront.extra_hostnames


def test_superuser_sets_a_storefronts_catalog_scope(storefront, client_for):
    client = client_for(storefront, factories.superuser())
    page = client.get(reverse("commerce_storefronts:edit", args=[storefront.pk])).content.decode()
    assert 'name="categories"' in page and 'name="warehouses"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/admin/reports/site-history/",
        "/admin/reports/page-types-usage/",
        "/admin/reports/aging-pages/",
    ],
)
def test_wagtail_reports_listing_every_storefront_are_for_superusers_only(
    storefront, other_storefront, client_for, path
):
    editor = client_for(storefront, factories.staff(storefront, Role.ADMIN))
    superuser = client_for(storefront, factories.superuser())
    assert editor.get(path).status_code == 403
    assert superuser.get(path).status_code == 200
    # The sidebar menu (rendered as JSON props) offers the reports to the superuser only.
    assert "/admin/reports/site-history/" not in editor.get("/admin/").content.decode()
    assert "/admin/reports/site-history/" in superuser.get("/admin/").content.decode()


def test_sales_ops_cannot_change_a_price_another_storefront_also_charges(
    storefront, other_storefront, client_for
):
    # Beta sells from alpha's partner too (its "main" warehouse): one base price for both.
    product = factories.product(storefront, "Shared dye", price="300.00", stock={"main": 4})
    record = product.stockrecords.get()
    main = storefront.warehouses.get(code="alpha-main")
    other_storefront.warehouses.add(main)
    other_storefront.categories.add(storefront.categories.get())

    client = client_for(storefront, factories.staff(storefront, Role.PRICING))
    url = reverse("commerce_products:edit", args=[product.pk])
    assert "ask a platform admin" in client.get(url).content.decode()
    client.post(url, {f"price_{record.pk}": "1.00", f"stock_{record.pk}_{main.pk}": "4"})
    record.refresh_from_db()
    assert str(record.price) == "300.00"
