"""Promo banners: made in the admin, scheduled, targeted, and shown on the storefront."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pipit.cms.models import PromoBanner
from pipit.tenancy.models import StorefrontGroup
from pipit.testing import factories


def admin_time(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


def banner_form(sf, title: str, **fields) -> dict:
    data = {
        "storefront": sf.pk,
        "title": title,
        "text": "Only this month.",
        "image": "",
        "link_url": "/shop/catalogue/",
        "cta_label": "Shop the offer",
        "placement": "home_top",
        "priority": 0,
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(fields)
    return data


def publish_banner(sf, title: str, companies=(), **fields) -> PromoBanner:
    banner = PromoBanner(storefront=sf, title=title, live=False, **fields)
    banner.save()
    banner.companies.set(companies)
    banner.save()
    banner.save_revision().publish()
    return banner


@pytest.fixture
def home_with_banners(storefront):
    home = storefront.root_page.specific
    home.body = [
        {"type": "banners", "value": {"placement": "home_top"}},
        {"type": "banners", "value": {"placement": "sidebar"}},
    ]
    home.save_revision().publish()
    return home


@pytest.fixture
def editor_client(storefront, client_for):
    return client_for(storefront, factories.staff(storefront, StorefrontGroup.Role.EDITOR))


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_editor_publishes_a_banner_and_buyers_see_it(
    storefront, home_with_banners, editor_client, buyer_client
):
    response = editor_client.post(
        reverse("wagtailsnippets_cms_promobanner:add"),
        {**banner_form(storefront, "Dryers -20 %"), "action-publish": "action-publish"},
    )

    assert response.status_code == 302, response.context["form"].errors
    banner = PromoBanner.objects.get(title="Dryers -20 %")
    assert banner.live
    html = home(buyer_client)
    assert "Dryers -20 %" in html
    assert 'href="/shop/catalogue/">Shop the offer</a>' in html


def test_draft_banner_is_not_shown(storefront, home_with_banners, editor_client, buyer_client):
    editor_client.post(
        reverse("wagtailsnippets_cms_promobanner:add"), banner_form(storefront, "Not yet")
    )

    assert PromoBanner.objects.filter(title="Not yet", live=False).exists()
    assert "Not yet" not in home(buyer_client)


def test_scheduled_banner_appears_when_its_time_comes_without_a_cron(
    storefront, home_with_banners, editor_client, buyer_client
):
    starts = timezone.now() + datetime.timedelta(days=2)
    response = editor_client.post(
        reverse("wagtailsnippets_cms_promobanner:add"),
        {
            **banner_form(storefront, "Weekend sale", go_live_at=admin_time(starts)),
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    banner = PromoBanner.objects.get(title="Weekend sale")

    assert not banner.live  # Wagtail scheduled it
    assert "Weekend sale" not in home(buyer_client)
    assert list(PromoBanner.objects.live_for(storefront, at=starts)) == [banner]

    # Time passes: the start moves into the past, and nobody ran publish_scheduled.
    PromoBanner.objects.filter(pk=banner.pk).update(
        go_live_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert "Weekend sale" in home(buyer_client)


def test_scheduled_draft_that_was_never_approved_stays_hidden(storefront, buyer_client):
    banner = PromoBanner.objects.create(
        storefront=storefront,
        title="Unapproved",
        live=False,
        go_live_at=timezone.now() - datetime.timedelta(hours=1),
    )
    banner.save_revision()  # saved as a draft, never published

    assert not PromoBanner.objects.live_for(storefront).exists()


def test_banner_disappears_at_its_expiry(storefront, home_with_banners, buyer_client):
    ends = timezone.now() + datetime.timedelta(days=1)
    banner = publish_banner(storefront, "Last chance", expire_at=ends)

    assert "Last chance" in home(buyer_client)
    assert not PromoBanner.objects.live_for(storefront, at=ends).exists()
    PromoBanner.objects.filter(pk=banner.pk).update(
        expire_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert "Last chance" not in home(buyer_client)


def test_publish_scheduled_command_still_works_for_scheduled_banners(storefront):
    from wagtail.models import Revision

    banner = publish_banner(
        storefront, "Flash sale", go_live_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert not banner.live
    # Time passes (the row, the approved revision and its content all hold the start).
    past = timezone.now() - datetime.timedelta(minutes=1)
    PromoBanner.objects.filter(pk=banner.pk).update(go_live_at=past)
    revision = Revision.objects.for_instance(banner).get(approved_go_live_at__isnull=False)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()

    call_command("publish_scheduled")

    banner.refresh_from_db()
    assert banner.live
    assert list(PromoBanner.objects.live_for(storefront)) == [banner]


def test_targeted_banner_is_seen_only_by_its_company(
    storefront, company, other_company, home_with_banners, client_for, buyer, other_buyer
):
    publish_banner(storefront, "For Alpha Salon only", companies=[company])
    publish_banner(storefront, "For everyone")

    alpha = home(client_for(storefront, buyer))
    rival = home(client_for(storefront, other_buyer))
    anonymous = home(client_for(storefront))

    assert "For Alpha Salon only" in alpha and "For everyone" in alpha
    assert "For Alpha Salon only" not in rival and "For everyone" in rival
    assert "For Alpha Salon only" not in anonymous and "For everyone" in anonymous


def test_banners_of_another_storefront_are_never_shown(
    storefront, other_storefront, home_with_banners, buyer_client
):
    publish_banner(other_storefront, "Beta clearance")

    assert "Beta clearance" not in home(buyer_client)


def test_banners_block_shows_only_its_placement_in_priority_order(
    storefront, home_with_banners, buyer_client
):
    publish_banner(storefront, "Minor offer", priority=1)
    publish_banner(storefront, "Major offer", priority=9)
    publish_banner(storefront, "Side offer", placement="sidebar")

    html = home(buyer_client)

    top = html.split('cms-banners--home_top">')[1].split("cms-banners--sidebar")[0]
    assert top.index("Major offer") < top.index("Minor offer")
    assert "Side offer" not in top
    assert "Side offer" in html.split("cms-banners--sidebar")[1]


def test_banner_link_must_be_a_path_or_web_address(storefront, editor_client):
    response = editor_client.post(
        reverse("wagtailsnippets_cms_promobanner:add"),
        {
            **banner_form(storefront, "Bad link", link_url="javascript:alert(1)"),
            "action-publish": "action-publish",
        },
    )

    assert response.status_code == 200
    assert "link_url" in response.context["form"].errors
    assert not PromoBanner.objects.filter(title="Bad link").exists()


def test_preview_renders_the_banner_in_the_storefronts_theme(storefront, editor_client):
    banner = publish_banner(storefront, "Preview me")
    url = reverse("wagtailsnippets_cms_promobanner:preview_on_edit", args=[banner.pk])

    posted = editor_client.post(url, banner_form(storefront, "Preview me, edited"))
    assert posted.json()["is_valid"] is True
    preview = editor_client.get(url)

    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview me, edited" in html
    assert "themes/base/css/cms.css" in html
    assert "Alpha" in html  # the storefront's own header


def test_banner_preview_in_promotions_mode(storefront, editor_client):
    banner = publish_banner(storefront, "Preview me")
    url = reverse("wagtailsnippets_cms_promobanner:preview_on_edit", args=[banner.pk])

    editor_client.post(url, banner_form(storefront, "Preview me", expire_at="2031-01-31 12:00"))
    html = editor_client.get(url, {"mode": "promotions"}).content.decode()

    assert "Preview me" in html
    assert "2031" in html
