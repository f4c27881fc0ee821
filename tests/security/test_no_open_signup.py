"""B2B storefronts are not open sign-up: nobody creates an account without staff approval."""

from django.contrib.auth import get_user_model

SIGNUP = {
    "registration-email": "intruder@example.com",
    "registration-password1": "a-Long-pass-9981",
    "registration-password2": "a-Long-pass-9981",
    "registration_submit": "Register",
}


def test_login_page_refuses_a_hand_made_registration_post(anon_client):
    response = anon_client.post("/shop/accounts/login/", SIGNUP)
    assert response.status_code == 400
    assert not get_user_model().objects.filter(email="intruder@example.com").exists()


def test_register_path_takes_a_request_not_an_account(anon_client):
    response = anon_client.post("/shop/accounts/register/", SIGNUP)
    assert response.status_code == 200  # the request form, with its errors
    assert not get_user_model().objects.filter(email="intruder@example.com").exists()


def test_login_still_works(anon_client, buyer):
    from pipit.testing.factories import PASSWORD

    response = anon_client.post(
        "/shop/accounts/login/",
        {"login-username": buyer.email, "login-password": PASSWORD, "login_submit": "Log In"},
    )
    assert response.status_code == 302
