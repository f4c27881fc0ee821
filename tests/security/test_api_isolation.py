"""The API never crosses a storefront or a company: foreign objects are 404, foreign keys 401."""

import pytest
from oscar.apps.catalogue.models import Product
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pipit.companies.models import CompanyAddress
from pipit.ordering.services import place_order
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories


def token_client(sf, user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    return APIClient(HTTP_HOST=sf.site.hostname, HTTP_AUTHORIZATION=f"Token {token.key}")


def order_for(sf, user, product):
    from oscar.apps.basket.models import Basket

    basket = Basket.open.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=sf, user=user)
    basket.add_product(product, 1)
    company = user.company_membership.company
    return place_order(
        storefront=sf,
        user=user,
        basket=basket,
        shipping_address=CompanyAddress.objects.filter(company=company).first(),
    )


@pytest.fixture
def beta_buyer(other_storefront):
    return factories.buyer(factories.company(other_storefront), "bob@beta.test")


ENDPOINTS = [
    ("get", "/api/v1/products/"),
    ("get", "/api/v1/products/1/"),
    ("get", "/api/v1/cart/"),
    ("post", "/api/v1/cart/lines/"),
    ("patch", "/api/v1/cart/lines/1/"),
    ("delete", "/api/v1/cart/lines/1/"),
    ("get", "/api/v1/orders/"),
    ("post", "/api/v1/orders/"),
    ("get", "/api/v1/orders/100001/"),
    ("get", "/api/v1/addresses/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_gets_401_everywhere(storefront, method, path):
    response = getattr(APIClient(HTTP_HOST="alpha.test"), method)(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "errors": {},
    }


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_token_of_storefront_b_is_rejected_on_host_a(storefront, beta_buyer, method, path):
    client = token_client(storefront, beta_buyer)  # beta's buyer, alpha's host
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.json()["detail"] == "These credentials are not valid on this storefront."


def test_bogus_token_is_401(storefront):
    client = APIClient(HTTP_HOST="alpha.test", HTTP_AUTHORIZATION="Token nope")
    assert client.get("/api/v1/products/").status_code == 401


def test_unknown_host_is_404_for_api(storefront, buyer):
    client = token_client(storefront, buyer)
    assert client.get("/api/v1/products/", HTTP_HOST="nowhere.example").status_code == 404


def test_other_storefronts_product_is_404(storefront, other_storefront, buyer):
    beta_product = factories.product(other_storefront, "Beta drill")
    client = token_client(storefront, buyer)
    assert client.get(f"/api/v1/products/{beta_product.pk}/").status_code == 404
    assert client.get("/api/v1/products/").json()["count"] == 0
    assert client.get("/api/v1/products/?q=drill").json()["count"] == 0


def test_other_storefronts_product_cannot_go_in_the_cart(storefront, other_storefront, buyer):
    beta_product = factories.product(other_storefront, "Beta drill")
    response = token_client(storefront, buyer).post(
        "/api/v1/cart/lines/", {"product": beta_product.pk}, format="json"
    )
    assert response.status_code == 400
    assert "product" in response.json()["errors"]


def test_non_public_product_is_404(storefront, buyer):
    hidden = factories.product(storefront, "Hidden")
    Product.objects.filter(pk=hidden.pk).update(is_public=False)
    assert token_client(storefront, buyer).get(f"/api/v1/products/{hidden.pk}/").status_code == 404


def test_someone_elses_cart_line_is_404(storefront, buyer, colleague):
    product = factories.product(storefront, "Shampoo")
    colleague_client = token_client(storefront, colleague)
    line_id = colleague_client.post(
        "/api/v1/cart/lines/", {"product": product.pk}, format="json"
    ).json()["lines"][0]["id"]
    client = token_client(storefront, buyer)

    assert client.patch(f"/api/v1/cart/lines/{line_id}/", {"quantity": 5}).status_code == 404
    assert client.delete(f"/api/v1/cart/lines/{line_id}/").status_code == 404
    assert colleague_client.get("/api/v1/cart/").json()["lines"][0]["quantity"] == 1


def test_other_companys_order_is_404(storefront, buyer, other_buyer):
    product = factories.product(storefront, "Shampoo")
    rival_order = order_for(storefront, other_buyer, product)
    client = token_client(storefront, buyer)

    assert client.get(f"/api/v1/orders/{rival_order.number}/").status_code == 404
    assert client.get("/api/v1/orders/").json()["count"] == 0
    rival = token_client(storefront, other_buyer)
    assert rival.get(f"/api/v1/orders/{rival_order.number}/").status_code == 200


def test_other_companys_address_cannot_be_used(storefront, buyer, other_company):
    product = factories.product(storefront, "Shampoo")
    client = token_client(storefront, buyer)
    client.post("/api/v1/cart/lines/", {"product": product.pk}, format="json")
    foreign = CompanyAddress.objects.get(company=other_company)
    response = client.post("/api/v1/orders/", {"shipping_address": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "shipping_address" in response.json()["errors"]
    assert [a["id"] for a in client.get("/api/v1/addresses/").json()] != [foreign.pk]


def test_buyer_session_is_refused_on_another_storefronts_host(storefront, other_storefront, buyer):
    # Browsers keep sessions per host; one replayed against another storefront's host is refused.
    client = APIClient(HTTP_HOST="alpha.test")
    client.force_login(buyer, backend="pipit.companies.auth.StorefrontEmailBackend")
    assert client.get("/api/v1/cart/").status_code == 200
    response = client.get("/api/v1/cart/", HTTP_HOST="beta.test")
    assert response.status_code == 401


def test_token_endpoint_is_rate_limited(storefront, buyer):
    client = APIClient(HTTP_HOST="alpha.test")
    codes = [
        client.post(
            "/api/v1/auth/token/", {"email": buyer.email, "password": "guess"}, format="json"
        ).status_code
        for _ in range(21)
    ]
    assert codes[:20] == [400] * 20
    assert codes[20] == 429
