"""Product cards, dates, images and attribute filters: the same on the catalog pages, the CMS
carousels and the API."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from oscar.apps.catalogue.models import (
    AttributeOption,
    AttributeOptionGroup,
    ProductAttribute,
    ProductAttributeValue,
    ProductImage,
)
from PIL import Image
from rest_framework.test import APIClient

from pipit.catalog.listing_cache import catalog_changed
from pipit.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png(size: int = 900) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "orange").save(buffer, "PNG")
    return SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")


def _carousel(product) -> dict:
    return {
        "type": "product_carousel",
        "value": {
            "heading": "Bestsellers",
            "source": "products",
            "category": None,
            "products": [product.pk],
            "max_items": 8,
        },
    }


def _set_home(storefront, blocks) -> None:
    page = storefront.root_page.specific
    page.body = blocks
    page.save_revision().publish()


# -- one card -------------------------------------------------------------------------------------


def test_carousel_and_listing_show_the_same_card(storefront, buyer_client):
    product = factories.product(storefront, "Argan shampoo", sku="ARG-1")
    factories.attribute_value(product, "brand", "Kerastase", option=True)
    _set_home(storefront, [_carousel(product)])
    home = buyer_client.get("/").content.decode()
    listing = buyer_client.get("/shop/catalogue/").content.decode()
    for html in (home, listing):
        assert "Kerastase" in html and "SKU ARG-1" in html
        assert 'class="add-to-cart"' in html
        assert f'action="/shop/basket/add/{product.pk}/"' in html
        assert "Quantity of Argan shampoo" in html
    assert 'class="card card--carousel"' in home
    assert 'class="card"' in listing


# -- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [("en", "03/15/2031"), ("ru", "15.03.2031")])
def test_restock_dates_follow_the_storefront_language(language, expected, client_for, db):
    storefront = factories.storefront(f"dates{language}", language=language)
    buyer = factories.buyer(factories.company(storefront, "Dates LLC"), email=f"{language}@x.test")
    product = factories.product(
        storefront,
        "Band saw",
        stock={"main": 0, "north": 0},
        restock={"main": datetime.date(2031, 3, 15), "north": datetime.date(2031, 3, 15)},
    )
    html = client_for(storefront, buyer).get(product.get_absolute_url()).content.decode()
    assert html.count(expected) >= 2  # the availability message and the per-warehouse levels
    other = "15.03.2031" if language == "en" else "03/15/2031"
    assert other not in html


# -- images ---------------------------------------------------------------------------------------


def test_cards_and_product_page_serve_thumbnails_not_originals(storefront, buyer_client):
    product = factories.product(storefront, "Argan shampoo")
    image = ProductImage.objects.create(product=product, original=_png(), display_order=0)
    ProductImage.objects.create(product=product, original=_png(), display_order=1)
    _set_home(storefront, [_carousel(product)])
    original = image.original.url
    for path in ("/", "/shop/catalogue/", product.get_absolute_url()):
        html = buyer_client.get(path).content.decode()
        assert f'src="{original}"' not in html, path
        assert 'src="/media/cache/' in html, path  # sorl's thumbnails live under cache/
    # The product page still links the full-size image.
    assert f'href="{original}"' in buyer_client.get(product.get_absolute_url()).content.decode()


# -- attribute filters ------------------------------------------------------------------------------


def _colours(product, *names: str) -> None:
    group, _ = AttributeOptionGroup.objects.get_or_create(name="Colours")
    attribute, _ = ProductAttribute.objects.get_or_create(
        product_class=product.get_product_class(),
        code="colour",
        defaults={"name": "Colour", "type": ProductAttribute.MULTI_OPTION, "option_group": group},
    )
    value = ProductAttributeValue.objects.create(product=product, attribute=attribute)
    value.value_multi_option.set(
        [AttributeOption.objects.get_or_create(group=group, option=n)[0] for n in names]
    )


def test_attribute_filters_match_alike_on_pages_and_api(storefront, buyer, buyer_client):
    drill = factories.product(storefront, "Drill")
    factories.attribute_value(drill, "brand", "Makita", option=True)
    _colours(drill, "Red", "Black")
    saw = factories.product(storefront, "Saw")
    factories.attribute_value(saw, "brand", "Bosch", option=True)
    _colours(saw, "Blue")

    def page(**params) -> list[str]:
        response = buyer_client.get("/shop/catalogue/", params)
        return [c.product.title for c in response.context["cards"]]

    api = APIClient(HTTP_HOST=storefront.site.hostname)
    api.force_authenticate(buyer)

    def listed(**params) -> list[str]:
        return [p["title"] for p in api.get("/api/v1/products/", params).json()["results"]]

    assert page(f_brand="makita") == listed(brand="makita") == ["Drill"]
    assert page(f_colour="RED") == listed(attr_colour="RED") == ["Drill"]
    assert page(f_colour="blue") == listed(attr_colour="blue") == ["Saw"]
    # The facet shows the case-insensitive selection as selected.
    response = buyer_client.get("/shop/catalogue/", {"f_brand": "makita"})
    brand = next(f for f in response.context["facets"] if f.code == "brand")
    assert [v.label for v in brand.values if v.selected] == ["Makita"]


# -- cached cards ---------------------------------------------------------------------------------


def _cards_rendered(monkeypatch) -> list:
    """Cards rendered (not served from the cache) by the requests that follow."""
    from pipit.catalog.templatetags import pipit_cards

    rendered = []
    render = pipit_cards._render

    def counting(card_template, context, card):
        rendered.append(card.product.title)
        return render(card_template, context, card)

    monkeypatch.setattr(pipit_cards, "_render", counting)
    return rendered


def _untokened(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_changed_price_stock_or_title_shows_on_the_next_request(
    storefront, buyer_client, monkeypatch
):
    product = factories.product(storefront, "Argan shampoo", price="120.00", stock={"main": 7})
    rendered = _cards_rendered(monkeypatch)
    first = buyer_client.get("/shop/catalogue/").content.decode()
    again = buyer_client.get("/shop/catalogue/").content.decode()
    assert rendered == ["Argan shampoo"]  # the second request read the card from the cache
    assert _untokened(again) == _untokened(first) and "7 in stock" in first

    record = product.stockrecords.get()
    record.price = "99.00"
    record.save()
    html = buyer_client.get("/shop/catalogue/").content.decode()
    assert "99.00" in html and "120.00" not in html

    record.warehouse_stocks.filter(warehouse__code=f"{storefront.code}-main").update(num_in_stock=3)
    html = buyer_client.get("/shop/catalogue/").content.decode()
    assert "3 in stock" in html and "7 in stock" not in html

    # Even an update that leaves date_updated alone: the title is part of the key. (A bulk
    # update bypasses the signals that say the catalog changed: its writer says so.)
    type(product).objects.filter(pk=product.pk).update(title="Argan mask")
    catalog_changed()
    html = buyer_client.get("/shop/catalogue/").content.decode()
    assert "Argan mask" in html and "Argan shampoo" not in html
    assert rendered == ["Argan shampoo", "Argan shampoo", "Argan shampoo", "Argan mask"]

    product.refresh_from_db()
    product.title = "Argan oil"
    product.save()
    html = buyer_client.get("/shop/catalogue/").content.decode()
    assert "Argan oil" in html and "Argan mask" not in html


def test_a_changed_restock_date_shows_on_the_next_request(storefront, buyer_client):
    product = factories.product(
        storefront, "Band saw", stock={"main": 0}, restock={"main": datetime.date(2031, 3, 15)}
    )
    assert "03/15/2031" in buyer_client.get("/shop/catalogue/").content.decode()
    stock = product.stockrecords.get().warehouse_stocks.get()
    stock.restock_date = datetime.date(2031, 4, 1)
    stock.save()
    html = buyer_client.get("/shop/catalogue/").content.decode()
    assert "04/01/2031" in html and "03/15/2031" not in html


def test_companies_with_different_prices_never_see_each_others_card(
    storefront, company, buyer_client, other_company, client_for
):
    from pipit.pricing.compiler import Scope, compile_prices
    from pipit.pricing.models import PriceList, PriceListItem

    drill = factories.product(storefront, "Drill", price="100.00")
    contract = PriceList(
        storefront=storefront, name="Alpha contract", kind="company", currency="RUB"
    )
    contract.save()
    contract.save_revision().publish()
    PriceListItem.objects.create(price_list=contract, product=drill, company=company, price="50.00")
    compile_prices(storefront, Scope())
    rival = client_for(storefront, factories.buyer(other_company))
    for _ in range(2):  # the second round from the cache
        mine = buyer_client.get("/shop/catalogue/").content.decode()
        theirs = rival.get("/shop/catalogue/").content.decode()
        assert "50.00" in mine and "100.00" in mine  # the contract price, the base struck through
        assert "50.00" not in theirs and "100.00" in theirs


def test_a_cached_card_carries_the_requests_own_csrf_token(storefront, buyer, client_for):
    product = factories.product(storefront, "Drill")
    client = client_for(storefront, buyer)
    client.handler.enforce_csrf_checks = True
    client.get("/shop/catalogue/")  # renders and stores the card
    html = client.get("/shop/catalogue/").content.decode()  # serves it from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "slot" not in token
    response = client.post(
        f"/shop/basket/add/{product.pk}/", {"quantity": 1, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_the_login_link_of_a_hidden_price_returns_to_its_own_page(storefront, anon_client):
    storefront.show_prices_to_anonymous = False
    storefront.save()
    factories.product(storefront, "Drill")
    for _ in range(2):
        html = anon_client.get("/shop/catalogue/?sort=-title").content.decode()
        assert "next=/shop/catalogue/%3Fsort%3D-title" in html
        html = anon_client.get("/shop/catalogue/").content.decode()
        assert "Log in to see prices" in html and "%3Fsort" not in html


def test_cards_of_another_storefront_are_never_served(storefront, other_storefront, client_for):
    mine = factories.product(storefront, "Drill", sku="A-1")
    theirs = factories.product(other_storefront, "Drill", sku="B-1", price="333.00")
    alpha = client_for(storefront, factories.buyer(factories.company(storefront, "A LLC")))
    beta = client_for(other_storefront, factories.buyer(factories.company(other_storefront, "B")))
    for _ in range(2):
        assert f"/basket/add/{mine.pk}/" in alpha.get("/shop/catalogue/").content.decode()
        html = beta.get("/shop/catalogue/").content.decode()
        assert f"/basket/add/{theirs.pk}/" in html and f"/basket/add/{mine.pk}/" not in html
