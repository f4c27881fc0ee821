"""In a real browser: the buyer's API access page and the offline Swagger UI."""

import pytest
from django.conf import settings
from django.test import Client

from pipit.testing import factories

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, sf, user):
    client = Client(HTTP_HOST=sf.site.hostname)
    client.force_login(user, backend="pipit.companies.auth.StorefrontEmailBackend")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": sf.site.hostname,
                "path": "/",
            }
        ]
    )


def test_buyer_creates_a_token_and_sees_it_once(page, host_url):
    storefront = factories.storefront("alpha")
    buyer = factories.buyer(factories.company(storefront, "Alpha Salon LLC"))
    log_in(page, storefront, buyer)

    page.goto(host_url(storefront, "/shop/accounts/api-tokens/"))
    assert page.get_by_role("heading", name="API access").is_visible()
    page.get_by_role("button", name="Create a token").click()

    key = page.get_by_label("API token").input_value()
    assert len(key) == 40
    page.goto(host_url(storefront, "/shop/accounts/api-tokens/"))
    assert key not in page.content() and f"…{key[-4:]}" in page.content()


def test_swagger_ui_renders_without_internet(page, host_url):
    storefront = factories.storefront("alpha")
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith(host_url(storefront, "/"))
            else None
        ),
    )
    page.goto(host_url(storefront, "/api/docs/"))
    page.get_by_text("/api/v1/products/", exact=True).first.wait_for()
    assert page.get_by_text("/api/v1/orders/", exact=True).first.is_visible()
    assert external == []
