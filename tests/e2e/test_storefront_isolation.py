"""A visitor on one storefront's host never sees another storefront's products or pages."""

import re

import pytest
from playwright.sync_api import expect

from pipit.cms.models import LandingPage
from pipit.testing import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_shops(transactional_db):
    alpha = factories.storefront("alpha", show_prices_to_anonymous=True)
    beta = factories.storefront("beta", show_prices_to_anonymous=True)
    factories.product(alpha, "Alpha hair dryer 2200 W", price="5400.00")
    beta_product = factories.product(beta, "Beta brake disc 280 mm", price="3100.00")
    deals = beta.root_page.add_child(instance=LandingPage(title="Beta deals", slug="deals"))
    deals.save_revision().publish()
    return alpha, beta, beta_product


def test_visitor_on_alpha_never_sees_beta(page, two_shops, host_url):
    alpha, beta, beta_product = two_shops

    page.goto(host_url(alpha, "/shop/catalogue/"))
    expect(page.get_by_text("Alpha hair dryer 2200 W").first).to_be_visible()
    expect(page.get_by_text("Beta brake disc")).to_have_count(0)

    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("brake disc")
    search.press("Enter")
    expect(page.get_by_text("Beta brake disc")).to_have_count(0)

    response = page.goto(host_url(alpha, beta_product.get_absolute_url()))
    assert response.status == 404
    response = page.goto(host_url(alpha, "/deals/"))
    assert response.status == 404

    response = page.goto(host_url(beta, beta_product.get_absolute_url()))
    assert response.status == 200
    expect(page.get_by_role("heading", name="Beta brake disc 280 mm")).to_be_visible()
    expect(page).to_have_title(re.compile("Beta"))


def test_unknown_host_is_refused(page, two_shops, live_server):
    port = live_server.url.rsplit(":", 1)[1]
    response = page.goto(f"http://nowhere.example:{port}/")
    assert response.status == 404
    expect(page.get_by_text("Alpha")).to_have_count(0)
