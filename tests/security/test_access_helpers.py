"""The one rule for "the buyer's company here" and the staff scope helpers.

A suspended company's buyers lose everything a buyer has (order history, the company page,
checkout, the API); a company of another storefront is never "the buyer's company" here; and the
admin's per-banner permission checks share one memoised staff scope instead of a query per row.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.basket.models import Basket
from rest_framework.test import APIClient

from pipit.cms.models import PromoBanner
from pipit.companies.access import buyer_company, require_buyer_company
from pipit.companies.views import CompanyProfileView
from pipit.ordering.services import OrderPlacementError, place_order
from pipit.ordering.views import OrderHistoryView
from pipit.pricing.strategy import StorefrontStrategy
from pipit.tenancy.access import staff_storefront_ids
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def soap(storefront):
    return factories.product(storefront, "Soap", price="10.00", stock={"main": 100})


def place(storefront, company, user, product):
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=user)
    basket.add_product(product, 1)
    return place_order(
        storefront=storefront,
        user=user,
        basket=basket,
        shipping_address=company.addresses.get(),
    )


def suspend(company):
    company.is_active = False
    company.save(update_fields=["is_active"])


def fresh(user):
    """The user as the auth backend loads it on a request (membership and company joined)."""
    return get_user_model().objects.select_related("company_membership__company").get(pk=user.pk)


def storefront_request(storefront, user, path="/"):
    request = RequestFactory().get(path, HTTP_HOST=storefront.site.hostname)
    request.storefront = storefront
    request.user = user
    return request


# -- a suspended company's buyers -----------------------------------------------------------


def test_suspended_buyer_loses_order_history_company_page_and_checkout(
    storefront, company, buyer, buyer_client, soap
):
    placed = place(storefront, company, buyer, soap)
    history_url = reverse("customer:order-list")
    assert placed.number in buyer_client.get(history_url).content.decode()

    suspend(company)

    for name in ("customer:order-list", "companies:company", "checkout:index"):
        response = buyer_client.get(reverse(name))
        assert response.status_code in (302, 403, 404), name
        assert placed.number not in response.content.decode()
        assert company.name not in response.content.decode()
    detail = buyer_client.get(reverse("customer:order", kwargs={"order_number": placed.number}))
    assert detail.status_code in (302, 404)


def test_suspended_buyer_is_refused_by_the_views_themselves(storefront, company, buyer):
    # Even if the middleware that makes such a user anonymous were bypassed, the views refuse.
    suspend(company)
    user = fresh(buyer)

    with pytest.raises(Http404):
        OrderHistoryView.as_view()(storefront_request(storefront, user))
    with pytest.raises(Http404):
        CompanyProfileView.as_view()(storefront_request(storefront, user))


def test_suspended_buyer_cannot_place_an_order(storefront, company, buyer, soap):
    suspend(company)

    with pytest.raises(OrderPlacementError) as refused:
        place(storefront, company, fresh(buyer), soap)

    assert "suspended" in " ".join(refused.value.message_dict["basket"])


def test_suspended_buyer_loses_the_my_company_chrome(storefront, company, buyer):
    chrome = Template("{% load pipit_theme %}{% buyer_company as c %}[{{ c.name }}]")
    request = storefront_request(storefront, fresh(buyer))
    assert chrome.render(Context({"request": request})) == f"[{company.name}]"

    suspend(company)

    request = storefront_request(storefront, fresh(buyer))
    assert chrome.render(Context({"request": request})) == "[]"


def test_suspended_buyers_token_is_refused_by_the_api(storefront, company, buyer, soap):
    client = APIClient(HTTP_HOST=storefront.site.hostname)
    token = client.post(
        "/api/v1/auth/token/",
        {"email": buyer.email, "password": factories.PASSWORD},
        format="json",
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    place(storefront, company, buyer, soap)
    assert client.get("/api/v1/orders/").json()["count"] == 1

    suspend(company)

    for path in ("/api/v1/orders/", "/api/v1/addresses/", "/api/v1/cart/"):
        assert client.get(path).status_code == 401, path


# -- buyer_company ----------------------------------------------------------------------------


def test_buyer_company_is_none_for_another_storefronts_company(storefront, other_storefront):
    beta_company = factories.company(other_storefront)
    beta_buyer = fresh(factories.buyer(beta_company))

    assert buyer_company(beta_buyer, storefront) is None
    assert buyer_company(beta_buyer, storefront, active=False) is None
    assert buyer_company(beta_buyer, other_storefront) == beta_company
    with pytest.raises(PermissionDenied):
        require_buyer_company(storefront_request(storefront, beta_buyer))
    with pytest.raises(Http404):
        require_buyer_company(storefront_request(storefront, beta_buyer), not_found=True)


def test_buyer_company_of_staff_and_suspended_companies(storefront, company, buyer):
    manager = factories.staff(storefront, StorefrontGroup.Role.MANAGER)
    assert buyer_company(manager, storefront) is None

    suspend(company)

    assert buyer_company(fresh(buyer), storefront) is None
    # Only to tell the buyer why they are refused.
    assert buyer_company(fresh(buyer), storefront, active=False) == company


def test_buyer_company_queries_nothing_when_the_membership_is_loaded(
    storefront, company, buyer, django_assert_num_queries
):
    loaded = fresh(buyer)
    with django_assert_num_queries(0):
        assert buyer_company(loaded, storefront) == company

    bare = get_user_model().objects.get(pk=buyer.pk)
    with django_assert_num_queries(1):
        assert buyer_company(bare, storefront) == company
        assert buyer_company(bare, storefront) == company
        assert bare.company_membership.company == company


# -- staff scope ---------------------------------------------------------------------------


def test_staff_storefront_ids_are_read_once_per_user_object(
    storefront, other_storefront, django_assert_num_queries
):
    editor = factories.staff(storefront, StorefrontGroup.Role.EDITOR)
    with django_assert_num_queries(1):
        assert staff_storefront_ids(editor) == {storefront.pk}
        assert staff_storefront_ids(editor) == {storefront.pk}
    assert staff_storefront_ids(factories.buyer(factories.company(storefront))) == frozenset()


def publish_banners(storefront, count):
    for n in range(count):
        banner = PromoBanner.objects.create(storefront=storefront, title=f"Offer {n}", live=False)
        banner.save_revision().publish()


def test_banner_listing_queries_do_not_grow_with_the_number_of_banners(
    storefront, client_for, django_assert_num_queries
):
    editor = factories.staff(storefront, StorefrontGroup.Role.EDITOR)
    client = client_for(storefront, editor)
    url = reverse("wagtailsnippets_cms_promobanner:list")
    publish_banners(storefront, 2)
    client.get(url)  # warm the caches (content types, site root paths) first

    with CaptureQueriesContext(connection) as two:
        page = client.get(url)
    assert page.content.decode().count("Offer ") >= 2

    publish_banners(storefront, 6)
    with django_assert_num_queries(len(two.captured_queries)):
        page = client.get(url)
    html = page.content.decode()
    assert all(f"Offer {n}" in html for n in range(6))


def test_bulk_delete_confirmation_checks_banners_without_a_query_each(
    storefront, client_for, django_assert_num_queries
):
    # The permission policy is asked about every selected banner; the editor's storefronts are
    # read once per request.
    editor = factories.staff(storefront, StorefrontGroup.Role.EDITOR)
    client = client_for(storefront, editor)
    bulk = reverse("wagtail_bulk_action", args=["cms", "promobanner", "delete"])
    publish_banners(storefront, 8)
    pks = list(PromoBanner.objects.order_by("pk").values_list("pk", flat=True))

    def confirm(selected):
        return client.get(bulk + "?" + "&".join(f"id={pk}" for pk in selected))

    confirm(pks[:2])  # warm the caches first
    with CaptureQueriesContext(connection) as two:
        assert "Offer 1" in confirm(pks[:2]).content.decode()
    with django_assert_num_queries(len(two.captured_queries)):
        page = confirm(pks).content.decode()
    assert all(f"Offer {n}" in page for n in range(8))
