"""A buyer logs in, searches, adds two products, checks out and sees the order in history."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from pipit.oscar_apps.order.models import Order
from pipit.testing import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(transactional_db):
    sf = factories.storefront("alpha")
    company = factories.company(sf, "Alpha Salon LLC")
    buyer = factories.buyer(company, "anna@alpha-salon.test")
    colleague = factories.buyer(company, "boris@alpha-salon.test")
    factories.product(sf, "Argan repair shampoo 1000 ml", price="640.00", stock={"main": 20})
    factories.product(sf, "Argan repair mask 500 ml", price="910.00", stock={"north": 7})
    factories.product(sf, "Keratin spray 200 ml", price="450.00", stock={"main": 3})
    return sf, buyer, colleague


def log_in(page, url, email):
    page.goto(url)
    page.get_by_label(re.compile("e-?mail", re.I)).fill(email)
    page.get_by_label(re.compile("password", re.I)).fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()


def test_buyer_goes_from_login_to_placed_order_and_colleague_sees_it(page, shop, host_url, browser):
    sf, buyer, colleague = shop
    log_in(page, host_url(sf, "/shop/accounts/login/"), buyer.email)

    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("argan")
    search.press("Enter")
    expect(page.get_by_role("link", name="Argan repair shampoo 1000 ml").first).to_be_visible()
    expect(page.get_by_text("Keratin spray 200 ml")).to_have_count(0)

    results = page.url
    for title in ["Argan repair shampoo 1000 ml", "Argan repair mask 500 ml"]:
        page.goto(results)
        page.get_by_role("link", name=title).first.click()
        expect(page.get_by_role("heading", name=title)).to_be_visible()
        with page.expect_navigation():  # the POST completes before we move on
            page.get_by_role("button", name=re.compile("add to cart", re.I)).first.click()

    page.goto(host_url(sf, "/shop/basket/"))
    expect(page.get_by_text("Argan repair shampoo 1000 ml").first).to_be_visible()
    expect(page.get_by_text("Argan repair mask 500 ml").first).to_be_visible()
    page.get_by_role("link", name=re.compile("checkout", re.I)).first.click()

    delivery = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    page.get_by_label(re.compile("PO number", re.I)).fill("PO-7781")
    page.get_by_label(re.compile("delivery date", re.I)).fill(delivery)
    page.get_by_label(re.compile("comment", re.I)).fill("Gate 3, after 10:00")
    page.get_by_role("button", name=re.compile("place order", re.I)).click()
    page.wait_for_url(re.compile("thank-you"))

    order = Order.objects.get(company__members__user=buyer)
    expect(page.get_by_text(order.number).first).to_be_visible()
    assert order.po_number == "PO-7781" and order.lines.count() == 2

    page.goto(host_url(sf, "/shop/accounts/orders/"))
    expect(page.get_by_text(order.number).first).to_be_visible()

    other = browser.new_context().new_page()
    log_in(other, host_url(sf, "/shop/accounts/login/"), colleague.email)
    other.goto(host_url(sf, "/shop/accounts/orders/"))
    expect(other.get_by_text(order.number).first).to_be_visible()
    other.get_by_role("link", name=order.number).first.click()
    expect(other.get_by_text("PO-7781").first).to_be_visible()
    other.context.close()
