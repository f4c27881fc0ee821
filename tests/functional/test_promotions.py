"""The buyer's Promotions section: the live offers aimed at them, newest first, with end dates."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from pipit.cms.models import PromoBanner

URL = "/shop/accounts/promotions/"


def publish_banner(sf, title: str, companies=(), **fields) -> PromoBanner:
    banner = PromoBanner(storefront=sf, title=title, live=False, **fields)
    banner.save()
    banner.companies.set(companies)
    banner.save()
    banner.save_revision().publish()
    return banner


def test_url_name():
    assert reverse("promotions:list") == URL


def test_promotions_need_a_login(anon_client):
    response = anon_client.get(URL)

    assert response.status_code == 302
    assert "/shop/accounts/login/" in response.url


def test_buyer_sees_storefront_wide_and_own_company_promotions_only(
    storefront, other_storefront, company, other_company, client_for, buyer, other_buyer
):
    publish_banner(storefront, "5 % off orders over 1.5M", companies=[company])
    publish_banner(storefront, "Free delivery in March")
    publish_banner(storefront, "Rival loyalty bonus", companies=[other_company])
    publish_banner(other_storefront, "Beta clearance")

    alpha = client_for(storefront, buyer).get(URL).content.decode()
    rival = client_for(storefront, other_buyer).get(URL).content.decode()

    assert "5 % off orders over 1.5M" in alpha and "Free delivery in March" in alpha
    assert "Rival loyalty bonus" not in alpha and "Beta clearance" not in alpha
    assert "For your company" in alpha
    assert "Rival loyalty bonus" in rival and "5 % off orders over 1.5M" not in rival


def test_promotions_are_newest_first_with_their_end_dates(storefront, buyer_client):
    now = timezone.now()
    publish_banner(storefront, "Older offer", go_live_at=now - datetime.timedelta(days=10))
    publish_banner(
        storefront,
        "Newer offer",
        go_live_at=now - datetime.timedelta(days=1),
        expire_at=datetime.datetime(2031, 1, 31, 12, 0, tzinfo=datetime.UTC),
    )

    html = buyer_client.get(URL).content.decode()

    assert html.index("Newer offer") < html.index("Older offer")
    assert "Valid until" in html and 'datetime="2031-01-31' in html
    assert "No end date" in html


def test_scheduled_expired_and_draft_promotions_are_not_listed(storefront, buyer_client):
    now = timezone.now()
    publish_banner(storefront, "Starts next week", go_live_at=now + datetime.timedelta(days=7))
    publish_banner(storefront, "Ended yesterday", expire_at=now - datetime.timedelta(days=1))
    draft = PromoBanner.objects.create(storefront=storefront, title="Draft offer", live=False)
    draft.save_revision()

    html = buyer_client.get(URL).content.decode()

    assert "Starts next week" not in html
    assert "Ended yesterday" not in html
    assert "Draft offer" not in html
    assert "no promotions for you right now" in html


def test_promotions_page_query_count_does_not_grow_with_promotions(
    storefront, company, buyer_client, django_assert_max_num_queries
):
    for n in range(3):
        publish_banner(storefront, f"Offer {n}", companies=[company] if n % 2 else [])
    buyer_client.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        buyer_client.get(URL)
    queries_for_3 = len(few)
    for n in range(3, 15):
        publish_banner(storefront, f"Offer {n}", companies=[company] if n % 2 else [])

    with django_assert_max_num_queries(queries_for_3):
        html = buyer_client.get(URL).content.decode()
    assert html.count('class="cms-promo"') == 15
