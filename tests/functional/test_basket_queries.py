"""The cart page costs the same number of queries with 2 lines as with 12."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pipit.testing import factories

pytestmark = pytest.mark.django_db


def fill_cart(client, storefront, n):
    for i in range(n):
        product = factories.product(storefront, f"Line product {i}", stock={"main": 5, "north": 3})
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})


def cart_queries(client) -> int:
    client.get(reverse("basket:summary"))  # warm the per-storefront caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    return len(queries)


def test_cart_query_count_does_not_grow_with_lines(storefront, client_for):
    small = client_for(storefront, factories.buyer(factories.company(storefront)))
    fill_cart(small, storefront, 2)
    large = client_for(storefront, factories.buyer(factories.company(storefront)))
    fill_cart(large, storefront, 12)

    # 2 lines or 12: the same queries (session, user, basket, lines, one for all lines' stock,
    # one for all lines' prices…)
    assert cart_queries(small) == cart_queries(large) == 17
