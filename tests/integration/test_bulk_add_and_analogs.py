"""The shared pieces of repeat order, quick order and saved lists: bulk add-to-cart and analogs."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import ProductRecommendation

from pipit.catalog.analogs import analogs_for
from pipit.catalog.queries import purchasable_for_storefront
from pipit.ordering.basket import add_to_basket
from pipit.pricing.strategy import StorefrontStrategy
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def _basket(storefront, buyer) -> Basket:
    basket = Basket.objects.create(owner=buyer)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=buyer)
    return basket


def test_bulk_add_puts_good_lines_in_and_refuses_the_rest_without_changing_quantities(
    storefront, buyer
):
    plenty = factories.product(storefront, "Plenty", price="10.00", stock={"main": 50})
    few = factories.product(storefront, "Few", stock={"main": 3})
    none = factories.product(
        storefront, "None", stock={"main": 0}, restock={"main": datetime.date(2030, 1, 15)}
    )
    basket = _basket(storefront, buyer)

    result = add_to_basket(basket, [(plenty, 5), (few, 4), (none, 1), (plenty, 0)])

    assert [(p.title, q) for p, q in result.added] == [("Plenty", 5)]
    refused = {(line.product.title, line.quantity) for line in result.refused}
    assert refused == {("Few", 4), ("None", 1), ("Plenty", 0)}
    assert all(line.reason for line in result.refused)
    # Nothing was "helpfully" reduced to the 3 in stock.
    assert {line.product_id: line.quantity for line in basket.all_lines()} == {plenty.pk: 5}
    assert basket.all_lines()[0].price_excl_tax == plenty.stockrecords.get().price


def test_bulk_add_counts_what_the_basket_already_holds(storefront, buyer):
    few = factories.product(storefront, "Few", stock={"main": 3})
    basket = _basket(storefront, buyer)
    assert add_to_basket(basket, [(few, 2)]).added
    second = add_to_basket(basket, [(few, 2)])
    assert second.added == [] and second.refused[0].quantity == 2


def test_purchasable_products_are_variants_and_standalone_of_this_storefront(
    storefront, other_storefront
):
    single = factories.product(storefront, "Single")
    parent = factories.parent_product(storefront, "Shirt", [{"title": "S"}, {"title": "M"}])
    elsewhere = factories.product(other_storefront, "Elsewhere")
    found = set(purchasable_for_storefront(storefront).values_list("title", flat=True))
    assert {"Single", "S", "M"} <= found
    assert parent.title not in found and elsewhere.title not in found
    assert single.title in found


def test_analogs_come_best_first_within_the_storefront_in_a_fixed_number_of_queries(
    storefront, other_storefront
):
    original = factories.product(storefront, "Original", stock={"main": 0})
    good = factories.product(storefront, "Good analog")
    better = factories.product(storefront, "Better analog")
    foreign = factories.product(other_storefront, "Other storefront's analog")
    lonely = factories.product(storefront, "No analogs")
    for analog, ranking in [(good, 1), (better, 5), (foreign, 9)]:
        ProductRecommendation.objects.create(
            primary=original, recommendation=analog, ranking=ranking
        )

    with CaptureQueriesContext(connection) as queries:
        found = analogs_for(storefront, [original, lonely])
    titles = {pk: [p.title for p in products] for pk, products in found.items()}

    assert titles == {original.pk: ["Better analog", "Good analog"], lonely.pk: []}
    # A fixed number: the recommendations, then the analogs with their offers, stock and variants
    # (prefetches), however many products are asked about.
    assert len(queries) <= 8
    assert analogs_for(storefront, [original], limit=1)[original.pk][0].title == "Better analog"
