"""A company's own codes: seen by its members, edited by its admin, matched for it alone."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from pipit.companies.models import CompanyMember
from pipit.testing import factories

from pipit_quick_order.models import SkuAlias

URL = "/shop/p/quick_order/aliases/"
QUICK = "/shop/p/quick_order/"


def make_admin(user):
    CompanyMember.objects.filter(user=user).update(role=CompanyMember.Role.ADMIN)
    return user


def test_company_admin_adds_an_alias_and_quick_order_finds_it(
    buyer_client, buyer, company, enabled, catalog
):
    make_admin(buyer)
    response = buyer_client.post(URL, {"action": "add", "alias": "our 77-1", "sku": "ddf 2000"})
    assert response.status_code == 302
    alias = SkuAlias.objects.get(company=company)
    assert (alias.alias, alias.normalised, alias.product) == (
        "our 77-1",
        "OUR771",
        catalog["short"],
    )
    page = buyer_client.get(URL).content.decode()
    assert "our 77-1" in page and "Brake pads" in page
    result = buyer_client.post(QUICK, {"text": "X 1\nOUR-77-1 2"}).context["result"]
    line = result.lines[1]
    assert (line.status.value, line.offer.pk, line.via_alias) == (
        "ok",
        catalog["short"].pk,
        "OUR771",
    )


def test_alias_form_explains_what_is_wrong(buyer_client, buyer, enabled, catalog):
    make_admin(buyer)
    html = buyer_client.post(URL, {"action": "add", "alias": "X-1", "sku": "15208-65F0F"}).content
    assert "Did you mean 15208-65F0E?" in html.decode()
    html = buyer_client.post(URL, {"action": "add", "alias": "C-2029", "sku": "DDF-2000"}).content
    assert "is already a SKU on this storefront" in html.decode()
    assert not SkuAlias.objects.exists()


def test_members_see_aliases_but_only_the_admin_changes_them(
    client_for, storefront, buyer, colleague, company, enabled, catalog
):
    alias = SkuAlias.objects.create(company=company, alias="MY-1", product=catalog["filter"])
    member = client_for(storefront, colleague)
    page = member.get(URL).content.decode()
    assert "MY-1" in page and "Ask your company" in page
    response = member.post(URL, {"action": "delete", "alias": alias.pk})
    assert response.status_code == 403
    assert SkuAlias.objects.filter(pk=alias.pk).exists()
    make_admin(buyer)
    client_for(storefront, buyer).post(URL, {"action": "delete", "alias": alias.pk})
    assert not SkuAlias.objects.filter(pk=alias.pk).exists()


def test_aliases_of_one_company_are_invisible_to_another(
    client_for, storefront, company, other_buyer, enabled, catalog
):
    alias = SkuAlias.objects.create(company=company, alias="SECRET-9", product=catalog["filter"])
    make_admin(other_buyer)
    rival = client_for(storefront, other_buyer)
    assert "SECRET-9" not in rival.get(URL).content.decode()
    result = rival.post(QUICK, {"text": "X 1\nSECRET-9 1"}).context["result"]
    assert result.lines[1].status.value == "unmatched"
    rival.post(URL, {"action": "delete", "alias": alias.pk})  # not theirs: nothing happens
    assert SkuAlias.objects.filter(pk=alias.pk).exists()


def test_csv_import_reports_rejected_rows(buyer_client, buyer, company, enabled, catalog):
    make_admin(buyer)
    SkuAlias.objects.create(company=company, alias="OLD-1", product=catalog["filter"])
    data = (
        "Наш код;Артикул\n"
        "OLD-1;DDF-2000\n"  # changed
        "NEW-1;15208-65F0E\n"  # added
        "NEW-2;NOPE-1\n"  # unknown SKU
        "new 1;C 2029\n"  # same code as row 3
        "C-2029;DDF-2000\n"  # a real SKU
        ";DDF-2000\n"
    ).encode()
    upload = SimpleUploadedFile("aliases.csv", data, content_type="text/csv")
    response = buyer_client.post(URL, {"action": "import", "file": upload})
    html = response.content.decode()
    assert "Import: 1 added, 1 changed, 0 unchanged, 4 rejected." in html
    report = response.context["report"]
    assert [(r.number, r.alias) for r in report.rejected] == [
        (4, "NEW-2"),
        (5, "new 1"),
        (6, "C-2029"),
        (7, ""),
    ]
    assert "No product has SKU NOPE-1" in html and "The same code is on row 3." in html
    assert dict(SkuAlias.objects.values_list("alias", "product")) == {
        "OLD-1": catalog["short"].pk,
        "NEW-1": catalog["filter"].pk,
    }


def test_admin_viewset_lists_only_aliases_of_the_staffs_storefronts(
    client_for, storefront, other_storefront, company, enabled, catalog
):
    from pipit.plugins.testing import enable_plugin

    enable_plugin(other_storefront, "quick_order")
    SkuAlias.objects.create(company=company, alias="ALPHA-1", product=catalog["filter"])
    beta_product = factories.product(other_storefront, "Beta thing", sku="B-1")
    SkuAlias.objects.create(
        company=factories.company(other_storefront), alias="BETA-1", product=beta_product
    )
    manager = factories.staff(storefront, "manager")
    client = client_for(storefront, manager)
    response = client.get("/admin/quick_order_aliases/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ALPHA-1" in html and "BETA-1" not in html
    beta = SkuAlias.objects.get(alias="BETA-1")
    assert client.get(f"/admin/quick_order_aliases/edit/{beta.pk}/").status_code == 404


def test_staff_add_an_alias_by_sku_in_the_admin(client_for, storefront, company, enabled, catalog):
    admin = factories.staff(storefront, "admin")
    client = client_for(storefront, admin)
    form = client.get("/admin/quick_order_aliases/new/")
    assert form.status_code == 200
    response = client.post(
        "/admin/quick_order_aliases/new/",
        {"company": company.pk, "alias": "ADM-7", "sku": "15208-65f0f"},
    )
    assert "Did you mean 15208-65F0E?" in response.content.decode()
    response = client.post(
        "/admin/quick_order_aliases/new/",
        {"company": company.pk, "alias": "ADM-7", "sku": "15208 65f0e"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alias = SkuAlias.objects.get(alias="ADM-7")
    assert (alias.company, alias.product) == (company, catalog["filter"])


def test_a_broken_workbook_in_the_alias_import_is_a_clear_error(buyer_client, buyer, enabled):
    make_admin(buyer)
    upload = SimpleUploadedFile("aliases.xlsx", b"PK\x03\x04 not really a zip")
    response = buyer_client.post(URL, {"action": "import", "file": upload})
    assert response.status_code == 200
    assert "could not be read as an XLSX workbook" in response.content.decode()
    assert not SkuAlias.objects.exists()
