"""API tokens: obtained with e-mail and password, managed by the buyer and revoked by staff."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories


def obtain(sf, email, password=factories.PASSWORD):
    client = APIClient(HTTP_HOST=sf.site.hostname)
    return client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")


def test_buyer_gets_a_token_that_opens_the_api(storefront, buyer):
    response = obtain(storefront, buyer.email)

    assert response.status_code == 200
    key = response.json()["token"]
    assert key == Token.objects.get(user=buyer).key
    client = APIClient(HTTP_HOST=storefront.site.hostname, HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/cart/").status_code == 200
    # Asking again gives the same token, so a second integration does not cut off the first.
    assert obtain(storefront, buyer.email).json()["token"] == key


def test_wrong_password_is_400_with_a_message(storefront, buyer):
    response = obtain(storefront, buyer.email, "wrong")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["non_field_errors"] == [
        "Unable to log in with these credentials on this storefront."
    ]
    assert body["detail"] == body["errors"]["non_field_errors"][0]
    assert not Token.objects.exists()


def test_missing_fields_are_field_errors(storefront):
    response = APIClient(HTTP_HOST=storefront.site.hostname).post(
        "/api/v1/auth/token/", {"email": "not-an-email"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "password"}


def test_buyer_of_another_storefront_gets_no_token_here(storefront, other_storefront):
    beta_buyer = factories.buyer(factories.company(other_storefront))
    assert obtain(storefront, beta_buyer.email).status_code == 400
    assert obtain(other_storefront, beta_buyer.email).status_code == 200


def test_buyer_of_inactive_company_gets_no_token(storefront, company, buyer):
    company.is_active = False
    company.save()
    assert obtain(storefront, buyer.email).status_code == 400


def test_staff_gets_a_token_only_on_their_storefront(storefront, other_storefront):
    manager = factories.staff(storefront, StorefrontGroup.Role.MANAGER)
    assert obtain(storefront, manager.email).status_code == 200
    assert obtain(other_storefront, manager.email).status_code == 400


def test_staff_token_sees_catalog_but_has_no_cart(storefront):
    manager = factories.staff(storefront, StorefrontGroup.Role.MANAGER)
    factories.product(storefront, "Shampoo")
    key = obtain(storefront, manager.email).json()["token"]
    client = APIClient(HTTP_HOST=storefront.site.hostname, HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/products/").json()["count"] == 1
    response = client.get("/api/v1/cart/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only buyers of a company can use the cart and orders."


# -- the buyer's account page ------------------------------------------------------------------


def test_account_page_needs_login(anon_client):
    response = anon_client.get("/shop/accounts/api-tokens/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_buyer_creates_sees_once_regenerates_and_revokes_token(storefront, buyer, buyer_client):
    page = buyer_client.get("/shop/accounts/api-tokens/")
    assert page.status_code == 200
    assert "You have no API token." in page.content.decode()

    created = buyer_client.post("/shop/accounts/api-tokens/", {"action": "create"})
    key = Token.objects.get(user=buyer).key
    assert created.status_code == 200
    assert key in created.content.decode()
    # Later visits show only the end of the key.
    again = buyer_client.get("/shop/accounts/api-tokens/").content.decode()
    assert key not in again and key[-4:] in again

    buyer_client.post("/shop/accounts/api-tokens/", {"action": "create"})
    new_key = Token.objects.get(user=buyer).key
    assert new_key != key
    old = APIClient(HTTP_HOST=storefront.site.hostname, HTTP_AUTHORIZATION=f"Token {key}")
    assert old.get("/api/v1/cart/").status_code == 401

    revoked = buyer_client.post("/shop/accounts/api-tokens/", {"action": "revoke"}, follow=True)
    assert not Token.objects.filter(user=buyer).exists()
    assert "Your API token was revoked." in revoked.content.decode()


def test_account_page_uses_csrf(storefront, buyer):
    client = Client(HTTP_HOST=storefront.site.hostname, enforce_csrf_checks=True)
    client.force_login(buyer, backend="pipit.companies.auth.StorefrontEmailBackend")
    assert client.post("/shop/accounts/api-tokens/", {"action": "create"}).status_code == 403
    assert not Token.objects.exists()


# -- staff in the Wagtail admin ----------------------------------------------------------------


@pytest.fixture
def tokens(storefront, other_storefront, buyer):
    beta_buyer = factories.buyer(factories.company(other_storefront), "bob@beta.test")
    return Token.objects.create(user=buyer), Token.objects.create(user=beta_buyer)


def admin_client(user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="pipit.companies.auth.StorefrontEmailBackend")
    return client


def test_manager_lists_only_own_storefront_tokens_without_keys(storefront, buyer, tokens):
    alpha_token, beta_token = tokens
    manager = factories.staff(storefront, StorefrontGroup.Role.MANAGER)

    page = admin_client(manager).get("/admin/api-tokens/")

    assert page.status_code == 200
    html = page.content.decode()
    assert buyer.email in html and "bob@beta.test" not in html
    assert alpha_token.key not in html


def test_manager_revokes_a_buyers_token(storefront, buyer, tokens):
    manager = factories.staff(storefront, StorefrontGroup.Role.MANAGER)
    response = admin_client(manager).post(f"/admin/api-tokens/{buyer.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert not Token.objects.filter(user=buyer).exists()
    assert f"The API token of {buyer.email} was revoked." in response.content.decode()


def test_manager_cannot_revoke_another_storefronts_token(storefront, tokens):
    _alpha_token, beta_token = tokens
    manager = factories.staff(storefront, StorefrontGroup.Role.MANAGER)
    response = admin_client(manager).post(f"/admin/api-tokens/{beta_token.user_id}/revoke/")
    assert response.status_code == 404
    assert Token.objects.filter(pk=beta_token.pk).exists()


def test_editor_has_no_token_screen(storefront, tokens):
    editor = factories.staff(storefront, StorefrontGroup.Role.EDITOR)
    client = admin_client(editor)
    assert client.get("/admin/api-tokens/").status_code in (302, 403)
    assert "/admin/api-tokens/" not in client.get("/admin/").content.decode()


def test_superuser_sees_all_tokens(tokens):
    page = admin_client(factories.superuser()).get("/admin/api-tokens/").content.decode()
    assert "anna@alpha-salon.test" in page and "bob@beta.test" in page


def test_manager_finds_token_screen_in_admin_menu(storefront):
    manager = factories.staff(storefront, StorefrontGroup.Role.MANAGER)
    assert "/admin/api-tokens/" in admin_client(manager).get("/admin/").content.decode()
