"""A buyer sees their company's orders on this storefront and nothing else."""

import pytest
from django.urls import reverse
from oscar.apps.basket.models import Basket

from pipit.ordering.services import place_order
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def order_for(storefront, company, user, *, lines=1, po_number=""):
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    for n in range(lines):
        basket.add_product(factories.product(storefront, f"Item {n}", stock={"main": 5}), 1)
    return place_order(
        storefront=storefront,
        user=user,
        basket=basket,
        shipping_address=company.addresses.first(),
        po_number=po_number,
    )


def detail_url(order_or_number):
    number = getattr(order_or_number, "number", order_or_number)
    return reverse("customer:order", kwargs={"order_number": number})


@pytest.fixture
def rival_order(storefront, other_company, other_buyer):
    return order_for(storefront, other_company, other_buyer, po_number="RIVAL-PO")


def test_buyer_of_other_company_gets_404_for_order(buyer_client, rival_order):
    assert buyer_client.get(detail_url(rival_order)).status_code == 404


@pytest.mark.parametrize(
    "guess",
    ["{pk}", "0{number}", "{number} ", "{number}%00", "-{number}", "{number}/1", "..%2F{number}"],
)
def test_id_like_guesses_for_another_companys_order_are_404(buyer_client, rival_order, guess):
    url = (
        reverse("customer:order-list")
        + guess.format(pk=rival_order.pk, number=rival_order.number)
        + "/"
    )

    response = buyer_client.get(url)

    assert response.status_code == 404
    assert b"RIVAL-PO" not in response.content


def test_other_companys_orders_are_not_listed_or_found_by_po_filter(
    buyer_client, storefront, company, buyer, rival_order
):
    mine = order_for(storefront, company, buyer, po_number="MY-PO")

    page = buyer_client.get(reverse("customer:order-list"), {"po_number": "PO"}).content.decode()

    assert mine.number in page
    assert rival_order.number not in page and "RIVAL-PO" not in page


def test_order_of_the_same_company_on_another_storefront_host_is_not_shown(
    storefront, other_storefront, company, buyer, client_for
):
    order = order_for(storefront, company, buyer)
    on_beta = client_for(other_storefront, buyer)

    # On a storefront they do not belong to, the buyer's session counts for nothing: they are
    # an anonymous visitor there and are asked to log in; the order is never rendered.
    for url in [detail_url(order), reverse("customer:order-list")]:
        response = on_beta.get(url)
        assert response.status_code == 302 and "/shop/accounts/login/" in response.url


def test_thank_you_page_never_shows_another_companys_order(buyer_client, rival_order):
    session = buyer_client.session
    session["checkout_order_id"] = rival_order.pk
    session.save()

    response = buyer_client.get(reverse("checkout:thank-you"))

    assert response.status_code == 302
    assert response.url == reverse("customer:order-list")


def test_anonymous_visitor_is_sent_to_log_in(anon_client, rival_order):
    response = anon_client.get(detail_url(rival_order))

    assert response.status_code == 302
    assert reverse("customer:login") in response.url


def test_order_list_queries_do_not_grow_with_orders(
    storefront, company, buyer, buyer_client, django_assert_num_queries
):
    order_for(storefront, company, buyer)
    buyer_client.get(reverse("customer:order-list"))  # warm caches (storefront by host)
    with django_assert_num_queries(5) as few:
        assert buyer_client.get(reverse("customer:order-list")).status_code == 200

    for _ in range(4):
        order_for(storefront, company, buyer, lines=2)
    with django_assert_num_queries(len(few.captured_queries)):
        page = buyer_client.get(reverse("customer:order-list")).content.decode()
    assert page.count('class="status status-new"') == 5


def test_order_detail_queries_do_not_grow_with_lines(
    storefront, company, buyer, buyer_client, django_assert_num_queries
):
    small = order_for(storefront, company, buyer, lines=1)
    big = order_for(storefront, company, buyer, lines=6)
    buyer_client.get(detail_url(small))
    # ... including one for the promotions taken off the order, shown by name.
    with django_assert_num_queries(8) as few:
        assert buyer_client.get(detail_url(small)).status_code == 200

    with django_assert_num_queries(len(few.captured_queries)):
        page = buyer_client.get(detail_url(big)).content.decode()
    assert "Item 5" in page


def test_junk_in_the_order_filter_is_ignored_not_an_error(buyer_client, storefront, company, buyer):
    mine = order_for(storefront, company, buyer, po_number="MY-PO")

    response = buyer_client.get(
        reverse("customer:order-list"), {"po_number": "MY\x00PO", "status": "nonsense"}
    )

    assert response.status_code == 200
    assert mine.number in response.content.decode()
