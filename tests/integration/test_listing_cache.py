"""The listing cache: a category's ids, stock flags and facet counts are shared by every buyer of
a storefront until the catalog changes, and a change shows on the very next page view."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from oscar.apps.catalogue.models import ProductCategory

from pipit.catalog import listing_cache
from pipit.catalog.listing_cache import catalog_version
from pipit.inventory.models import Warehouse, WarehouseStock
from pipit.inventory.services import allocate, release
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bolts(storefront):
    category = factories.category(storefront, "Fasteners", "Bolts")
    for n, (brand, stock) in enumerate([("Makita", 4), ("Bosch", 0), ("Makita", 1)]):
        product = factories.product(
            storefront, f"Bolt {n}", categories=[category], stock={"main": stock}
        )
        factories.attribute_value(product, "brand", brand, option=True)
    return category


def _page(client, category, query=""):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(category.get_absolute_url() + query)
    assert response.status_code == 200
    return response, len(ctx)


def _titles(response) -> list[str]:
    return [card.product.title for card in response.context["cards"]]


def _facet(response, code: str) -> dict[str, int]:
    for facet in response.context["facets"]:
        if facet.code == code:
            return {value.value: value.count for value in facet.values}
    return {}


def test_a_second_view_reads_the_listing_from_the_cache(
    bolts, buyer_client, client_for, storefront
):
    buyer_client.get(bolts.get_absolute_url())  # the buyer's session and basket
    listing_cache.catalog_changed()
    first, cold = _page(buyer_client, bolts)
    second, warm = _page(buyer_client, bolts)
    # The category and its ancestors, the listing (ids with stock flags; variants' ids and
    # attribute values), the cards' catalog data (products, variants, images, brands) and the
    # storefront's warehouses from the cache; offers, stock and prices from the database.
    assert warm == cold - 10
    assert _titles(second) == _titles(first) == ["Bolt 0", "Bolt 1", "Bolt 2"]
    assert second.context["in_stock_count"] == 2
    assert _facet(second, "brand") == {"Bosch": 1, "Makita": 2}
    # Another buyer of the storefront shares it.
    other = client_for(storefront, factories.buyer(factories.company(storefront, "Other LLC")))
    other.get(bolts.get_absolute_url())  # the new buyer's session and basket
    _response, shared = _page(other, bolts)
    assert shared == warm


def test_stock_reserved_by_an_order_shows_at_once(bolts, buyer_client, storefront):
    _page(buyer_client, bolts, "?in_stock=1")
    record = bolts.product_set.get(title="Bolt 2").stockrecords.get()
    with transaction.atomic():
        allocations = allocate(record, 1, storefront.warehouse_ids)  # the last unit
    response, _ = _page(buyer_client, bolts, "?in_stock=1")
    assert _titles(response) == ["Bolt 0"]
    assert response.context["in_stock_count"] == 1
    release(record.pk, allocations)
    response, _ = _page(buyer_client, bolts, "?in_stock=1")
    assert _titles(response) == ["Bolt 0", "Bolt 2"]


def test_products_added_moved_and_retitled_show_at_once(bolts, buyer_client, storefront):
    _page(buyer_client, bolts)
    factories.product(storefront, "Anchor bolt", categories=[bolts])
    response, _ = _page(buyer_client, bolts)
    assert _titles(response) == ["Anchor bolt", "Bolt 0", "Bolt 1", "Bolt 2"]

    ProductCategory.objects.filter(product__title="Bolt 1").delete()
    response, _ = _page(buyer_client, bolts)
    assert "Bolt 1" not in _titles(response)

    product = bolts.product_set.get(title="Bolt 0")
    product.title = "Zinc bolt"
    product.save()
    response, _ = _page(buyer_client, bolts)
    assert _titles(response) == ["Anchor bolt", "Bolt 2", "Zinc bolt"]


def test_stock_and_attribute_edits_show_at_once(bolts, buyer_client):
    _page(buyer_client, bolts)
    stock = WarehouseStock.objects.get(stockrecord__product__title="Bolt 1")
    stock.num_in_stock = 7
    stock.save()
    product = bolts.product_set.get(title="Bolt 2")
    factories.attribute_value(product, "brand", "Bosch", option=True)
    response, _ = _page(buyer_client, bolts)
    assert response.context["in_stock_count"] == 3
    assert _facet(response, "brand") == {"Bosch": 2, "Makita": 1}


def test_storefronts_never_share_a_listing(bolts, buyer_client, other_storefront, client_for):
    _page(buyer_client, bolts)
    # The same category filed under the other storefront's scope: its own products only.
    other_storefront.categories.add(bolts.get_root())
    factories.product(other_storefront, "Beta bolt", categories=[bolts])
    other = client_for(
        other_storefront, factories.buyer(factories.company(other_storefront, "Beta LLC"))
    )
    response, _ = _page(other, bolts)
    assert _titles(response) == ["Beta bolt"]


def test_a_transaction_raises_the_version_at_once_and_once_more_on_commit(storefront):
    before = catalog_version()
    with transaction.atomic():
        for n in range(3):
            factories.product(storefront, f"Nut {n}")
        # At once for every save (this transaction's own reads see its changes)...
        assert catalog_version() > before
        pending = [func for _ids, func, _robust in connection.run_on_commit]
    # ...and once more when it commits (a listing another request read meanwhile showed the
    # catalog before the change): one callback however many products were saved.
    assert pending.count(listing_cache._bump) == 1


def test_a_renamed_or_hidden_category_shows_at_once(bolts, buyer_client):
    _page(buyer_client, bolts)
    bolts.name = "Screws"
    bolts.save()
    response = buyer_client.get(bolts.get_absolute_url(), follow=True)
    assert response.context["page_title"] == "Screws"
    bolts.is_public = False
    bolts.save()
    assert buyer_client.get(bolts.get_absolute_url()).status_code == 404


def test_a_renamed_warehouse_shows_at_once(bolts, buyer_client, storefront):
    _page(buyer_client, bolts)
    warehouse = Warehouse.objects.get(code=f"{storefront.code}-main")
    warehouse.name = "Podolsk hub"
    warehouse.save()
    response, _ = _page(buyer_client, bolts)
    record = response.context["cards"][0].info.availability
    assert [level.name for level in record.levels] == ["Podolsk hub"]
