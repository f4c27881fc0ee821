"""Repeat order on the storefront: the buttons, the review page and what lands in the cart."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.catalogue.models import ProductCategory, ProductRecommendation
from pipit.inventory.models import WarehouseStock
from pipit.oscar_apps.partner.models import StockRecord
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.plugins.urls import reload_urlconf
from pipit.testing import factories

from .support import cart, place

pytestmark = pytest.mark.django_db


def review_url(order) -> str:
    return reverse("reorder:review", kwargs={"number": order.number})


def history(client) -> str:
    return client.get(reverse("customer:order-list")).content.decode()


def detail(client, order) -> str:
    return client.get(
        reverse("customer:order", kwargs={"order_number": order.number})
    ).content.decode()


def sell_out(product, *, restock=None) -> None:
    """Nothing free in any warehouse any more (what placed orders hold stays reserved)."""
    WarehouseStock.objects.filter(stockrecord__product=product).update(
        num_in_stock=F("num_allocated"), restock_date=restock
    )


def leave_free(product, quantity: int) -> None:
    """Exactly ``quantity`` units free, in the main warehouse."""
    stocks = WarehouseStock.objects.filter(stockrecord__product=product)
    stocks.update(num_in_stock=F("num_allocated"))
    main = stocks.get(warehouse__code__endswith="-main")
    main.num_in_stock = main.num_allocated + quantity
    main.save()


@pytest.fixture
def shampoo(storefront):
    return factories.product(
        storefront, "Argan shampoo", price="100.00", stock={"main": 50}, sku="SH-1"
    )


@pytest.fixture
def mask(storefront):
    return factories.product(storefront, "Hair mask", price="40.00", stock={"main": 50}, sku="MK-1")


@pytest.fixture
def order(storefront, company, buyer, shampoo, mask):
    return place(storefront, company, buyer, [(shampoo, 2), (mask, 3)])


# -- buttons -----------------------------------------------------------------------------------


def test_history_and_order_page_offer_repeat_only_where_switched_on(
    enabled, storefront, other_storefront, order, buyer_client, client_for
):
    assert review_url(order) in history(buyer_client)
    page = detail(buyer_client, order)
    assert "Repeat this order" in page and review_url(order) in page
    assert 'name="mode" value="all"' in page  # the one-click "add all available lines"

    beta_company = factories.company(other_storefront, "Beta Salon LLC")
    beta_buyer = factories.buyer(beta_company, "bea@beta.test")
    beta_product = factories.product(other_storefront, "Beta soap", price="10.00")
    beta_order = place(other_storefront, beta_company, beta_buyer, [(beta_product, 1)])
    beta = client_for(other_storefront, beta_buyer)
    assert beta_order.number in history(beta)
    assert "Repeat order" not in history(beta)
    assert "Repeat this order" not in detail(beta, beta_order)


def test_switched_off_there_is_no_button_and_the_page_is_gone(storefront, order, buyer_client):
    enable_plugin(storefront, "reorder", enabled=False)
    assert order.number in history(buyer_client)
    assert "Repeat order" not in history(buyer_client)
    assert "Repeat this order" not in detail(buyer_client, order)
    assert buyer_client.get(review_url(order)).status_code == 404
    assert buyer_client.post(review_url(order), {"mode": "all"}).status_code == 404


# -- review and cart ---------------------------------------------------------------------------


def test_repeat_puts_the_lines_in_the_cart_at_todays_price(
    enabled, order, buyer, buyer_client, shampoo
):
    StockRecord.objects.filter(product=shampoo).update(price="120.00")

    page = buyer_client.get(review_url(order)).content.decode()
    assert "Argan shampoo" in page and "Hair mask" in page
    assert "RUB120.00" in page and "RUB240.00" in page  # today's unit price and line total
    assert "was RUB100.00" in page  # beside the price it had in the order
    assert page.count("Will be added") == 2
    assert cart(buyer) == {}  # the review adds nothing

    response = buyer_client.post(
        review_url(order), {"line": [str(line.pk) for line in order.lines.all()]}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("basket:summary")
    assert cart(buyer) == {"Argan shampoo": (2, "120.00"), "Hair mask": (3, "40.00")}
    assert f"2 lines from order {order.number} added to the cart" in response.content.decode()


def test_only_the_ticked_lines_are_added_and_the_rest_is_reported(
    enabled, order, buyer, buyer_client
):
    shampoo_line = order.lines.get(title="Argan shampoo")
    response = buyer_client.post(review_url(order), {"line": [shampoo_line.pk]}, follow=True)
    html = response.content.decode()
    assert cart(buyer) == {"Argan shampoo": (2, "100.00")}
    assert "Hair mask (MK-1) × 3: Not selected." in html


def test_out_of_stock_line_shows_restock_date_and_analogs_and_an_analog_can_replace_it(
    enabled, storefront, order, buyer, buyer_client, shampoo
):
    restock = datetime.date(2031, 5, 12)
    sell_out(shampoo, restock=restock)
    oil = factories.product(storefront, "Argan oil", price="90.00", stock={"main": 7}, sku="OIL-1")
    spare = factories.product(storefront, "Coco shampoo", price="80.00", stock={"main": 0})
    ProductRecommendation.objects.create(primary=shampoo, recommendation=oil, ranking=2)
    ProductRecommendation.objects.create(primary=shampoo, recommendation=spare, ranking=1)

    page = buyer_client.get(review_url(order)).content.decode()
    assert "Unavailable" in page
    assert "expected 05/12/2031" in page
    assert "Analogs of Argan shampoo" in page
    assert page.index("Argan oil") < page.index("Coco shampoo")  # best first
    assert "OIL-1" in page and "7 in stock" in page
    line = order.lines.get(title="Argan shampoo")
    # The analog out of stock too is shown but cannot be ticked.
    assert f'name="analog-{line.pk}" value="{oil.pk}"' in page
    assert f'name="analog-{line.pk}" value="{spare.pk}"' not in page

    response = buyer_client.post(
        review_url(order),
        {
            "line": [order.lines.get(title="Hair mask").pk],
            f"analog-{line.pk}": [oil.pk],
            f"qty-{line.pk}-{oil.pk}": "2",
        },
        follow=True,
    )
    html = response.content.decode()
    assert cart(buyer) == {"Hair mask": (3, "40.00"), "Argan oil": (2, "90.00")}
    assert "Argan oil (OIL-1) × 2, instead of Argan shampoo" in html
    assert "Argan shampoo" not in [title for title in cart(buyer)]


def test_discontinued_products_are_reported_with_their_order_title_and_never_added(
    enabled, storefront, company, buyer, buyer_client, shampoo, mask
):
    gone = factories.product(storefront, "Old balm", price="10.00", sku="BALM-OLD")
    order = place(storefront, company, buyer, [(shampoo, 1), (mask, 1), (gone, 4)])
    gone.delete()
    ProductCategory.objects.filter(product=mask).delete()  # no longer sold here

    page = buyer_client.get(review_url(order)).content.decode()
    assert page.count("Discontinued") == 2
    assert "Old balm" in page and "BALM-OLD" in page
    assert "This product has been removed from the catalog." in page
    assert "This product is no longer sold on this storefront." in page

    response = buyer_client.post(review_url(order), {"mode": "all"}, follow=True)
    html = response.content.decode()
    assert cart(buyer) == {"Argan shampoo": (1, "100.00")}
    assert "Old balm (BALM-OLD) × 4: This product has been removed from the catalog." in html
    assert "Hair mask (MK-1) × 1: This product is no longer sold on this storefront." in html


def test_a_quantity_the_stock_does_not_cover_is_never_reduced_silently(
    enabled, order, buyer, buyer_client, mask
):
    leave_free(mask, 2)  # 3 were ordered
    line = order.lines.get(title="Hair mask")

    page = buyer_client.get(review_url(order)).content.decode()
    assert "Not enough in stock" in page
    assert "Only 2 available; 3 were ordered." in page
    assert "Add the 2 available instead of 3" in page
    assert f'name="available-{line.pk}" value="2">' in page  # offered, not ticked

    response = buyer_client.post(review_url(order), {"mode": "all"}, follow=True)
    assert cart(buyer) == {"Argan shampoo": (2, "100.00")}
    assert "Hair mask (MK-1) × 3: Only 2 available; 3 were ordered." in response.content.decode()

    # The buyer takes the 2 explicitly: exactly 2 are added, and the report says so.
    response = buyer_client.post(review_url(order), {f"available-{line.pk}": "2"}, follow=True)
    assert cart(buyer)["Hair mask"] == (2, "40.00")
    assert "you chose this instead of the 3 ordered" in response.content.decode()


def test_what_is_already_in_the_cart_counts_against_the_stock(
    enabled, order, buyer, buyer_client, mask
):
    leave_free(mask, 4)
    buyer_client.post(reverse("reorder:review", kwargs={"number": order.number}), {"mode": "all"})
    assert cart(buyer)["Hair mask"] == (3, "40.00")

    page = buyer_client.get(review_url(order)).content.decode()
    assert "3 already in your cart" in page
    assert "Only 4 available, 3 of them already in your cart; 3 were ordered." in page
    assert "Add the 1 available instead of 3" in page

    leave_free(mask, 3)  # exactly what the cart holds
    page = buyer_client.get(review_url(order)).content.decode()
    assert "All the available stock is already in your cart." in page


def test_bad_quantities_and_empty_choices_add_nothing_and_say_why(
    enabled, storefront, order, buyer, buyer_client, shampoo
):
    sell_out(shampoo)
    oil = factories.product(storefront, "Argan oil", price="90.00", stock={"main": 7})
    ProductRecommendation.objects.create(primary=shampoo, recommendation=oil, ranking=1)
    line = order.lines.get(title="Argan shampoo")

    response = buyer_client.post(
        review_url(order), {f"analog-{line.pk}": [oil.pk], f"qty-{line.pk}-{oil.pk}": "two"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a whole number of at least 1." in html
    assert 'value="two"' in html  # what the buyer typed stays
    assert cart(buyer) == {}

    response = buyer_client.post(review_url(order), {})
    assert "Choose at least one line or analog to add." in response.content.decode()
    assert cart(buyer) == {}

    # A tampered "available" quantity is refused too, not clamped.
    leave_free(shampoo, 1)
    response = buyer_client.post(review_url(order), {f"available-{line.pk}": "9"})
    assert "Choose the quantity offered, or untick the box." in response.content.decode()
    assert cart(buyer) == {}


def test_one_click_with_nothing_available_explains_instead_of_adding(
    enabled, order, buyer, buyer_client, shampoo, mask
):
    sell_out(shampoo)
    sell_out(mask)
    response = buyer_client.post(review_url(order), {"mode": "all"})
    assert response.status_code == 200
    assert "None of the lines can be added as ordered." in response.content.decode()
    assert cart(buyer) == {}


# -- who may repeat what -----------------------------------------------------------------------


def test_a_colleagues_order_can_be_repeated(
    enabled, storefront, company, colleague, buyer, buyer_client, shampoo
):
    theirs = place(storefront, company, colleague, [(shampoo, 1)])
    assert buyer_client.get(review_url(theirs)).status_code == 200
    buyer_client.post(review_url(theirs), {"mode": "all"})
    assert cart(buyer) == {"Argan shampoo": (1, "100.00")}
    assert cart(colleague) == {}


def test_other_companies_and_other_storefronts_orders_answer_404(
    enabled, storefront, other_storefront, other_company, other_buyer, buyer, client_for, shampoo
):
    rivals = place(storefront, other_company, other_buyer, [(shampoo, 1)])
    enable_plugin(other_storefront, "reorder")
    beta_company = factories.company(other_storefront, "Beta Salon LLC")
    beta_buyer = factories.buyer(beta_company, "bea@beta.test")
    beta_product = factories.product(other_storefront, "Beta soap", price="10.00")
    betas = place(other_storefront, beta_company, beta_buyer, [(beta_product, 1)])

    alpha = client_for(storefront, buyer)
    for foreign in (rivals, betas):
        assert alpha.get(review_url(foreign)).status_code == 404
        assert alpha.post(review_url(foreign), {"mode": "all"}).status_code == 404
    assert cart(buyer) == {}
    assert alpha.get("/shop/p/reorder/orders/no%00such/").status_code == 404


def test_adding_needs_the_csrf_token(enabled, storefront, order, buyer):
    client = Client(HTTP_HOST=storefront.site.hostname, enforce_csrf_checks=True)
    client.force_login(buyer, backend="pipit.companies.auth.StorefrontEmailBackend")
    assert client.post(review_url(order), {"mode": "all"}).status_code == 403
    assert cart(buyer) == {}

    page = client.get(review_url(order)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(review_url(order), {"mode": "all", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert cart(buyer) == {"Argan shampoo": (2, "100.00"), "Hair mask": (3, "40.00")}


def test_anonymous_visitors_are_sent_to_sign_in(enabled, order, anon_client):
    response = anon_client.get(review_url(order))
    assert response.status_code == 302 and "login" in response["Location"]


# -- settings ----------------------------------------------------------------------------------


def test_analogs_follow_the_storefront_settings(storefront, order, buyer_client, shampoo):
    sell_out(shampoo)
    analogs = [
        factories.product(storefront, f"Analog {n}", price="50.00", stock={"main": 5})
        for n in range(4)
    ]
    for rank, analog in enumerate(analogs):
        ProductRecommendation.objects.create(
            primary=shampoo, recommendation=analog, ranking=10 - rank
        )

    enable_plugin(storefront, "reorder")  # never saved: the defaults (on, 3)
    page = buyer_client.get(review_url(order)).content.decode()
    assert [f"Analog {n}" in page for n in range(4)] == [True, True, True, False]

    enable_plugin(storefront, "reorder", show_analogs=True, max_analogs=1)
    page = buyer_client.get(review_url(order)).content.decode()
    assert "Analog 0" in page and "Analog 1" not in page

    enable_plugin(storefront, "reorder", show_analogs=False, max_analogs=3)
    page = buyer_client.get(review_url(order)).content.decode()
    assert "Analogs of" not in page and "Analog 0" not in page


# -- cost --------------------------------------------------------------------------------------


def test_review_query_count_does_not_grow_with_the_lines(
    enabled, storefront, company, buyer, buyer_client
):
    def order_of(n):
        products = [
            factories.product(storefront, f"Item {n}-{i}", price="10.00", stock={"main": 5})
            for i in range(n)
        ]
        placed = place(storefront, company, buyer, [(p, 1) for p in products])
        # Every kind of line: half sold out with analogs, one removed, one short, the rest ready.
        for product in products[: n // 2]:
            sell_out(product, restock=datetime.date(2031, 1, 1))
            analog = factories.product(storefront, f"Analog of {product.title}", price="9.00")
            ProductRecommendation.objects.create(primary=product, recommendation=analog, ranking=1)
        products[-1].delete()
        leave_free(products[-2], 0)
        return placed

    small, large = order_of(3), order_of(20)
    assert large.lines.count() == 20
    buyer_client.get(review_url(small))  # warm the per-process caches (templates, site)

    with CaptureQueriesContext(connection) as few:
        assert buyer_client.get(review_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        page = buyer_client.get(review_url(large))
    assert page.status_code == 200 and "Analog of Item 20-0" in page.content.decode()
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


def test_history_buttons_cost_no_query_per_order(
    enabled, storefront, company, buyer, buyer_client, shampoo
):
    place(storefront, company, buyer, [(shampoo, 1)])
    url = reverse("customer:order-list")
    buyer_client.get(url)
    with CaptureQueriesContext(connection) as one:
        buyer_client.get(url)
    for _ in range(5):
        place(storefront, company, buyer, [(shampoo, 1)])
    with CaptureQueriesContext(connection) as six:
        html = buyer_client.get(url).content.decode()
    assert html.count("reorder-button") == 6
    assert len(six) == len(one)


class InPacks:
    """An availability that lets only whole packs of 5 be bought; the rest as it was."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def is_purchase_permitted(self, quantity):
        if quantity % 5:
            return False, "Sold in packs of 5."
        return self.inner.is_purchase_permitted(quantity)


class WholePacksOnly(Plugin):
    """A storefront rule from another plugin: the mask is sold in packs of 5 only."""

    id = "packs"

    @hook("product_availability")
    def packs(self, availability, *, product, **kwargs):
        if product is not None and product.get_title() == "Hair mask":
            return InPacks(availability)
        return availability


def test_a_refusal_that_is_not_about_stock_is_reported_as_it_is(
    monkeypatch, storefront, order, buyer, buyer_client
):
    install_plugins(
        monkeypatch,
        {
            "reorder": "pipit_reorder.plugin:ReorderPlugin",
            "packs": "tests.test_pages:WholePacksOnly",
        },
    )
    reload_urlconf()
    enable_plugin(storefront, "reorder")
    enable_plugin(storefront, "packs")

    page = buyer_client.get(review_url(order)).content.decode()
    assert "Sold in packs of 5." in page
    assert "available instead of" not in page  # 47 are in stock: not a stock shortage

    buyer_client.post(review_url(order), {"mode": "all"})
    assert cart(buyer) == {"Argan shampoo": (2, "100.00")}
