"""A marketing editor changes the storefront's pages through the Wagtail admin."""

from __future__ import annotations

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories


def hero(heading: str) -> dict:
    return {
        "heading": heading,
        "text": "Salon-grade dryers at contract prices.",
        "image": "",
        "cta_label": "See dryers",
        "cta_url": "/shop/catalogue/",
        "style": "dark",
    }


def edit_form(page, body) -> dict:
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "body": streamfield(body),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )


def test_editor_changes_home_hero_and_storefront_shows_it_next_request(
    storefront, client_for, anon_client
):
    editor = client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.EDITOR))
    home = storefront.root_page
    assert "Winter dryer week" not in anon_client.get("/").content.decode()

    response = editor.post(
        reverse("wagtailadmin_pages:edit", args=[home.pk]),
        edit_form(home, [("hero", hero("Winter dryer week"))]),
    )

    assert response.status_code == 302, response.context["form"].errors
    html = anon_client.get("/").content.decode()
    assert '<h1 class="cms-hero__heading">Winter dryer week</h1>' in html
    assert "cms-hero--dark" in html


def test_editor_builds_a_carousel_with_the_product_chooser(storefront, client_for, buyer_client):
    shampoo = factories.product(storefront, "Argan shampoo")
    editor = client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.EDITOR))
    home = storefront.root_page
    carousel = {
        "heading": "Editor's picks",
        "source": "products",
        "category": "",
        # ListBlock form data: one item holding the chosen product's pk.
        "products": {"count": "1", "0": {"value": shampoo.pk, "deleted": "", "order": "0"}},
        "max_items": "8",
    }

    response = editor.post(
        reverse("wagtailadmin_pages:edit", args=[home.pk]),
        edit_form(home, [("product_carousel", carousel)]),
    )

    assert response.status_code == 302, response.context["form"].errors
    assert "Argan shampoo" in buyer_client.get("/").content.decode()


def test_carousel_without_a_category_is_refused_with_a_clear_error(storefront, client_for):
    editor = client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.EDITOR))
    home = storefront.root_page
    carousel = {
        "heading": "Empty",
        "source": "category",
        "category": "",
        "products": {"count": "0"},
        "max_items": "8",
    }

    response = editor.post(
        reverse("wagtailadmin_pages:edit", args=[home.pk]),
        edit_form(home, [("product_carousel", carousel)]),
    )

    assert response.status_code == 200
    assert "body" in response.context["form"].errors
