"""Home and landing pages built from promo blocks, as buyers and visitors see them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pipit.cms.models import LandingPage
from pipit.testing import factories


def set_body(page, blocks: list[dict]) -> None:
    page = page.specific
    page.body = blocks
    page.save_revision().publish()


def hero(heading="Spring restock", **extra) -> dict:
    return {
        "type": "hero",
        "value": {
            "heading": heading,
            "text": "New colours are in.",
            "image": None,
            "cta_label": "Shop now",
            "cta_url": "/shop/catalogue/",
            "style": "brand",
            **extra,
        },
    }


def carousel(*, products=(), category=None, heading="Bestsellers", max_items=8) -> dict:
    return {
        "type": "product_carousel",
        "value": {
            "heading": heading,
            "source": "category" if category else "products",
            "category": category.pk if category else None,
            "products": [p.pk for p in products],
            "max_items": max_items,
        },
    }


def page_text(client, path="/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_home_page_renders_every_block(storefront, buyer_client):
    shampoo = factories.product(storefront, "Argan shampoo", price="100.00")
    set_body(
        storefront.root_page,
        [
            hero("Everything for salons"),
            carousel(products=[shampoo], heading="Our picks"),
            {
                "type": "promo_grid",
                "value": {
                    "heading": "Why us",
                    "items": [
                        {"title": "Next-day delivery", "text": "From 3 warehouses", "link_url": ""},
                        {"title": "Contract prices", "text": "", "link_url": "/shop/catalogue/"},
                    ],
                },
            },
            {"type": "rich_text", "value": "<p>Trusted by <b>500</b> salons.</p>"},
            {
                "type": "call_to_action",
                "value": {
                    "heading": "Need a quote?",
                    "text": "Send us your list.",
                    "button_label": "Request a quote",
                    "button_url": "/contact/",
                },
            },
            {"type": "banners", "value": {"placement": "home_top"}},
        ],
    )

    html = page_text(buyer_client)

    assert '<h1 class="cms-hero__heading">Everything for salons</h1>' in html
    assert 'href="/shop/catalogue/">Shop now</a>' in html
    assert "Our picks" in html and "Argan shampoo" in html
    assert "Next-day delivery" in html and "Contract prices" in html
    assert "Trusted by <b>500</b> salons." in html
    assert "Request a quote" in html and 'href="/contact/"' in html
    assert "css/cms.css" in html


def test_carousel_shows_buyer_prices_and_an_add_to_cart_form(storefront, buyer_client):
    shampoo = factories.product(storefront, "Argan shampoo", price="100.00")
    set_body(storefront.root_page, [carousel(products=[shampoo])])

    html = page_text(buyer_client)

    assert "120.00" in html  # 100.00 + 20 % VAT
    assert f'action="/shop/basket/add/{shampoo.pk}/"' in html
    assert 'name="quantity"' in html
    assert shampoo.get_absolute_url() in html


def test_carousel_asks_anonymous_visitors_to_log_in_for_prices(storefront, anon_client):
    shampoo = factories.product(storefront, "Argan shampoo", price="100.00")
    set_body(storefront.root_page, [carousel(products=[shampoo])])

    html = page_text(anon_client)

    assert "Argan shampoo" in html
    assert "Log in to see prices" in html
    assert "120.00" not in html
    assert 'name="quantity"' not in html


def test_add_to_cart_from_carousel_puts_product_in_basket(storefront, buyer_client):
    shampoo = factories.product(storefront, "Argan shampoo", price="100.00")
    set_body(storefront.root_page, [carousel(products=[shampoo])])

    response = buyer_client.post(f"/shop/basket/add/{shampoo.pk}/", {"quantity": 2})

    assert response.status_code == 302
    basket = buyer_client.get("/shop/basket/")
    assert "Argan shampoo" in basket.content.decode()


def test_category_carousel_includes_subcategories_and_respects_max_items(storefront, buyer_client):
    tools = factories.category(storefront, "Tools")
    scissors = factories.category(storefront, "Tools", "Scissors")
    dryers = factories.category(storefront, "Dryers")
    factories.product(storefront, "Comb", categories=[tools])
    factories.product(storefront, "Thinning scissors", categories=[scissors])
    factories.product(storefront, "Ionic dryer", categories=[dryers])
    set_body(storefront.root_page, [carousel(category=tools)])

    html = page_text(buyer_client)

    assert "Comb" in html and "Thinning scissors" in html
    assert "Ionic dryer" not in html

    set_body(storefront.root_page, [carousel(category=tools, max_items=1)])
    html = page_text(buyer_client)
    assert ("Comb" in html) != ("Thinning scissors" in html)


def test_carousel_never_shows_another_storefronts_products(
    storefront, other_storefront, buyer_client
):
    ours = factories.product(storefront, "Our shampoo")
    theirs = factories.product(other_storefront, "Their drill")
    set_body(storefront.root_page, [carousel(products=[ours, theirs])])

    html = page_text(buyer_client)

    assert "Our shampoo" in html
    assert "Their drill" not in html


def test_carousel_keeps_the_editors_order(storefront, buyer_client):
    first = factories.product(storefront, "Zinc cream")
    second = factories.product(storefront, "Aloe gel")
    set_body(storefront.root_page, [carousel(products=[first, second])])

    html = page_text(buyer_client)

    assert html.index("Zinc cream") < html.index("Aloe gel")


def test_carousel_of_variants_links_to_the_product_instead_of_a_cart_form(storefront, buyer_client):
    gloves = factories.parent_product(
        storefront, "Nitrile gloves", [{"title": "S", "price": "50"}, {"title": "M", "price": "40"}]
    )
    set_body(storefront.root_page, [carousel(products=[gloves])])

    html = page_text(buyer_client)

    assert "Nitrile gloves" in html
    assert "from" in html and "48.00" in html  # lowest variant, 40 + 20 % VAT
    assert f'action="/shop/basket/add/{gloves.pk}/"' not in html
    assert "Choose a variant" in html


@pytest.mark.parametrize("source", ["products", "category"])
def test_home_page_queries_do_not_grow_with_carousel_size(
    storefront, buyer_client, django_assert_num_queries, source
):
    category = factories.category(storefront, "Care")
    products = [factories.product(storefront, categories=[category]) for _ in range(12)]
    products.append(
        factories.parent_product(
            storefront, "Gloves", [{"title": "S"}, {"title": "M"}], categories=[category]
        )
    )

    def show(n: int) -> None:
        if source == "category":
            block = carousel(category=category, max_items=n)
        else:
            block = carousel(products=products[-n:], max_items=n)
        set_body(storefront.root_page, [block])
        buyer_client.get("/")  # warm the host map and template caches

    show(3)
    with CaptureQueriesContext(connection) as small:
        html = page_text(buyer_client)
    queries_for_3 = len(small)  # read now: the next request clears Django's query log
    assert html.count('class="card card--carousel"') == 3

    show(12)
    with django_assert_num_queries(queries_for_3):
        html = page_text(buyer_client)
    assert html.count('class="card card--carousel"') == 12


def test_landing_page_shows_its_title_and_blocks(storefront, anon_client):
    landing = storefront.root_page.add_child(
        instance=LandingPage(title="Summer deals", slug="summer")
    )
    set_body(landing, [hero("Up to 30 % off dryers")])

    html = page_text(anon_client, "/summer/")

    assert "<h1>Summer deals</h1>" in html
    assert '<h2 class="cms-hero__heading">Up to 30 % off dryers</h2>' in html


def test_unsafe_link_from_imported_json_is_not_rendered(storefront, anon_client):
    set_body(storefront.root_page, [hero(cta_url="javascript:alert(1)")])

    html = page_text(anon_client)

    assert "javascript:" not in html
    assert "Spring restock" in html
