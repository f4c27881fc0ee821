"""Search is narrowed to the storefront before the backend ranks and cuts its hits, and the
documents follow the catalog and the storefronts' scope."""

from __future__ import annotations

import pytest
from oscar.apps.catalogue.models import Product
from rest_framework.test import APIClient

from pipit.catalog.models import ProductSearchDocument, SearchDocumentStorefront
from pipit.catalog.search import (
    MAX_TEXT_MATCHES,
    index_documents,
    rebuild_all,
    refresh_storefront_scope,
    search_products,
    update_documents,
)
from pipit.oscar_apps.partner.models import StockRecord
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def _crowd(storefront, n: int) -> None:
    """``n`` products of ``storefront`` titled "Nitrile gloves", written in bulk."""
    kind = factories.product_class("Goods")
    products = Product.objects.bulk_create(
        [
            Product(
                title="Nitrile gloves",
                slug=f"crowd-{i}",
                structure="standalone",
                product_class=kind,
            )
            for i in range(n)
        ]
    )
    documents = ProductSearchDocument.objects.bulk_create(
        [ProductSearchDocument(product=p, title=p.title) for p in products]
    )
    SearchDocumentStorefront.objects.bulk_create(
        [SearchDocumentStorefront(document=d, storefront=storefront) for d in documents]
    )
    index_documents(documents)


def test_a_small_storefront_finds_its_products_among_a_crowd_of_others(
    storefront, other_storefront, buyer, client_for
):
    ours = [factories.product(storefront, "Nitrile gloves", sku=f"NG-{n}") for n in range(3)]
    update_documents([p.pk for p in ours])
    _crowd(other_storefront, MAX_TEXT_MATCHES + 100)

    found = search_products(storefront, "nitrile gloves")
    assert sorted(found.values_list("pk", flat=True)) == sorted(p.pk for p in ours)

    page = client_for(storefront, buyer).get("/shop/search/", {"q": "gloves"})
    assert len(page.context["cards"]) == 3

    api = APIClient(HTTP_HOST=storefront.site.hostname)
    api.force_authenticate(buyer)
    response = api.get("/api/v1/products/", {"q": "gloves"})
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_page_and_api_rank_an_exact_sku_first(storefront, buyer, buyer_client):
    factories.product(storefront, "Hammer drill HR2470 spare brushes", sku="BR-1")
    factories.product(storefront, "Hammer drill", sku="HR2470")
    rebuild_all()
    page = buyer_client.get("/shop/search/", {"q": "hr2470"})
    assert [c.product.title for c in page.context["cards"]][0] == "Hammer drill"
    api = APIClient(HTTP_HOST=storefront.site.hostname)
    api.force_authenticate(buyer)
    results = api.get("/api/v1/products/", {"q": "hr2470"}).json()["results"]
    assert [p["title"] for p in results] == ["Hammer drill", "Hammer drill HR2470 spare brushes"]


def test_a_storefront_that_gains_a_category_finds_its_products(storefront, other_storefront):
    drills = factories.category(other_storefront, "Drills")
    product = factories.product(other_storefront, "Rotary hammer", categories=[drills])
    # Alpha sells from beta's warehouse too, but not (yet) the category.
    storefront.warehouses.add(*other_storefront.warehouses.all())
    rebuild_all()
    storefront = type(storefront).objects.get(pk=storefront.pk)  # fresh cached scope
    assert not search_products(storefront, "rotary").exists()

    storefront.categories.add(drills)
    storefront = type(storefront).objects.get(pk=storefront.pk)
    assert refresh_storefront_scope(storefront.pk) == 1
    assert list(search_products(storefront, "rotary")) == [product]

    storefront.categories.remove(drills)
    assert refresh_storefront_scope(storefront.pk) == 1
    assert not search_products(type(storefront).objects.get(pk=storefront.pk), "rotary").exists()


def test_scope_change_is_picked_up_when_the_change_commits(
    storefront, other_storefront, django_capture_on_commit_callbacks
):
    drills = factories.category(other_storefront, "Drills")
    product = factories.product(other_storefront, "Rotary hammer", categories=[drills])
    storefront.warehouses.add(*other_storefront.warehouses.all())
    rebuild_all()
    with django_capture_on_commit_callbacks(execute=True):
        storefront.categories.add(drills)
    storefront = type(storefront).objects.get(pk=storefront.pk)
    assert list(search_products(storefront, "rotary")) == [product]


def test_a_price_change_does_not_rebuild_the_document(
    storefront, django_capture_on_commit_callbacks
):
    product = factories.product(storefront, "Cordless drill", sku="DDF-1")
    record = StockRecord.objects.get(product=product)
    with django_capture_on_commit_callbacks() as callbacks:
        record.price = record.price + 1
        record.save()
    assert callbacks == []


def test_a_sku_change_rebuilds_the_document(storefront, django_capture_on_commit_callbacks):
    product = factories.product(storefront, "Cordless drill", sku="DDF-1")
    rebuild_all()
    record = StockRecord.objects.get(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        record.partner_sku = "DDF-2000"
        record.save()
    assert "DDF-2000" in ProductSearchDocument.objects.get(product=product).codes
    assert list(search_products(storefront, "DDF 2000")) == [product]
