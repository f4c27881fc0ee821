"""A login belongs to its storefront: replayed sessions, foreign staff and bare product ids."""

import pytest
from django.urls import reverse

from pipit.oscar_apps.order.models import Order  # noqa: F401  (the order app must be loaded)
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_beta(other_storefront):
    product = factories.product(other_storefront, "Beta brake disc", price="3100.00")
    return other_storefront, product


def test_buyer_session_replayed_on_another_storefront_is_anonymous_there(
    storefront, buyer, closed_beta, client_for
):
    beta, product = closed_beta
    alpha_session = client_for(storefront, buyer)
    cookie = alpha_session.cookies["sessionid"].value

    replay = client_for(beta)
    replay.cookies["sessionid"] = cookie
    page = replay.get(product.get_absolute_url())

    assert page.status_code == 200
    html = page.content.decode()
    assert "3,100" not in html and "3 100" not in html  # prices stay hidden on a closed storefront
    assert replay.get(reverse("customer:summary")).status_code == 302  # to the login page


def test_staff_of_another_storefront_cannot_log_in_on_this_storefront(
    storefront, other_storefront, client
):
    beta_editor = factories.staff(other_storefront, StorefrontGroup.Role.EDITOR)
    response = client.post(
        "/shop/accounts/login/",
        {
            "login-username": beta_editor.email,
            "login-password": factories.PASSWORD,
            "login_submit": "1",
        },
        HTTP_HOST="alpha.test",
    )
    assert response.status_code == 200  # the form again, with an error; no session
    assert "_auth_user_id" not in client.session


def test_own_staff_logs_in_on_the_storefront_and_sees_prices(storefront, client):
    editor = factories.staff(storefront, StorefrontGroup.Role.EDITOR)
    response = client.post(
        "/shop/accounts/login/",
        {"login-username": editor.email, "login-password": factories.PASSWORD, "login_submit": "1"},
        HTTP_HOST="alpha.test",
    )
    assert response.status_code == 302


def test_another_storefronts_product_cannot_be_added_to_the_cart(
    storefront, buyer_client, closed_beta
):
    _beta, product = closed_beta
    response = buyer_client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert response.status_code == 404
    assert "Beta brake disc" not in buyer_client.get(reverse("basket:summary")).content.decode()


def test_hidden_product_cannot_be_added_to_the_cart(storefront, buyer_client):
    hidden = factories.product(storefront, "Discontinued dryer")
    hidden.is_public = False
    hidden.save()
    response = buyer_client.post(reverse("basket:add", kwargs={"pk": hidden.pk}), {"quantity": 1})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/shop/accounts/wishlists/",
        "/shop/wishlists/x/",
        "/shop/accounts/alerts/create/1/",
        "/shop/offers/",
    ],
)
def test_unscoped_oscar_features_are_switched_off(buyer_client, path):
    assert buyer_client.get(path).status_code == 404


@pytest.mark.parametrize("role", list(StorefrontGroup.Role))
@pytest.mark.parametrize(
    "path",
    [
        "/django-admin/",
        "/django-admin/catalogue/product/",
        "/admin/api/main/images/",
        "/admin/api/main/documents/",
    ],
)
def test_unscoped_admin_screens_are_for_superusers_only(storefront, client_for, role, path):
    staff = client_for(storefront, factories.staff(storefront, role))
    assert staff.get(path).status_code == 403


def test_page_chooser_lists_only_the_editors_storefront(storefront, other_storefront, client_for):
    from pipit.cms.models import LandingPage

    deals = other_storefront.root_page.add_child(
        instance=LandingPage(title="Beta secret deals", slug="deals")
    )
    deals.save_revision().publish()
    editor = client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.EDITOR))

    beta_tree = f"/admin/choose-page/{other_storefront.root_page.pk}/"
    assert "Beta secret deals" not in editor.get(beta_tree).content.decode()
    assert "Beta secret deals" not in editor.get("/admin/choose-page/").content.decode()
    superuser = client_for(storefront, factories.superuser())
    assert "Beta secret deals" in superuser.get(beta_tree).content.decode()
