"""The REST API at /api/v1/p/saved_lists/: lists, items, add to cart; scoped and validated."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories
from pipit.testing.factories import token_client

from pipit_saved_lists.models import SavedList

from .helpers import basket_quantities, make_list

pytestmark = pytest.mark.django_db

LISTS = "/api/v1/p/saved_lists/lists/"


@pytest.fixture
def api(enabled, storefront, buyer):
    return token_client(storefront, buyer)


def test_urls_are_where_the_guide_says():
    assert reverse("api:saved_lists:lists") == LISTS
    assert reverse("api:saved_lists:add-to-cart", kwargs={"pk": 7}) == f"{LISTS}7/add-to-cart/"


def test_create_a_list_with_items_by_sku_and_id_and_read_it_with_todays_prices(api, shampoo, mask):
    response = api.post(
        LISTS,
        {
            "name": "Monthly restock",
            "description": "Salon on Arbat",
            "items": [{"sku": "sh-250", "quantity": 4}, {"product": mask.pk, "note": "gift"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Monthly restock" and body["item_count"] == 2
    assert body["created_by"] == "Anna Buyer"
    first, second = body["items"]
    assert first["sku"] == "SH-250" and first["quantity"] == 4 and first["sold_here"] is True
    assert first["unit_price"] == {"currency": "RUB", "excl_tax": "250.00", "incl_tax": "300.00"}
    assert first["availability"]["available"] is True
    assert first["availability"]["num_available"] == 50
    assert second["title"] == "Clay Mask" and second["quantity"] == 1 and second["note"] == "gift"

    listing = api.get(LISTS).json()
    assert listing["count"] == 1
    assert listing["results"][0]["name"] == "Monthly restock"
    assert listing["results"][0]["item_count"] == 2


def test_bad_input_is_a_400_with_field_errors(other_storefront, api, storefront, company, buyer):
    make_list(storefront, company, buyer, "Taken")
    beta_product = factories.product(other_storefront, "Beta only", sku="BETA-1")

    taken = api.post(LISTS, {"name": "TAKEN"}, format="json")
    assert taken.status_code == 400
    assert taken.json()["errors"] == {"name": ["Your company already has a list named “TAKEN”."]}

    bad_items = api.post(
        LISTS,
        {
            "name": "New",
            "items": [{"sku": "BETA-1"}, {"product": beta_product.pk}, {"quantity": 0}],
        },
        format="json",
    )
    assert bad_items.status_code == 400
    errors = bad_items.json()["errors"]["items"]  # by position in the request
    assert errors["0"] == {"sku": ["No product with this SKU is sold on this storefront."]}
    assert errors["1"] == {"product": ["No such product is sold on this storefront."]}
    assert "quantity" in errors["2"]
    assert not SavedList.objects.filter(name="New").exists()

    assert api.post(LISTS, {}, format="json").json()["errors"] == {
        "name": ["This field is required."]
    }


def test_patch_renames_and_delete_is_for_the_creator_or_an_admin(
    api, storefront, company, buyer, colleague
):
    mine = make_list(storefront, company, buyer, "Mine")
    theirs = make_list(storefront, company, colleague, "Theirs")

    renamed = api.patch(f"{LISTS}{mine.pk}/", {"name": "Spring"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Spring"
    assert api.patch(f"{LISTS}{mine.pk}/", {"name": "theirs"}, format="json").status_code == 400

    refused = api.delete(f"{LISTS}{theirs.pk}/")
    assert refused.status_code == 403
    assert "Only the colleague who created this list" in refused.json()["detail"]
    assert api.delete(f"{LISTS}{mine.pk}/").status_code == 204
    assert list(SavedList.objects.values_list("name", flat=True)) == ["Theirs"]


def test_add_change_and_remove_items(api, storefront, company, buyer, shampoo, mask):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 1)])
    url = f"{LISTS}{saved_list.pk}/items/"

    added = api.post(url, {"sku": "MK-990", "quantity": 3}, format="json")
    assert added.status_code == 201
    again = api.post(url, {"product": shampoo.pk, "quantity": 2}, format="json").json()
    quantities = {item["sku"]: item["quantity"] for item in again["items"]}
    assert quantities == {"SH-250": 3, "MK-990": 3}

    mask_item = saved_list.items.get(sku="MK-990")
    changed = api.patch(f"{url}{mask_item.pk}/", {"quantity": 8, "note": "urgent"}, format="json")
    assert changed.status_code == 200
    assert [i["quantity"] for i in changed.json()["items"] if i["sku"] == "MK-990"] == [8]
    assert api.patch(f"{url}{mask_item.pk}/", {"quantity": 0}, format="json").status_code == 400
    assert api.delete(f"{url}{mask_item.pk}/").status_code == 204
    assert list(saved_list.items.values_list("sku", flat=True)) == ["SH-250"]


def test_add_to_cart_answers_added_and_refused(api, storefront, company, buyer, shampoo, mask):
    gone = factories.product(storefront, "Old Balm", price="10.00", sku="OLD-1")
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 2), (mask, 5), (gone, 1)])
    gone.delete()

    response = api.post(f"{LISTS}{saved_list.pk}/add-to-cart/", {}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert [(line["sku"], line["quantity"]) for line in body["added"]] == [("SH-250", 2)]
    refused = {line["sku"]: line["reason"] for line in body["refused"]}
    assert refused["MK-990"].startswith("Only 2 available")
    assert refused["OLD-1"] == "This product is no longer sold on this storefront."
    assert basket_quantities(buyer) == {"Argan Shampoo": 2}


def test_add_to_cart_only_the_named_items(
    api, storefront, company, buyer, other_company, other_buyer, shampoo, mask
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 2), (mask, 1)])
    rival_item = make_list(storefront, other_company, other_buyer, "R", [(shampoo, 1)]).items.get()
    mask_item = saved_list.items.get(sku="MK-990")
    url = f"{LISTS}{saved_list.pk}/add-to-cart/"

    wrong = api.post(url, {"items": [mask_item.pk, rival_item.pk]}, format="json")
    assert wrong.status_code == 400 and "items" in wrong.json()["errors"]

    assert api.post(url, {"items": [mask_item.pk]}, format="json").json()["refused"] == []
    assert basket_quantities(buyer) == {"Clay Mask": 1}


def test_other_company_and_other_storefront_get_404(
    other_storefront, api, storefront, company, buyer, other_buyer, shampoo
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 1)])
    item = saved_list.items.get()
    rival = token_client(storefront, other_buyer)
    urls = [
        f"{LISTS}{saved_list.pk}/",
        f"{LISTS}{saved_list.pk}/items/",
        f"{LISTS}{saved_list.pk}/items/{item.pk}/",
        f"{LISTS}{saved_list.pk}/add-to-cart/",
    ]
    assert rival.get(urls[0]).status_code == 404
    assert rival.patch(urls[0], {"name": "x"}, format="json").status_code == 404
    assert rival.delete(urls[0]).status_code == 404
    assert rival.post(urls[1], {"sku": "SH-250"}, format="json").status_code == 404
    assert rival.patch(urls[2], {"quantity": 9}, format="json").status_code == 404
    assert rival.post(urls[3], {}, format="json").status_code == 404
    assert rival.get(LISTS).json()["count"] == 0

    enable_plugin(other_storefront, "saved_lists")
    beta_buyer = factories.buyer(factories.company(other_storefront, "Beta LLC"), "bea@beta.test")
    assert token_client(other_storefront, beta_buyer).get(urls[0]).status_code == 404
    item.refresh_from_db()
    assert item.quantity == 1 and SavedList.objects.get().name == "Monthly restock"


def test_api_needs_a_buyer_and_is_404_where_switched_off(
    storefront, company, buyer, anon_client, client_for, shampoo
):
    enable_plugin(storefront, "saved_lists")
    assert anon_client.get(LISTS).status_code == 401
    editor = factories.staff(storefront)
    assert client_for(storefront, editor).get(LISTS).status_code == 403

    api = token_client(storefront, buyer)
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 1)])
    enable_plugin(storefront, "saved_lists", enabled=False)
    assert api.get(LISTS).status_code == 404
    assert api.post(LISTS, {"name": "X"}, format="json").status_code == 404
    assert api.post(f"{LISTS}{saved_list.pk}/add-to-cart/", {}, format="json").status_code == 404
    assert SavedList.objects.count() == 1
