"""A storefront's catalog never shows another storefront's products, categories or stock."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pipit.catalog.search import rebuild_all
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def test_other_storefronts_product_is_404_on_this_host(storefront, other_storefront, client_for):
    theirs = factories.product(other_storefront, "Beta exclusive")
    url = theirs.get_absolute_url()
    assert client_for(other_storefront).get(url).status_code == 200
    assert client_for(storefront).get(url).status_code == 404


def test_other_storefronts_variant_url_is_404_not_a_redirect(
    storefront, other_storefront, buyer_client
):
    parent = factories.parent_product(other_storefront, "Beta gloves", [{"sku": "BG-1"}])
    child = parent.children.get()
    assert buyer_client.get(child.get_absolute_url()).status_code == 404


def test_other_storefronts_category_is_404_on_this_host(storefront, other_storefront, client_for):
    theirs = factories.category(other_storefront, "Beta tools")
    factories.product(other_storefront, "Beta saw", categories=[theirs])
    url = theirs.get_absolute_url()
    assert client_for(other_storefront).get(url).status_code == 200
    assert client_for(storefront).get(url).status_code == 404


def test_product_from_a_partner_outside_the_storefront_is_not_sold(
    storefront, other_storefront, buyer_client
):
    # In alpha's category, but only offered by beta's partner: not alpha's to sell.
    alpha_tools = factories.category(storefront, "Tools")
    product = factories.product(other_storefront, "Grey import", categories=[alpha_tools])
    listing = buyer_client.get(alpha_tools.get_absolute_url()).content.decode()
    assert "Grey import" not in listing
    assert buyer_client.get(product.get_absolute_url()).status_code == 404


def test_search_never_returns_another_storefronts_product(
    storefront, other_storefront, buyer_client
):
    factories.product(storefront, "Alpha hammer")
    factories.product(other_storefront, "Beta hammer", sku="BETA-1")
    rebuild_all()
    html = buyer_client.get("/shop/search/", {"q": "hammer"}).content.decode()
    assert "Alpha hammer" in html and "Beta hammer" not in html
    assert "Beta hammer" not in buyer_client.get("/shop/search/", {"q": "BETA-1"}).content.decode()


def test_facets_do_not_count_another_storefronts_products(
    storefront, other_storefront, buyer_client
):
    ours = factories.product(storefront, "Alpha saw")
    theirs = factories.product(other_storefront, "Beta saw")
    factories.attribute_value(ours, "brand", "Makita", option=True)
    factories.attribute_value(theirs, "brand", "Bosch", option=True)
    response = buyer_client.get(reverse("catalogue:index"))
    brand = next(f for f in response.context["facets"] if f.code == "brand")
    assert [(v.label, v.count) for v in brand.values] == [("Makita", 1)]
