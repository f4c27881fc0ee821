"""Marketing editors reach only their own storefront's pages and banners in the Wagtail admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pipit.cms.models import PromoBanner
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories

Role = StorefrontGroup.Role


def banner_url(action: str, banner: PromoBanner) -> str:
    return reverse(f"wagtailsnippets_cms_promobanner:{action}", args=[banner.pk])


def publish_banner(sf, title: str, **fields) -> PromoBanner:
    banner = PromoBanner.objects.create(storefront=sf, title=title, live=False, **fields)
    banner.save_revision().publish()
    return banner


@pytest.fixture
def editor(storefront):
    return factories.staff(storefront, Role.EDITOR)


@pytest.fixture
def editor_client(storefront, editor, client_for):
    return client_for(storefront, editor)


@pytest.fixture
def beta_banner(other_storefront):
    return publish_banner(other_storefront, "Beta clearance sale")


def test_editor_cannot_open_other_storefronts_page_in_admin(
    storefront, other_storefront, editor_client
):
    own = editor_client.get(reverse("wagtailadmin_pages:edit", args=[storefront.root_page.pk]))
    other = editor_client.get(
        reverse("wagtailadmin_pages:edit", args=[other_storefront.root_page.pk])
    )

    assert own.status_code == 200
    assert other.status_code in (302, 403, 404)
    assert "Beta" not in other.content.decode()


def test_editor_does_not_see_other_storefronts_tree_in_explorer(
    storefront, other_storefront, editor_client
):
    from pipit.cms.models import LandingPage

    other_storefront.root_page.add_child(instance=LandingPage(title="Beta secret deals", slug="x"))

    explorer = editor_client.get(reverse("wagtailadmin_explore_root"), follow=True)
    html = explorer.content.decode()

    assert explorer.status_code == 200
    assert storefront.root_page.title in html
    # (Wagtail's own "Site" filter lists every site's name; the tree itself stays hidden.)
    assert f"/admin/pages/{other_storefront.root_page.pk}/" not in html
    assert "Beta secret deals" not in html
    beta_tree = editor_client.get(
        reverse("wagtailadmin_explore", args=[other_storefront.root_page.pk])
    )
    assert "Beta secret deals" not in beta_tree.content.decode()


@pytest.mark.parametrize(
    "action",
    ["edit", "delete", "history", "usage", "preview_on_edit", "unpublish", "lock", "unlock"],
)
def test_editor_gets_404_for_other_storefronts_banner(action, beta_banner, editor_client):
    assert editor_client.get(banner_url(action, beta_banner)).status_code == 404
    assert (
        editor_client.post(banner_url(action, beta_banner), {"title": "Hijacked"}).status_code
        == 404
    )
    beta_banner.refresh_from_db()
    assert beta_banner.title == "Beta clearance sale"
    assert beta_banner.live


def test_banner_list_shows_only_own_storefronts_banners(storefront, beta_banner, editor_client):
    publish_banner(storefront, "Alpha spring offer")

    html = editor_client.get(reverse("wagtailsnippets_cms_promobanner:list")).content.decode()

    assert "Alpha spring offer" in html
    assert "Beta clearance sale" not in html


def test_banner_chooser_lists_only_own_storefronts_banners(storefront, beta_banner, editor_client):
    publish_banner(storefront, "Alpha spring offer")

    response = editor_client.get(reverse("wagtailsnippetchoosers_cms_promobanner:choose"))

    assert "Alpha spring offer" in response.content.decode()
    assert "Beta clearance sale" not in response.content.decode()


def test_banner_form_offers_only_own_storefront_and_its_companies(
    storefront, other_storefront, company, editor_client
):
    factories.company(other_storefront, "Beta Buyer LLC")

    html = editor_client.get(reverse("wagtailsnippets_cms_promobanner:add")).content.decode()

    assert f'value="{storefront.pk}"' in html
    assert f'value="{other_storefront.pk}"' not in html
    assert "Alpha Salon LLC" in html
    assert "Beta Buyer LLC" not in html


def test_editor_cannot_create_a_banner_on_another_storefront(other_storefront, editor_client):
    response = editor_client.post(
        reverse("wagtailsnippets_cms_promobanner:add"),
        {"storefront": other_storefront.pk, "title": "Sneaky", "placement": "home_top"},
    )

    assert response.status_code == 200  # the form again, with an error
    assert "storefront" in response.context["form"].errors
    assert not PromoBanner.objects.filter(title="Sneaky").exists()


def test_superuser_with_two_storefronts_cannot_aim_a_banner_at_the_other_ones_company(
    storefront, other_storefront, company, client_for
):
    beta_company = factories.company(other_storefront, "Beta Buyer LLC")
    client = client_for(storefront, factories.superuser())

    response = client.post(
        reverse("wagtailsnippets_cms_promobanner:add"),
        {
            "storefront": storefront.pk,
            "title": "Mixed audience",
            "placement": "home_top",
            "priority": 0,
            "companies": [company.pk, beta_company.pk],
        },
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["companies"]
    assert "Beta Buyer LLC" in error and "Alpha" in error
    assert not PromoBanner.objects.filter(title="Mixed audience").exists()


def test_product_chooser_lists_only_products_of_the_editors_storefront(
    storefront, other_storefront, editor_client
):
    factories.product(storefront, "Alpha shampoo")
    beta = factories.product(other_storefront, "Beta drill")

    listing = editor_client.get(reverse("pipit_product_chooser:choose")).content.decode()
    chosen = editor_client.get(reverse("pipit_product_chooser:chosen", args=[beta.pk]))

    assert "Alpha shampoo" in listing
    assert "Beta drill" not in listing
    assert chosen.status_code == 404


def test_category_chooser_lists_only_the_editors_catalog(
    storefront, other_storefront, editor_client
):
    factories.category(storefront, "Hair care")
    tools = factories.category(other_storefront, "Power tools")

    listing = editor_client.get(reverse("pipit_category_chooser:choose")).content.decode()
    several = editor_client.get(
        reverse("pipit_category_chooser:chosen_multiple") + f"?id={tools.pk}"
    )

    assert "Hair care" in listing
    assert "Power tools" not in listing
    assert "Power tools" not in several.content.decode()


def test_product_chooser_search_finds_by_sku(storefront, editor_client):
    factories.product(storefront, "Alpha shampoo", sku="SH-500")
    factories.product(storefront, "Alpha conditioner", sku="CO-200")

    listing = editor_client.get(
        reverse("pipit_product_chooser:choose_results"), {"q": "sh-500"}
    ).content.decode()

    assert "Alpha shampoo" in listing
    assert "Alpha conditioner" not in listing


def test_bulk_delete_skips_other_storefronts_banner(storefront, beta_banner, editor_client):
    own = publish_banner(storefront, "Alpha spring offer")
    url = reverse("wagtail_bulk_action", args=["cms", "promobanner", "delete"])

    editor_client.post(f"{url}?id={own.pk}&id={beta_banner.pk}", {})

    assert PromoBanner.objects.filter(pk=beta_banner.pk).exists()
    assert not PromoBanner.objects.filter(pk=own.pk).exists()
