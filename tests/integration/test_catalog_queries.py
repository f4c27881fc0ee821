"""Catalog pages cost the same number of SQL queries whatever the number of products shown."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.apps.catalogue.models import ProductImage
from PIL import Image

from pipit.catalog.listing_cache import catalog_changed
from pipit.catalog.search import rebuild_all
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "orange").save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def _add_products(sf, category, start: int, stop: int) -> None:
    for n in range(start, stop):
        product = factories.product(
            sf, f"Hex bolt M{n:02d}", categories=[category], stock={"main": n % 3, "north": 2}
        )
        factories.attribute_value(product, "brand", ["Makita", "Bosch"][n % 2], option=True)
        factories.attribute_value(product, "length", 10 + n)
        ProductImage.objects.create(product=product, original=_png(), display_order=0)
    parent = factories.parent_product(
        sf,
        f"Hex bolt set {start}",
        [{"sku": f"SET-{start}-A"}, {"sku": f"SET-{start}-B", "stock": {"main": 0}}],
        categories=[category],
    )
    for child in parent.children.all():
        factories.attribute_value(child, "size", child.stockrecords.get().partner_sku[-1])


def _without_tokens(response) -> str:
    """The page as a buyer reads it: CSRF tokens are masked anew for every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


def _queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?f_brand=Makita&in_stock=1&sort=price",
        "?f_brand=Bosch&f_length=11&f_length=13&sort=-title",
    ],
)
def test_category_page_query_count_does_not_grow_with_products(
    storefront, buyer_client, django_assert_num_queries, query
):
    bolts = factories.category(storefront, "Fasteners", "Bolts")
    _add_products(storefront, bolts, 0, 2)
    url = bolts.get_absolute_url() + query
    buyer_client.get(url)  # the buyer's basket and session exist from here on
    catalog_changed()  # the listing's ids and facets are read again, as after the change below
    few, response = _queries(buyer_client, url)
    assert 1 <= len(response.context["cards"]) <= 3

    _add_products(storefront, bolts, 2, 21)
    with django_assert_num_queries(few):
        response = buyer_client.get(url)
    if not query:
        assert len(response.context["cards"]) == 23  # 21 bolts and 2 sets, one page
        assert response.content.decode().count('class="card"') == 23
    # Until the catalog changes again the ids, stock flags and facet counts come from the
    # listing cache: fewer queries, at any page size.
    cached, again = _queries(buyer_client, url)
    assert cached < few
    assert _without_tokens(again) == _without_tokens(response)


def test_product_page_query_count_does_not_grow_with_variants(
    storefront, buyer_client, django_assert_num_queries
):
    def variants(start, stop):
        return [{"sku": f"V-{n}", "stock": {"main": n % 2, "north": 1}} for n in range(start, stop)]

    parent = factories.parent_product(storefront, "Washer assortment", variants(0, 2))
    factories.attribute_value(parent, "brand", "Würth", option=True)
    ProductImage.objects.create(product=parent, original=_png(), display_order=0)
    for child in parent.children.all():
        factories.attribute_value(child, "diameter", child.pk)
    url = parent.get_absolute_url()
    buyer_client.get(url)
    few, response = _queries(buyer_client, url)
    assert len(response.context["variants"]) == 2

    for n in range(2, 12):
        child = factories.product(storefront, parent=parent, sku=f"V-{n}", stock={"main": 1})
        factories.attribute_value(child, "diameter", child.pk)
    with django_assert_num_queries(few):
        response = buyer_client.get(url)
    assert len(response.context["variants"]) == 12


def test_search_page_query_count_does_not_grow_with_results(
    storefront, buyer_client, django_assert_num_queries
):
    bolts = factories.category(storefront, "Bolts")
    _add_products(storefront, bolts, 0, 2)
    rebuild_all()
    url = "/shop/search/?q=bolt"
    buyer_client.get(url)
    catalog_changed()  # the cards' catalog data is read again, as after the change below
    few, response = _queries(buyer_client, url)
    assert len(response.context["cards"]) == 3

    _add_products(storefront, bolts, 2, 21)
    rebuild_all()
    with django_assert_num_queries(few):
        response = buyer_client.get(url)
    assert len(response.context["cards"]) == 23


def _listing_answer(response) -> dict:
    context = response.context
    return {
        "count": context["paginator"].count,
        "pages": context["paginator"].num_pages,
        "number": context["page_obj"].number,
        "in_stock": context["in_stock_count"],
        "cards": [card.product.pk for card in context["cards"]],
        "facets": [
            (
                f.code,
                str(f.name),
                [(v.value, v.label, v.count, v.selected, v.url) for v in f.values],
            )
            for f in context["facets"]
        ],
    }


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page=2",
        "?page=99",
        "?in_stock=1&sort=-title",
        "?f_brand=Makita&in_stock=1&sort=price",
        "?f_brand=bosch&f_length=11&f_length=13&f_length=14&sort=-price",
        "?f_size=A&f_size=b&in_stock=1",
        "?f_size=A&f_brand=Makita",
        "?f_brand=Nobody",
    ],
)
def test_category_page_answers_the_same_from_materialized_ids(
    storefront, buyer_client, monkeypatch, query
):
    """A listing small enough to load its ids once shows exactly what the queries over the whole
    filtered set show: counts, facets, order and pages."""
    from pipit.catalog import listing, views

    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    bolts = factories.category(storefront, "Fasteners", "Bolts")
    _add_products(storefront, bolts, 0, 9)
    _add_products(storefront, bolts, 9, 14)
    url = bolts.get_absolute_url() + query
    materialized = _listing_answer(buyer_client.get(url))
    monkeypatch.setattr(listing, "MAX_MATERIALIZED", 0)
    assert _listing_answer(buyer_client.get(url)) == materialized
    assert bool(materialized["cards"]) != (
        "Nobody" in query or "Makita" in query and "size" in query
    )
