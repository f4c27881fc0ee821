"""The plugin as Pipit sees it: discovery, settings, Russian strings, demo."""

from __future__ import annotations

import pipit
import pytest
from django.urls import reverse
from pipit.plugins.forms import settings_form_for
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from pipit_reorder.plugin import ReorderPlugin, ReorderSettings, analog_limit

from .support import place

pytestmark = pytest.mark.django_db


def test_plugin_is_discovered_and_supports_this_pipit():
    plugin = registry.get("reorder")
    assert isinstance(plugin, ReorderPlugin)
    assert plugin.version == "0.1.0"
    assert ReorderPlugin.incompatibility(pipit.__version__) is None
    assert set(ReorderPlugin.slot_methods) == {"order_list_row", "order_detail"}
    assert registry.errors() == []


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        ({"show_analogs": "on", "max_analogs": "3"}, True),
        ({"max_analogs": "1"}, True),  # analogs off
        ({"show_analogs": "on", "max_analogs": "5"}, True),
        ({"show_analogs": "on", "max_analogs": "0"}, False),
        ({"show_analogs": "on", "max_analogs": "6"}, False),
        ({"show_analogs": "on", "max_analogs": "three"}, False),
        ({"show_analogs": "on"}, False),
    ],
)
def test_settings_are_validated(data, valid):
    form = ReorderSettings(data=data)
    assert form.is_valid() is valid, form.errors
    if not valid:
        assert "max_analogs" in form.errors


def test_settings_defaults_and_what_they_mean():
    form = settings_form_for(registry.get("reorder"), {})
    assert form["show_analogs"].value() is True and form["max_analogs"].value() == 3
    assert analog_limit({}) == 3
    assert analog_limit({"show_analogs": True, "max_analogs": 5}) == 5
    assert analog_limit({"show_analogs": False, "max_analogs": 5}) == 0


def test_load_demo_writes_nothing(storefront, django_assert_num_queries):
    with django_assert_num_queries(0):
        registry.get("reorder").load_demo(storefront)


def test_russian_storefront_shows_the_plugin_in_russian(client_for):
    sf = factories.storefront("gamma", language="ru")
    enable_plugin(sf, "reorder")
    company = factories.company(sf, "ООО Салон")
    buyer = factories.buyer(company, "olga@gamma.test")
    soap = factories.product(sf, "Мыло", price="10.00", stock={"main": 1})
    cream = factories.product(sf, "Крем", price="20.00", stock={"main": 10})
    order = place(sf, company, buyer, [(soap, 1), (cream, 2)])  # the last soap: none left
    client = client_for(sf, buyer)
    url = reverse("reorder:review", kwargs={"number": order.number})

    history = client.get(reverse("customer:order-list")).content.decode()
    assert "Повторить заказ" in history
    detail = client.get(reverse("customer:order", kwargs={"order_number": order.number}))
    assert "Повторить этот заказ" in detail.content.decode()

    page = client.get(url).content.decode()
    assert f"Повтор заказа {order.number}" in page
    assert "из 2 строк можно добавить как в заказе" in page
    assert "Будет добавлено" in page and "Нет в наличии" in page
    assert "Добавить выбранное в корзину" in page

    response = client.post(url, {"mode": "all"}, follow=True)
    html = response.content.decode()
    assert f"В корзину добавлена 1 строка из заказа {order.number}" in html
    assert f"Не добавлена 1 строка из заказа {order.number}" in html
