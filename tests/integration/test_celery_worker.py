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


def test_order_confirmation_is_sent_by_the_worker(
    celery_worker_process, storefront, company, buyer
):
    from oscar.apps.basket.models import Basket

    from pipit.ordering.services import place_order
    from pipit.pricing.strategy import StorefrontStrategy
    from pipit.testing import factories

    serum = factories.product(storefront, "Bond serum 100 ml", price="990.00", stock={"main": 4})
    basket = Basket.objects.create(owner=buyer)
    basket.strategy = StorefrontStrategy(storefront=storefront, user=buyer)
    basket.add_product(serum, 2)

    order = place_order(
        storefront=storefront,
        user=buyer,
        basket=basket,
        shipping_address=company.addresses.get(),
        po_number="PO-WORKER-1",
    )

    mail_dir = celery_worker_process["mail_dir"]

    def confirmation_written():
        return any(order.number in p.read_text(errors="replace") for p in mail_dir.iterdir())

    assert _wait_for(confirmation_written), "the worker sent no confirmation e-mail"
    sent = "\n".join(p.read_text(errors="replace") for p in mail_dir.iterdir())
    assert buyer.email in sent and "PO-WORKER-1" in sent
