"""Storefront catalog pages as a buyer sees them: categories, facets, stock, product page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from oscar.apps.basket.models import Basket

from pipit.inventory.models import WarehouseStock
from pipit.testing import factories

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [card.product.get_title() for card in response.context["cards"]]


def _facet(response, code):
    return next(f for f in response.context["facets"] if f.code == code)


@pytest.fixture
def tools(storefront):
    """Tools > Saws, Tools > Drills with branded products and one variant product."""
    saws = factories.category(storefront, "Tools", "Saws")
    drills = factories.category(storefront, "Tools", "Drills")
    items = {
        "saw-m": factories.product(storefront, "Circular saw", categories=[saws], price="90"),
        "saw-b": factories.product(storefront, "Jigsaw", categories=[saws], price="70"),
        "drill-m": factories.product(
            storefront, "Hammer drill", categories=[drills], price="120", stock={"main": 0}
        ),
        "drill-d": factories.product(
            storefront, "Cordless drill", categories=[drills], price="150"
        ),
    }
    for key, brand in [("saw-m", "Makita"), ("saw-b", "Bosch"), ("drill-m", "Makita")]:
        factories.attribute_value(items[key], "brand", brand, option=True)
    factories.attribute_value(items["drill-d"], "brand", "DeWalt", option=True)
    factories.attribute_value(items["saw-m"], "power", 1200)
    factories.attribute_value(items["drill-m"], "power", 800)
    factories.attribute_value(items["drill-d"], "power", 800)
    return {"saws": saws, "drills": drills, "tools": saws.get_parent(), **items}


def test_category_page_shows_breadcrumbs_subcategories_and_its_products(tools, buyer_client):
    response = buyer_client.get(tools["tools"].get_absolute_url())
    assert response.status_code == 200
    assert sorted(_titles(response)) == [
        "Circular saw",
        "Cordless drill",
        "Hammer drill",
        "Jigsaw",
    ]
    subcategories = {i["category"].name: i["count"] for i in response.context["subcategories"]}
    assert subcategories == {"Saws": 2, "Drills": 2}
    crumbs = [c.label for c in response.context["breadcrumbs"]]
    assert crumbs == ["Catalog", "Tools"]  # the storefront's root category is "Catalog"
    html = response.content.decode()
    assert tools["saws"].get_absolute_url() in html

    saws = buyer_client.get(tools["saws"].get_absolute_url())
    assert sorted(_titles(saws)) == ["Circular saw", "Jigsaw"]
    assert [c.label for c in saws.context["breadcrumbs"]][-2:] == ["Tools", "Saws"]


def test_category_url_with_a_stale_slug_redirects_to_the_canonical_one(tools, buyer_client):
    saws = tools["saws"]
    url = reverse("catalogue:category", kwargs={"category_slug": "old/name", "pk": saws.pk})
    response = buyer_client.get(url + "?sort=price")
    assert response.status_code == 301
    assert response["Location"] == saws.get_absolute_url() + "?sort=price"


def test_brand_facet_counts_and_filters(tools, buyer_client):
    url = tools["tools"].get_absolute_url()
    brands = {v.label: v.count for v in _facet(buyer_client.get(url), "brand").values}
    assert brands == {"Bosch": 1, "DeWalt": 1, "Makita": 2}

    response = buyer_client.get(url, {"f_brand": "Makita"})
    assert sorted(_titles(response)) == ["Circular saw", "Hammer drill"]
    # The other brands keep their counts, so the buyer can add them to the selection.
    brand = _facet(response, "brand")
    assert {v.label: (v.count, v.selected) for v in brand.values} == {
        "Bosch": (1, False),
        "DeWalt": (1, False),
        "Makita": (2, True),
    }
    # Other facets count only what the selection left.
    assert {v.label: v.count for v in _facet(response, "power").values} == {"800": 1, "1200": 1}


def test_values_of_one_attribute_widen_and_attributes_narrow(tools, buyer_client):
    url = tools["tools"].get_absolute_url()
    either = buyer_client.get(url + "?f_brand=Makita&f_brand=Bosch")
    assert sorted(_titles(either)) == ["Circular saw", "Hammer drill", "Jigsaw"]
    both = buyer_client.get(url + "?f_brand=Makita&f_brand=Bosch&f_power=800")
    assert _titles(both) == ["Hammer drill"]


def test_variant_attributes_filter_their_parent_product(storefront, buyer_client):
    parent = factories.parent_product(
        storefront, "Work gloves", [{"sku": "GL-M"}, {"sku": "GL-XL"}]
    )
    factories.product(storefront, "Safety glasses")
    for child in parent.children.all():
        factories.attribute_value(child, "size", child.stockrecords.get().partner_sku[3:])
    response = buyer_client.get(reverse("catalogue:index"))
    assert {v.label: v.count for v in _facet(response, "size").values} == {"M": 1, "XL": 1}
    filtered = buyer_client.get(reverse("catalogue:index"), {"f_size": "XL"})
    assert _titles(filtered) == ["Work gloves"]


def test_float_and_boolean_attributes_filter_too(storefront, buyer_client):
    light = factories.product(storefront, "Light hammer")
    heavy = factories.product(storefront, "Heavy hammer")
    factories.attribute_value(light, "weight", 0.5)
    factories.attribute_value(heavy, "weight", 1.25)
    factories.attribute_value(heavy, "antivibration", True)
    factories.attribute_value(light, "antivibration", False)
    url = reverse("catalogue:index")
    weights = {v.label: v.count for v in _facet(buyer_client.get(url), "weight").values}
    assert weights == {"0.5": 1, "1.25": 1}
    assert _titles(buyer_client.get(url, {"f_weight": "1.25"})) == ["Heavy hammer"]
    assert _titles(buyer_client.get(url, {"f_antivibration": "1"})) == ["Heavy hammer"]
    assert _titles(buyer_client.get(url, {"f_antivibration": "0"})) == ["Light hammer"]


def test_in_stock_only_hides_products_without_available_stock(tools, buyer_client):
    # Everything on hand in "main" is reserved by orders: not available.
    record = tools["saw-b"].stockrecords.get()
    WarehouseStock.objects.filter(stockrecord=record).update(num_in_stock=4, num_allocated=4)
    url = tools["tools"].get_absolute_url()
    response = buyer_client.get(url)
    assert response.context["in_stock_count"] == 2
    response = buyer_client.get(url, {"in_stock": "1"})
    assert sorted(_titles(response)) == ["Circular saw", "Cordless drill"]
    assert "Hammer drill" not in response.content.decode()


def test_stock_in_a_warehouse_of_another_storefront_does_not_count(
    storefront, other_storefront, buyer_client
):
    from pipit.inventory.models import Warehouse

    product = factories.product(storefront, "Anvil", stock={"main": 0})
    foreign = Warehouse.objects.get(code="beta-main")
    WarehouseStock.objects.create(
        stockrecord=product.stockrecords.get(), warehouse=foreign, num_in_stock=50
    )
    response = buyer_client.get(reverse("catalogue:index"), {"in_stock": "1"})
    assert _titles(response) == []
    page = buyer_client.get(product.get_absolute_url()).content.decode()
    assert "Beta" not in page and "Out of stock" in page


def test_sorting_by_price_and_by_name(tools, buyer_client):
    url = tools["tools"].get_absolute_url()
    by_price = _titles(buyer_client.get(url, {"sort": "price"}))
    assert by_price == ["Jigsaw", "Circular saw", "Hammer drill", "Cordless drill"]
    by_price_desc = _titles(buyer_client.get(url, {"sort": "-price"}))
    assert by_price_desc == list(reversed(by_price))
    assert _titles(buyer_client.get(url, {"sort": "-title"}))[0] == "Jigsaw"


def test_listing_pages_by_24(storefront, buyer_client):
    for n in range(30):
        factories.product(storefront, f"Bolt M{n:02d}")
    first = buyer_client.get(reverse("catalogue:index"))
    assert len(first.context["cards"]) == 24
    assert first.context["paginator"].count == 30
    assert "?page=2" in first.content.decode()
    second = buyer_client.get(reverse("catalogue:index"), {"page": 2})
    assert _titles(second) == [f"Bolt M{n:02d}" for n in range(24, 30)]


def test_product_page_shows_stock_per_warehouse_and_restock_date(storefront, buyer_client):
    from pipit.inventory.models import Warehouse

    Warehouse.objects.filter(code="alpha-main").update(city="Moscow")
    Warehouse.objects.filter(code="alpha-north").update(city="Saint Petersburg")
    product = factories.product(
        storefront,
        "Angle grinder",
        sku="AG-125",
        stock={"main": 7, "north": 0},
        restock={"north": datetime.date(2031, 3, 15)},
    )
    factories.attribute_value(product, "disc_diameter", 125, name="Disc diameter")
    product.description = "<p>Compact grinder for metal.</p>"
    product.save()
    response = buyer_client.get(product.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "AG-125" in html and "Compact grinder for metal." in html
    assert "Main warehouse, Moscow" in html and "7 pcs." in html
    # The storefront speaks English: the date is in its short format, not a hard-coded d.m.Y.
    assert "North warehouse, Saint Petersburg" in html and "expected 03/15/2031" in html
    assert "Disc diameter" in html and "125" in html
    assert f'action="{reverse("basket:add", kwargs={"pk": product.pk})}"' in html
    assert 'name="quantity"' in html
    crumbs = [c.label for c in response.context["breadcrumbs"]]
    assert crumbs == ["Catalog", "Angle grinder"]


def test_out_of_stock_product_shows_expected_date_and_no_cart_button(storefront, buyer_client):
    product = factories.product(
        storefront, "Band saw", stock={"main": 0}, restock={"main": datetime.date(2031, 1, 9)}
    )
    html = buyer_client.get(product.get_absolute_url()).content.decode()
    assert "Out of stock, expected 01/09/2031" in html
    assert "Add to cart" not in html.split("product__buy")[1].split("</div>")[0]


def test_product_page_lists_variants_with_price_stock_and_add_to_cart(storefront, buyer_client):
    parent = factories.parent_product(
        storefront,
        "Drill bit set",
        [
            {"title": "10 mm", "sku": "BIT-10", "price": "16.00", "stock": {"main": 1}},
            {"title": "6 mm", "sku": "BIT-6", "price": "12.50", "stock": {"main": 3}},
            {
                "title": "8 mm",
                "sku": "BIT-8",
                "price": "14.00",
                "stock": {"main": 0},
                "restock": {"main": datetime.date(2031, 6, 1)},
            },
        ],
    )
    for child in parent.children.all():
        factories.attribute_value(child, "diameter", child.title)
    response = buyer_client.get(parent.get_absolute_url())
    rows = {row.sku: row for row in response.context["variants"]}
    assert list(rows) == ["BIT-6", "BIT-8", "BIT-10"]  # by size, numbers as numbers
    assert rows["BIT-6"].values == ["6 mm"]
    assert rows["BIT-6"].info.price.excl_tax == pytest.approx(12.5)
    assert rows["BIT-8"].info.availability.restock_date == datetime.date(2031, 6, 1)
    html = response.content.decode()
    assert html.count('name="child_id"') == 2  # only variants in stock can be ordered
    assert f'name="child_id" value="{rows["BIT-6"].product.pk}"' in html
    assert "expected 06/01/2031" in html


def test_add_to_cart_form_puts_the_variant_in_the_cart(storefront, buyer, buyer_client):
    parent = factories.parent_product(storefront, "Drill bit set", [{"sku": "BIT-6"}])
    child = parent.children.get()
    page = buyer_client.get(parent.get_absolute_url())
    assert page.status_code == 200
    response = buyer_client.post(
        reverse("basket:add", kwargs={"pk": parent.pk}), {"child_id": child.pk, "quantity": 3}
    )
    assert response.status_code == 302
    line = Basket.objects.get(owner=buyer, status=Basket.OPEN).lines.get()
    assert (line.product, line.quantity) == (child, 3)


def test_anonymous_visitor_of_a_closed_storefront_is_asked_to_log_in(storefront, anon_client):
    product = factories.product(storefront, "Pipe wrench", price="555.00")
    listing = anon_client.get(reverse("catalogue:index")).content.decode()
    page = anon_client.get(product.get_absolute_url()).content.decode()
    for html in (listing, page):
        assert "Log in to see prices" in html
        assert "555" not in html
        assert 'name="quantity"' not in html
    assert "Log in to order" in page
    # Sorting by price would reveal the price order: not offered.
    assert "sort=price" not in listing


def test_anonymous_visitor_of_an_open_storefront_sees_prices(db, client_for):
    shop = factories.storefront("open", show_prices_to_anonymous=True)
    product = factories.product(shop, "Pipe wrench", price="555.00")
    html = client_for(shop).get(product.get_absolute_url()).content.decode()
    assert "555" in html and "Log in to see prices" not in html


def test_variant_url_opens_its_parent_page(storefront, buyer_client):
    parent = factories.parent_product(storefront, "Gloves", [{"sku": "GL-M"}])
    child = parent.children.get()
    response = buyer_client.get(child.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == parent.get_absolute_url()


def test_product_url_with_a_stale_slug_redirects(storefront, buyer_client):
    product = factories.product(storefront, "Spirit level")
    url = reverse("catalogue:detail", kwargs={"product_slug": "old-name", "pk": product.pk})
    response = buyer_client.get(url)
    assert response.status_code == 301 and response["Location"] == product.get_absolute_url()
