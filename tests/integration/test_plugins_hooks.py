"""Pipit calls its declared hooks where they belong: availability in the pricing strategy,
checkout validation in place_order, the status-change event after the change commits."""

from __future__ import annotations

import logging

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from oscar.apps.basket.models import Basket
from oscar.apps.partner import availability

from pipit.catalog.queries import products_for_storefront, purchase_info, with_purchase_info
from pipit.ordering.models import LineAllocation
from pipit.ordering.services import OrderPlacementError, place_order
from pipit.oscar_apps.order.models import Order
from pipit.plugins.base import Plugin
from pipit.plugins.hooks import hook
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin, install_plugins
from pipit.pricing.strategy import StorefrontStrategy
from pipit.tenancy.models import Storefront
from pipit.testing import factories

HEARD: list[tuple[str, dict, str]] = []
SEEN: list[dict] = []


class Watcher(Plugin):
    """Records what the hooks receive; refuses orders above ``max_lines`` lines."""

    id = "a_watcher"
    name = "Watcher"

    @hook("product_availability")
    def availability(self, current, *, storefront, settings, product, stockrecord, user, company):
        SEEN.append({"product": product, "stockrecord": stockrecord, "company": company})
        return current

    @hook("checkout_validation")
    def validate(self, errors, *, storefront, settings, basket, user, company):
        if basket.num_lines > settings.get("max_lines", 99):
            return [*errors, f"At most {settings['max_lines']} lines per order for {company}."]
        return errors

    @hook("company_approved")
    def approved(self, payload, *, storefront, settings):
        HEARD.append(("company_approved", payload, storefront.code))

    @hook("order_status_changed")
    def on_status(self, payload, *, storefront, settings):
        HEARD.append(("order_status_changed", payload, storefront.code))


