"""The buyer's pages: the index, one list (edit, add, rename, delete), shared in the company,
closed to everyone else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pipit.companies.models import CompanyMember
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from pipit_saved_lists.models import SavedList

from .helpers import make_list

pytestmark = pytest.mark.django_db


def detail_url(saved_list) -> str:
    return reverse("saved_lists:detail", kwargs={"pk": saved_list.pk})


def formset_data(saved_list, changes=None, **extra) -> dict:
    """The detail form as the browser posts it, with ``changes`` {item: {field: value}}."""
    items = list(saved_list.items.order_by("sort_order", "pk"))
    data = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        values = {"quantity": item.quantity, "note": item.note, **(changes or {}).get(item, {})}
        data[f"items-{index}-id"] = str(item.pk)
        for name, value in values.items():
            data[f"items-{index}-{name}"] = str(value)
    data.update(extra)
    return data


def test_index_lists_the_company_lists_with_counts_and_who_changed_them(
    enabled, storefront, company, buyer, colleague, buyer_client, shampoo, mask
):
    make_list(storefront, company, colleague, "Monthly restock", [(shampoo, 10), (mask, 1)])
    make_list(storefront, company, buyer, "Urgent top-up", [(mask, 2)])

    html = buyer_client.get(reverse("saved_lists:index")).content.decode()

    assert "Monthly restock" in html and "Urgent top-up" in html
    assert "boris@alpha-salon.test" not in html  # full names are shown
    assert html.count("Anna Buyer") >= 2  # created by / changed by
    assert '<td class="num">2</td>' in html and '<td class="num">1</td>' in html
    # The account menu has the plugin's item, marked as the current page.
    assert 'class="nav-link active" aria-current="page">Saved lists</a></li>' in html


def test_buyer_creates_a_list_and_lands_on_it(enabled, buyer, buyer_client):
    response = buyer_client.post(reverse("saved_lists:create"), {"name": " Monthly restock "})

    saved_list = SavedList.objects.get()
    assert response.status_code == 302 and response.url == detail_url(saved_list)
    assert saved_list.name == "Monthly restock" and saved_list.created_by == buyer
    page = buyer_client.get(response.url).content.decode()
    assert "This list is empty." in page and "Monthly restock" in page


def test_a_name_is_unique_in_the_company_whatever_the_case(
    enabled, storefront, company, buyer, other_company, other_buyer, buyer_client, client_for
):
    make_list(storefront, company, buyer, "Monthly restock")

    response = buyer_client.post(reverse("saved_lists:create"), {"name": "MONTHLY restock"})
    assert response.status_code == 200
    assert "Your company already has a list named “MONTHLY restock”." in response.content.decode()
    # Another company may use the same name.
    other = client_for(storefront, other_buyer).post(
        reverse("saved_lists:create"), {"name": "Monthly restock"}
    )
    assert other.status_code == 302
    assert SavedList.objects.filter(name__iexact="monthly restock").count() == 2


def test_detail_shows_todays_price_stock_and_totals(
    enabled, storefront, company, buyer, buyer_client, shampoo, mask
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 4), (mask, 1)])
    record = shampoo.stockrecords.get()
    record.price = "300.00"  # the price changed after the list was made
    record.save()

    html = buyer_client.get(detail_url(saved_list)).content.decode()

    assert "Argan Shampoo" in html and "SH-250" in html
    assert "RUB300.00" in html and "RUB1,200.00" in html  # 4 × today's 300.00
    assert "50 in stock" in html and "2 in stock" in html
    assert "Today's total for 2 priced products" in html
    assert "Only 2 available" not in html

    # A quantity beyond today's stock is pointed out on its line before it goes to the cart.
    mask_item = saved_list.items.get(sku="MK-990")
    mask_item.quantity = 3
    mask_item.save()
    html = buyer_client.get(detail_url(saved_list)).content.decode()
    assert (
        '<p class="line-warning">Only 2 available in the warehouses of this storefront</p>' in html
    )


def test_buyer_edits_quantities_and_notes_and_removes_an_item(
    enabled, storefront, company, buyer, colleague, buyer_client, shampoo, mask
):
    saved_list = make_list(storefront, company, colleague, lines=[(shampoo, 4), (mask, 1)])
    shampoo_item, mask_item = saved_list.items.order_by("sort_order")

    response = buyer_client.post(
        detail_url(saved_list),
        formset_data(saved_list, {shampoo_item: {"quantity": 12, "note": "for the Arbat salon"}}),
    )
    assert response.status_code == 302
    shampoo_item.refresh_from_db()
    assert (shampoo_item.quantity, shampoo_item.note) == (12, "for the Arbat salon")
    saved_list.refresh_from_db()
    assert saved_list.updated_by == buyer  # the index shows who changed it

    # The row's "Remove" button posts the form with that row's DELETE field.
    response = buyer_client.post(
        detail_url(saved_list), formset_data(saved_list, **{"items-1-DELETE": "on"})
    )
    assert response.status_code == 302
    assert list(saved_list.items.values_list("title", flat=True)) == ["Argan Shampoo"]
    page = buyer_client.get(response.url).content.decode()
    assert "“Clay Mask” removed from the list." in page


def test_a_forged_extra_form_adds_no_item_and_breaks_nothing(
    enabled, storefront, company, buyer, buyer_client, shampoo
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 2)])
    data = formset_data(saved_list)
    data.update({"items-TOTAL_FORMS": "2", "items-1-quantity": "5", "items-1-note": "sneaky"})

    response = buyer_client.post(detail_url(saved_list), data)

    assert response.status_code in (200, 302)  # not a server error
    assert list(saved_list.items.values_list("quantity", flat=True)) == [2]


def test_a_quantity_below_one_is_refused_with_the_error_on_its_line(
    enabled, storefront, company, buyer, buyer_client, shampoo
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 4)])
    item = saved_list.items.get()

    response = buyer_client.post(
        detail_url(saved_list), formset_data(saved_list, {item: {"quantity": 0}})
    )

    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    item.refresh_from_db()
    assert item.quantity == 4


def test_buyer_adds_a_product_by_sku_and_again_adds_to_its_quantity(
    enabled, storefront, company, buyer, buyer_client, shampoo, mask
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 4)])
    url = reverse("saved_lists:add-item", kwargs={"pk": saved_list.pk})

    assert buyer_client.post(url, {"sku": "mk-990", "quantity": "3"}).status_code == 302
    assert buyer_client.post(url, {"sku": "SH-250", "quantity": "2"}).status_code == 302

    assert dict(saved_list.items.values_list("sku", "quantity")) == {"SH-250": 6, "MK-990": 3}


def test_a_sku_not_sold_here_is_refused(
    enabled, storefront, other_storefront, company, buyer, buyer_client
):
    factories.product(other_storefront, "Beta only", sku="BETA-1")
    saved_list = make_list(storefront, company, buyer)

    response = buyer_client.post(
        reverse("saved_lists:add-item", kwargs={"pk": saved_list.pk}),
        {"sku": "BETA-1", "quantity": "1"},
    )

    assert response.status_code == 200
    assert "No product with SKU “BETA-1” is sold on this storefront." in response.content.decode()
    assert not saved_list.items.exists()


def test_a_product_with_variants_is_added_by_the_variant_sku_not_the_parent(
    enabled, storefront, company, buyer, buyer_client
):
    parent = factories.parent_product(
        storefront, "Hair dye", [{"title": "Hair dye 7.1", "sku": "DYE-71"}]
    )
    parent.upc = "DYE-PARENT"
    parent.save()
    saved_list = make_list(storefront, company, buyer)
    url = reverse("saved_lists:add-item", kwargs={"pk": saved_list.pk})

    assert buyer_client.post(url, {"sku": "DYE-PARENT", "quantity": "1"}).status_code == 200
    assert buyer_client.post(url, {"sku": "DYE-71", "quantity": "1"}).status_code == 302
    assert list(saved_list.items.values_list("title", flat=True)) == ["Hair dye 7.1"]


def test_rename_keeps_names_unique(enabled, storefront, company, buyer, buyer_client):
    make_list(storefront, company, buyer, "Urgent top-up")
    saved_list = make_list(storefront, company, buyer, "Monthly restock")
    url = reverse("saved_lists:rename", kwargs={"pk": saved_list.pk})

    taken = buyer_client.post(url, {"name": "urgent top-up"})
    assert taken.status_code == 200
    assert "already has a list named" in taken.content.decode()

    assert (
        buyer_client.post(url, {"name": "Spring restock", "description": "Salon 2"}).status_code
        == 302
    )
    saved_list.refresh_from_db()
    assert (saved_list.name, saved_list.description) == ("Spring restock", "Salon 2")


def test_a_colleague_sees_and_uses_the_list(
    enabled, storefront, company, buyer, colleague, client_for, shampoo
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 4)])
    client = client_for(storefront, colleague)

    assert "Monthly restock" in client.get(reverse("saved_lists:index")).content.decode()
    assert "Argan Shampoo" in client.get(detail_url(saved_list)).content.decode()
    url = reverse("saved_lists:add-item", kwargs={"pk": saved_list.pk})
    assert client.post(url, {"sku": "SH-250", "quantity": "1"}).status_code == 302
    assert saved_list.items.get().quantity == 5


def test_only_the_creator_or_a_company_admin_deletes_a_list(
    enabled, storefront, company, buyer, colleague, client_for
):
    saved_list = make_list(storefront, company, buyer)
    url = reverse("saved_lists:delete", kwargs={"pk": saved_list.pk})
    colleague_client = client_for(storefront, colleague)

    page = colleague_client.get(detail_url(saved_list)).content.decode()
    assert "Delete this list" not in page
    assert "Only the colleague who created this list or a company admin can delete it." in page
    assert colleague_client.post(url).status_code == 403
    assert SavedList.objects.filter(pk=saved_list.pk).exists()

    admin = factories.buyer(company, "olga@alpha-salon.test", role=CompanyMember.Role.ADMIN)
    admin_client = client_for(storefront, admin)
    assert "Delete this list" in admin_client.get(detail_url(saved_list)).content.decode()
    confirm = admin_client.get(url).content.decode()
    assert "will be deleted for everyone in your company" in confirm
    response = admin_client.post(url)
    assert response.status_code == 302 and response.url == reverse("saved_lists:index")
    assert not SavedList.objects.filter(pk=saved_list.pk).exists()


def test_the_creator_deletes_their_list(enabled, storefront, company, buyer, buyer_client):
    saved_list = make_list(storefront, company, buyer)
    response = buyer_client.post(reverse("saved_lists:delete", kwargs={"pk": saved_list.pk}))
    assert response.status_code == 302
    assert "List “Monthly restock” deleted." in buyer_client.get(response.url).content.decode()


def test_another_companys_list_is_a_404_everywhere(
    enabled, storefront, company, buyer, other_buyer, client_for, shampoo
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 1)])
    rival = client_for(storefront, other_buyer)
    pk = {"pk": saved_list.pk}

    assert "Monthly restock" not in rival.get(reverse("saved_lists:index")).content.decode()
    assert rival.get(detail_url(saved_list)).status_code == 404
    for name in ["add-item", "rename", "delete", "add-to-cart"]:
        assert (
            rival.post(reverse(f"saved_lists:{name}", kwargs=pk), {"name": "x"}).status_code == 404
        )
    assert rival.post(detail_url(saved_list), formset_data(saved_list)).status_code == 404
    saved_list.refresh_from_db()
    assert saved_list.name == "Monthly restock" and saved_list.items.get().quantity == 1


def test_a_list_of_another_storefront_is_a_404(
    enabled, storefront, other_storefront, company, buyer, client_for
):
    enable_plugin(other_storefront, "saved_lists")
    saved_list = make_list(storefront, company, buyer)
    beta_buyer = factories.buyer(factories.company(other_storefront, "Beta LLC"), "bea@beta.test")

    beta = client_for(other_storefront, beta_buyer)
    assert beta.get(detail_url(saved_list)).status_code == 404
    assert "Monthly restock" not in beta.get(reverse("saved_lists:index")).content.decode()


def test_visitors_sign_in_and_staff_without_a_company_get_404(
    enabled, storefront, anon_client, client_for
):
    response = anon_client.get(reverse("saved_lists:index"))
    assert response.status_code == 302 and "login" in response.url
    editor = factories.staff(storefront)
    assert client_for(storefront, editor).get(reverse("saved_lists:index")).status_code == 404


def test_switched_off_every_page_is_a_404(storefront, company, buyer, buyer_client):
    enable_plugin(storefront, "saved_lists", enabled=False)
    saved_list = make_list(storefront, company, buyer)

    assert buyer_client.get(reverse("saved_lists:index")).status_code == 404
    assert buyer_client.get(detail_url(saved_list)).status_code == 404
    assert buyer_client.post(reverse("saved_lists:create"), {"name": "New"}).status_code == 404
    assert SavedList.objects.count() == 1


def test_list_page_queries_do_not_grow_with_the_items(
    enabled, storefront, company, buyer, buyer_client, django_assert_max_num_queries
):
    products = [
        factories.product(storefront, f"Product {n}", price="10.00", stock={"main": 5, "north": 1})
        for n in range(30)
    ]
    parent = factories.parent_product(
        storefront, "Dye", [{"title": f"Dye {n}", "price": "5.00"} for n in range(2)]
    )
    variants = list(parent.children.all())
    small = make_list(
        storefront, company, buyer, "Small", [(p, 1) for p in [*products[:2], variants[0]]]
    )
    large = make_list(storefront, company, buyer, "Large", [(p, 2) for p in [*products, *variants]])

    buyer_client.get(detail_url(small))  # warm the session, the basket and the caches
    with CaptureQueriesContext(connection) as three:
        assert "Product 1" in buyer_client.get(detail_url(small)).content.decode()
    assert len(three.captured_queries) <= 15  # session, user, list, items, products, basket
    with django_assert_max_num_queries(len(three.captured_queries)):
        html = buyer_client.get(detail_url(large)).content.decode()
    assert "Product 29" in html and "Dye 1" in html
