"""From the cart or an order to a list, and from a list to the cart at today's price."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.apps.basket.models import Basket
from pipit.testing import factories

from pipit_saved_lists.models import SavedList

from .helpers import basket_quantities, fill_basket, make_list, order_of

pytestmark = pytest.mark.django_db


def detail_url(saved_list) -> str:
    return reverse("saved_lists:detail", kwargs={"pk": saved_list.pk})


def post_detail(client, saved_list, action, selected=(), quantities=None):
    """The list's form as the browser posts it with one of its buttons."""
    items = list(saved_list.items.order_by("sort_order", "pk"))
    data = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "action": action,
        "selected": [str(item.pk) for item in selected],
    }
    for index, item in enumerate(items):
        data[f"items-{index}-id"] = str(item.pk)
        data[f"items-{index}-quantity"] = str((quantities or {}).get(item.pk, item.quantity))
        data[f"items-{index}-note"] = item.note
    return client.post(detail_url(saved_list), data)


# -- into a list --------------------------------------------------------------------------------


def test_save_cart_as_a_new_list(enabled, storefront, buyer, buyer_client, shampoo, mask):
    fill_basket(storefront, buyer, [(shampoo, 3), (mask, 1)])

    cart = buyer_client.get(reverse("basket:summary")).content.decode()
    assert "Save cart as a list" in cart and reverse("saved_lists:from-cart") in cart

    response = buyer_client.post(
        reverse("saved_lists:from-cart"), {"target": "", "name": "Weekly salon order"}
    )

    saved_list = SavedList.objects.get()
    assert response.status_code == 302 and response.url == detail_url(saved_list)
    assert saved_list.name == "Weekly salon order" and saved_list.created_by == buyer
    assert dict(saved_list.items.values_list("sku", "quantity")) == {"SH-250": 3, "MK-990": 1}
    assert (
        "2 products saved to “Weekly salon order”."
        in buyer_client.get(response.url).content.decode()
    )
    # The cart is left as it was.
    assert basket_quantities(buyer) == {"Argan Shampoo": 3, "Clay Mask": 1}


def test_save_cart_into_an_existing_list_adds_quantities(
    enabled, storefront, company, buyer, colleague, buyer_client, shampoo, mask
):
    saved_list = make_list(storefront, company, colleague, lines=[(shampoo, 2)])
    fill_basket(storefront, buyer, [(shampoo, 3), (mask, 1)])

    response = buyer_client.post(reverse("saved_lists:from-cart"), {"target": str(saved_list.pk)})

    assert response.status_code == 302
    assert dict(saved_list.items.values_list("sku", "quantity")) == {"SH-250": 5, "MK-990": 1}
    saved_list.refresh_from_db()
    assert saved_list.updated_by == buyer and saved_list.created_by == colleague


def test_save_cart_needs_a_name_or_a_list_and_a_free_name(
    enabled, storefront, company, buyer, buyer_client, shampoo
):
    make_list(storefront, company, buyer, "Weekly")
    fill_basket(storefront, buyer, [(shampoo, 1)])
    url = reverse("saved_lists:from-cart")

    nameless = buyer_client.post(url, {"target": "", "name": " "}).content.decode()
    assert "Name the new list, or choose one of your lists." in nameless
    taken = buyer_client.post(url, {"target": "", "name": "weekly"}).content.decode()
    assert "Your company already has a list named “weekly”." in taken
    assert SavedList.objects.count() == 1


def test_cannot_save_into_another_companys_list(
    enabled, storefront, other_company, other_buyer, buyer, buyer_client, shampoo
):
    rival_list = make_list(storefront, other_company, other_buyer, "Rival list")
    fill_basket(storefront, buyer, [(shampoo, 1)])

    response = buyer_client.post(reverse("saved_lists:from-cart"), {"target": str(rival_list.pk)})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not rival_list.items.exists()


def test_save_an_order_as_a_list(
    enabled, storefront, company, buyer, colleague, client_for, shampoo, mask
):
    order = order_of(storefront, company, colleague, [(shampoo, 4), (mask, 2)])
    client = client_for(storefront, buyer)  # a colleague's order: the company's orders are shared

    page = client.get(
        reverse("customer:order", kwargs={"order_number": order.number})
    ).content.decode()
    assert "Save as a list" in page
    assert reverse("saved_lists:from-order", kwargs={"number": order.number}) in page
    assert f'value="Order {order.number}"' in page

    response = client.post(
        reverse("saved_lists:from-order", kwargs={"number": order.number}),
        {"name": f"Order {order.number}"},
    )

    saved_list = SavedList.objects.get()
    assert response.status_code == 302 and response.url == detail_url(saved_list)
    assert dict(saved_list.items.values_list("sku", "quantity")) == {"SH-250": 4, "MK-990": 2}


def test_an_order_line_no_longer_sold_is_left_out_and_named(
    enabled, storefront, company, buyer, buyer_client, shampoo, mask
):
    order = order_of(storefront, company, buyer, [(shampoo, 4), (mask, 2)])
    mask.stockrecords.all().delete()  # the supplier stopped selling it

    response = buyer_client.post(
        reverse("saved_lists:from-order", kwargs={"number": order.number}), {"name": "Again"}
    )

    saved_list = SavedList.objects.get()
    assert list(saved_list.items.values_list("sku", flat=True)) == ["SH-250"]
    page = buyer_client.get(response.url).content.decode()
    assert "Left out, because they are no longer sold on this storefront:" in page
    assert "<li>Clay Mask</li>" in page