class Faulty(Plugin):
    """Fails in every value hook, once with a broken query inside the order's transaction."""

    id = "b_faulty"
    name = "Faulty"

    @hook("product_availability")
    def availability(self, current, **kwargs):
        raise RuntimeError("boom")

    @hook("checkout_validation")
    def validate(self, errors, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM pipit_no_such_table")
        return [*errors, "never reached"]


class NoParents(Plugin):
    """Makes products with variants unavailable as a whole (their variants stay buyable)."""

    id = "no_parents"
    name = "No parents"

    @hook("product_availability")
    def availability(self, current, *, stockrecord, **kwargs):
        return availability.Unavailable() if stockrecord is None else current


@pytest.fixture(autouse=True)
def plugins(monkeypatch):
    HEARD.clear()
    SEEN.clear()
    install_plugins(monkeypatch, {"watcher": f"{__name__}:Watcher", "faulty": f"{__name__}:Faulty"})
    yield
    registry.reload()


def fresh(sf: Storefront) -> Storefront:
    return Storefront.objects.get(pk=sf.pk)


def cart(sf, user, *products) -> Basket:
    basket = Basket.objects.create(owner=user)
    basket.strategy = StorefrontStrategy(storefront=sf, user=user)
    for product in products:
        basket.add_product(product, 1)
    return basket


def place(sf, company, user, basket) -> Order:
    return place_order(
        storefront=sf, user=user, basket=basket, shipping_address=company.addresses.get()
    )


def test_availability_hook_gets_product_stockrecord_and_company_and_costs_one_query_per_page(
    storefront, company, buyer, django_assert_num_queries
):
    enable_plugin(storefront, "a_watcher")
    for _ in range(5):
        factories.product(storefront, stock={"main": 4})
    sf = fresh(storefront)
    products = list(with_purchase_info(products_for_storefront(sf), sf))
    strategy = StorefrontStrategy(storefront=sf, user=buyer)
    strategy.prime(products)  # the page's prices: one query of their own

    # Reading the storefront's activations is the only query, however many products.
    with django_assert_num_queries(1):
        infos = [purchase_info(strategy, p) for p in products]

    assert [i.availability.num_available for i in infos] == [4] * 5
    assert [s["product"] for s in SEEN] == products
    assert all(s["stockrecord"] == i.stockrecord for s, i in zip(SEEN, infos, strict=True))
    assert {s["company"] for s in SEEN} == {company}


def test_no_plugin_installed_means_no_query_at_all(storefront, buyer, monkeypatch):
    install_plugins(monkeypatch, {})
    factories.product(storefront, stock={"main": 4})
    sf = fresh(storefront)
    products = list(with_purchase_info(products_for_storefront(sf), sf))
    strategy = StorefrontStrategy(storefront=sf, user=buyer)
    strategy.prime(products)

    with CaptureQueriesContext(connection) as queries:
        info = purchase_info(strategy, products[0])
    assert len(queries) == 0
    assert info.availability.num_available == 4


def test_a_raising_availability_plugin_is_logged_and_the_computed_value_kept(
    storefront, buyer, caplog
):
    enable_plugin(storefront, "b_faulty")
    product = factories.product(storefront, stock={"main": 4})
    strategy = StorefrontStrategy(storefront=fresh(storefront), user=buyer)

    with caplog.at_level(logging.ERROR, logger="pipit.plugins"):
        info = strategy.fetch_for_product(product)

    assert info.availability.is_available_to_buy and info.availability.num_available == 4
    assert "b_faulty" in caplog.text and "product_availability" in caplog.text


def test_parent_product_availability_goes_through_the_hook_without_a_stockrecord(
    storefront, buyer, monkeypatch
):
    install_plugins(monkeypatch, {"no_parents": f"{__name__}:NoParents"})
    enable_plugin(storefront, "no_parents")
    parent = factories.parent_product(
        storefront, "Gloves", [{"title": "Gloves S"}, {"title": "Gloves M"}]
    )
    strategy = StorefrontStrategy(storefront=fresh(storefront), user=buyer)

    assert not purchase_info(strategy, parent).availability.is_available_to_buy
    child = parent.children.first()
    assert strategy.fetch_for_product(child).availability.is_available_to_buy


def test_checkout_validation_plugin_refuses_the_order_and_nothing_is_written(
    storefront, company, buyer
):
    enable_plugin(storefront, "a_watcher", max_lines=1)
    basket = cart(storefront, buyer, factories.product(storefront), factories.product(storefront))

    with pytest.raises(OrderPlacementError) as refused:
        place(fresh(storefront), company, buyer, basket)

    assert refused.value.message_dict == {"basket": [f"At most 1 lines per order for {company}."]}
    assert not Order.objects.exists()
    assert not LineAllocation.objects.exists()  # refused before any stock was reserved
    basket.refresh_from_db()
    assert basket.status == Basket.OPEN


def test_a_failing_checkout_validation_plugin_is_skipped_and_the_order_placed(
    storefront, company, buyer, caplog
):
    enable_plugin(storefront, "a_watcher", max_lines=5)
    enable_plugin(storefront, "b_faulty")
    basket = cart(storefront, buyer, factories.product(storefront))

    with caplog.at_level(logging.ERROR, logger="pipit.plugins"):
        order = place(fresh(storefront), company, buyer, basket)

    assert Order.objects.get() == order
    assert order.lines.count() == 1
    assert "b_faulty" in caplog.text and "checkout_validation" in caplog.text


def test_status_change_event_is_sent_after_the_commit_only(
    storefront, company, buyer, django_capture_on_commit_callbacks
):
    enable_plugin(storefront, "a_watcher")
    order = place(
        storefront, company, buyer, cart(storefront, buyer, factories.product(storefront))
    )
    old_status = order.status

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order.set_status("confirmed")
    assert HEARD == []  # not while the change's transaction is open

    for callback in callbacks:
        callback()
    assert [
        (
            "order_status_changed",
            {
                "order_number": order.number,
                "storefront_id": storefront.pk,
                "company_id": company.pk,
                "old_status": old_status,
                "new_status": "confirmed",
            },
            "alpha",
        )
    ] == HEARD


def test_status_change_rolled_back_is_never_announced(
    storefront, company, buyer, django_capture_on_commit_callbacks
):
    enable_plugin(storefront, "a_watcher")
    order = place(
        storefront, company, buyer, cart(storefront, buyer, factories.product(storefront))
    )

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        order.set_status("confirmed")
        raise RuntimeError("the admin's save failed")
    assert callbacks == [] and HEARD == []


def test_status_change_on_a_storefront_without_the_plugin_sends_nothing(
    storefront, company, buyer, django_capture_on_commit_callbacks
):
    enable_plugin(storefront, "a_watcher", enabled=False)
    order = place(
        storefront, company, buyer, cart(storefront, buyer, factories.product(storefront))
    )
    with django_capture_on_commit_callbacks(execute=True):
        order.set_status("confirmed")
    assert HEARD == []


def test_company_approval_is_announced_after_the_commit(
    storefront, django_capture_on_commit_callbacks
):
    from pipit.companies.models import RegistrationRequest
    from pipit.companies.services import approve_request

    enable_plugin(storefront, "a_watcher")
    request = RegistrationRequest.objects.create(
        storefront=storefront,
        company_name="Salon Lotos LLC",
        inn="7701234567",
        kpp="770101001",
        contact_name="Olga Smirnova",
        email="olga@lotos.test",
        city="Moscow",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approval = approve_request(request, factories.superuser())
    assert [h for h in HEARD if h[0] == "company_approved"] == []

    for callback in callbacks:
        callback()
    assert (
        "company_approved",
        {
            "company_id": approval.company.pk,
            "storefront_id": storefront.pk,
            "name": "Salon Lotos LLC",
            "inn": "7701234567",
            "user_email": "olga@lotos.test",
        },
        "alpha",
    ) in HEARD
