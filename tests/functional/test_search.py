"""Catalog search at /shop/search/: by title, brand and SKU, scoped to the storefront."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from pipit.catalog.models import ProductSearchDocument
from pipit.catalog.search import rebuild_all, search_products
from pipit.testing import factories

pytestmark = pytest.mark.django_db

SEARCH = "/shop/search/"


def _titles(response) -> list[str]:
    return [card.product.get_title() for card in response.context["cards"]]


@pytest.fixture
def catalog(storefront):
    drills = factories.category(storefront, "Drills")
    items = {
        "hammer": factories.product(
            storefront, "Hammer drill HR2470", categories=[drills], sku="HR2470"
        ),
        "cordless": factories.product(
            storefront, "Cordless drill DDF485", categories=[drills], sku="DDF485"
        ),
        "bits": factories.parent_product(
            storefront, "Drill bit set", [{"sku": "BIT-6"}, {"sku": "BIT-8", "stock": {"main": 0}}]
        ),
        "saw": factories.product(storefront, "Circular saw for HR2470 owners", sku="CS-1"),
    }
    factories.attribute_value(items["hammer"], "brand", "Makita", option=True)
    factories.attribute_value(items["cordless"], "brand", "Makita", option=True)
    rebuild_all()
    return items


def test_search_url_is_the_one_the_header_form_uses(storefront):
    assert reverse("search:search") == SEARCH


def test_search_by_title_word(catalog, buyer_client):
    response = buyer_client.get(SEARCH, {"q": "drill"})
    assert response.status_code == 200
    assert set(_titles(response)) == {
        "Hammer drill HR2470",
        "Cordless drill DDF485",
        "Drill bit set",
    }


def test_search_by_brand_and_category_name(catalog, buyer_client):
    assert set(_titles(buyer_client.get(SEARCH, {"q": "makita"}))) == {
        "Hammer drill HR2470",
        "Cordless drill DDF485",
    }
    assert "Hammer drill HR2470" in _titles(buyer_client.get(SEARCH, {"q": "Drills"}))


def test_exact_sku_ranks_first(catalog, buyer_client):
    response = buyer_client.get(SEARCH, {"q": "hr2470"})
    titles = _titles(response)
    assert titles[0] == "Hammer drill HR2470"
    assert "Circular saw for HR2470 owners" in titles


def test_variant_sku_finds_its_parent(catalog, buyer_client):
    assert _titles(buyer_client.get(SEARCH, {"q": "BIT-8"})) == ["Drill bit set"]


def test_search_results_have_facets_and_in_stock_filter(catalog, buyer_client):
    response = buyer_client.get(SEARCH, {"q": "drill"})
    brand = next(f for f in response.context["facets"] if f.code == "brand")
    assert {v.label: v.count for v in brand.values} == {"Makita": 2}
    filtered = buyer_client.get(SEARCH, {"q": "drill", "f_brand": "Makita", "sort": "title"})
    assert _titles(filtered) == ["Cordless drill DDF485", "Hammer drill HR2470"]


def test_nothing_found_says_so(catalog, buyer_client):
    response = buyer_client.get(SEARCH, {"q": "unobtainium"})
    assert response.status_code == 200
    assert "Nothing found for “unobtainium”" in response.content.decode()


def test_empty_query_shows_a_hint_not_the_whole_catalog(catalog, buyer_client):
    response = buyer_client.get(SEARCH, {"q": "  "})
    assert response.status_code == 200
    assert "cards" not in response.context


def test_search_products_is_scoped_to_the_storefront(catalog, storefront, other_storefront):
    factories.product(other_storefront, "Hammer drill from beta", sku="BETA-HR")
    rebuild_all()
    assert list(search_products(other_storefront, "hammer").values_list("title", flat=True)) == [
        "Hammer drill from beta"
    ]
    assert "Hammer drill from beta" not in [p.title for p in search_products(storefront, "hammer")]
    assert not search_products(storefront, "BETA-HR").exists()


def test_documents_follow_catalog_changes_after_commit(
    storefront, buyer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        product = factories.product(storefront, "Torque wrench", sku="TW-40")
    document = ProductSearchDocument.objects.get(product=product)
    assert "TW-40" in document.codes
    assert _titles(buyer_client.get(SEARCH, {"q": "torque"})) == ["Torque wrench"]

    with django_capture_on_commit_callbacks(execute=True):
        factories.attribute_value(product, "brand", "Norbar", option=True)
        record = product.stockrecords.get()
        record.partner_sku = "TW-41"
        record.save()
    document.refresh_from_db()
    assert document.brand == "Norbar" and "TW-41" in document.codes
    assert _titles(buyer_client.get(SEARCH, {"q": "norbar"})) == ["Torque wrench"]

    with django_capture_on_commit_callbacks(execute=True):
        product.is_public = False
        product.save()
    assert not ProductSearchDocument.objects.filter(product=product).exists()


def test_rebuild_command_indexes_every_product(storefront):
    factories.product(storefront, "Tape measure")
    factories.product(storefront, "Chalk line")
    ProductSearchDocument.objects.all().delete()
    call_command("rebuild_catalog_search", verbosity=0)
    assert ProductSearchDocument.objects.count() == 2


@pytest.mark.parametrize(
    "query", ['"', "drill*", "AND", "OR NOT", "bit-(8", "NEAR(a b)", "'; --", "ü"]
)
def test_punctuation_and_operators_in_the_query_do_not_break_search(catalog, buyer_client, query):
    assert buyer_client.get(SEARCH, {"q": query}).status_code == 200


def test_a_word_prefix_finds_products_when_no_whole_word_matches(catalog, buyer_client):
    assert "Cordless drill DDF485" in _titles(buyer_client.get(SEARCH, {"q": "cordl"}))
