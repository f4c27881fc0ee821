"""Slow work goes through a real Celery worker when REDIS_URL is set (PostgreSQL + Redis)."""

import time

import pytest
from wagtail.models import Page

from pipit.cms.models import LandingPage

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_wagtail_search_index_update_runs_on_the_worker(celery_worker_process, storefront):
    page = storefront.root_page.add_child(
        instance=LandingPage(title="Pallet promo zanzibarite", slug="pallet-promo")
    )
    page.save_revision().publish()

    def indexed():
        return list(Page.objects.live().search("zanzibarite")) != []

    assert _wait_for(indexed), celery_worker_process["process"].stdout.peek()[:2000]