def test_another_companys_order_is_a_404(
    enabled, storefront, company, buyer, other_company, other_buyer, client_for, shampoo
):
    order = order_of(storefront, company, buyer, [(shampoo, 1)])
    url = reverse("saved_lists:from-order", kwargs={"number": order.number})

    rival = client_for(storefront, other_buyer)
    assert rival.get(url).status_code == 404
    assert rival.post(url, {"name": "Stolen"}).status_code == 404
    assert not SavedList.objects.exists()


# -- into the cart ------------------------------------------------------------------------------


def test_add_all_to_cart_at_todays_price_with_the_list_quantities(
    enabled, storefront, company, buyer, colleague, buyer_client, shampoo, mask
):
    saved_list = make_list(storefront, company, colleague, lines=[(shampoo, 6), (mask, 2)])
    record = shampoo.stockrecords.get()
    record.price = Decimal("275.00")  # dearer since the list was saved
    record.save()

    response = post_detail(buyer_client, saved_list, "add_all")

    assert response.status_code == 302 and response.url == reverse("basket:summary")
    basket = Basket.open.get(owner=buyer)
    prices = {line.product.title: line.price_excl_tax for line in basket.lines.all()}
    assert prices == {"Argan Shampoo": Decimal("275.00"), "Clay Mask": Decimal("990.00")}
    assert basket_quantities(buyer) == {"Argan Shampoo": 6, "Clay Mask": 2}
    cart = buyer_client.get(response.url).content.decode()
    assert "2 products from the list added to the cart:" in cart
    assert f'<a href="{detail_url(saved_list)}">Monthly restock</a>' in cart
    # The list is not changed by adding it to the cart.
    assert dict(saved_list.items.values_list("sku", "quantity")) == {"SH-250": 6, "MK-990": 2}


def test_refused_lines_are_reported_with_the_reason_and_never_cut_down(
    enabled, storefront, company, buyer, buyer_client, shampoo, mask, serum
):
    gone = factories.product(storefront, "Old Balm", price="10.00", sku="OLD-1")
    saved_list = make_list(
        storefront, company, buyer, lines=[(shampoo, 2), (mask, 5), (serum, 1), (gone, 1)]
    )
    gone.delete()  # discontinued: the item keeps its SKU and title
    fill_basket(storefront, buyer, [(serum, 5)])  # all the serum there is is in the cart already

    response = buyer_client.post(reverse("saved_lists:add-to-cart", kwargs={"pk": saved_list.pk}))

    assert response.status_code == 302
    assert basket_quantities(buyer) == {"Argan Shampoo": 2, "Bond Serum": 5}  # mask not cut to 2
    cart = buyer_client.get(reverse("basket:summary")).content.decode()
    assert "1 product from the list added to the cart:" in cart
    assert "3 lines were not added to the cart:" in cart
    assert "<li><strong>Clay Mask</strong> (MK-990) × 5: Only 2 available" in cart
    assert "<li><strong>Bond Serum</strong> (SR-1500) × 1: Only 5 available" in cart
    assert (
        "<li><strong>Old Balm</strong> (OLD-1) × 1: This product is no longer sold on this "
        "storefront.</li>" in cart
    )


def test_a_discontinued_product_shows_in_the_list_as_such(
    enabled, storefront, company, buyer, buyer_client, shampoo
):
    gone = factories.product(storefront, "Old Balm", price="10.00", sku="OLD-1")
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 2), (gone, 1)])
    gone.delete()

    html = buyer_client.get(detail_url(saved_list)).content.decode()

    assert "Old Balm" in html and "OLD-1" in html
    assert "No longer sold on this storefront" in html


def test_add_selected_to_cart_adds_only_the_ticked_items(
    enabled, storefront, company, buyer, buyer_client, shampoo, mask
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 3), (mask, 1)])
    mask_item = saved_list.items.get(sku="MK-990")

    nothing = post_detail(buyer_client, saved_list, "add_selected")
    assert nothing.url == detail_url(saved_list)
    assert (
        "Tick the products you want to put in the cart."
        in buyer_client.get(nothing.url).content.decode()
    )

    post_detail(buyer_client, saved_list, "add_selected", selected=[mask_item])
    assert basket_quantities(buyer) == {"Clay Mask": 1}


def test_edited_quantities_are_saved_before_going_to_the_cart(
    enabled, storefront, company, buyer, buyer_client, shampoo
):
    saved_list = make_list(storefront, company, buyer, lines=[(shampoo, 3)])
    item = saved_list.items.get()

    # The buyer typed 7 in the quantity field and pressed "Add all to cart".
    response = post_detail(buyer_client, saved_list, "add_all", quantities={item.pk: 7})

    assert response.status_code == 302
    assert basket_quantities(buyer) == {"Argan Shampoo": 7}
    item.refresh_from_db()
    assert item.quantity == 7
