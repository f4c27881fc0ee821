"""Sales ops edit their storefront's delivery rules in the admin, and only theirs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from pipit_delivery.models import DeliveryMethod, DeliveryZone

pytestmark = pytest.mark.django_db

METHODS = "/admin/delivery_methods/"
ZONES = "/admin/delivery_zones/"


@pytest.fixture
def sales_ops(storefront, client_for):
    return client_for(storefront, factories.staff(storefront, "pricing"))


@pytest.fixture
def beta_rules(other_storefront):
    enable_plugin(other_storefront, "delivery")
    zone = DeliveryZone.objects.create(
        storefront=other_storefront, name="Beta zone", cities="Kazan"
    )
    method = DeliveryMethod.objects.create(
        storefront=other_storefront, code="beta-courier", name="Beta courier", zone=zone
    )
    return zone, method


def method_data(storefront, **overrides):
    return {
        "storefront": str(storefront.pk),
        "kind": "courier",
        "code": "courier-north",
        "name": "North courier",
        "description": "",
        "zone": "",
        "warehouse": "",
        "active": "on",
        "sort_order": "5",
        "base_cost": "350",
        "free_above": "20000",
        "cost_per_kg": "0",
        "cost_per_m3": "0",
        "min_weight_kg": "",
        "max_weight_kg": "",
        "max_volume_m3": "",
        **overrides,
    }


def test_sales_ops_list_only_their_storefronts_methods_and_zones(
    switched_on, courier, beta_rules, sales_ops
):
    methods = sales_ops.get(METHODS)
    zones = sales_ops.get(ZONES)

    assert methods.status_code == zones.status_code == 200
    assert "Moscow courier" in methods.content.decode()
    assert "Beta courier" not in methods.content.decode()
    assert "Moscow and region" in zones.content.decode()
    assert "Beta zone" not in zones.content.decode()


def test_another_storefronts_rules_answer_404(switched_on, beta_rules, sales_ops):
    zone, method = beta_rules

    assert sales_ops.get(f"{METHODS}edit/{method.pk}/").status_code == 404
    assert sales_ops.post(f"{METHODS}edit/{method.pk}/", {"name": "Hijacked"}).status_code == 404
    assert sales_ops.get(f"{METHODS}delete/{method.pk}/").status_code == 404
    assert sales_ops.get(f"{ZONES}edit/{zone.pk}/").status_code == 404
    assert DeliveryMethod.objects.get(pk=method.pk).name == "Beta courier"


def test_sales_ops_add_a_method_for_their_storefront(storefront, switched_on, sales_ops):
    response = sales_ops.post(f"{METHODS}new/", method_data(storefront))

    assert response.status_code == 302, response.content.decode()[-3000:]
    method = DeliveryMethod.objects.get(code="courier-north")
    assert method.storefront == storefront
    assert method.free_above == Decimal("20000")


def test_rules_of_another_storefront_cannot_be_chosen_in_the_form(
    storefront, switched_on, beta_rules, sales_ops
):
    zone, _method = beta_rules
    foreign_warehouse = zone.storefront.warehouses.first()

    response = sales_ops.post(
        f"{METHODS}new/",
        method_data(
            storefront, kind="pickup", zone=str(zone.pk), warehouse=str(foreign_warehouse.pk)
        ),
    )
    other = sales_ops.post(f"{METHODS}new/", method_data(zone.storefront))

    assert response.status_code == other.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert not DeliveryMethod.objects.filter(code="courier-north").exists()


def test_form_explains_a_pickup_without_warehouse(storefront, switched_on, sales_ops):
    response = sales_ops.post(f"{METHODS}new/", method_data(storefront, kind="pickup"))

    assert response.status_code == 200
    assert "Choose the warehouse the buyer collects from." in response.content.decode()


def test_zone_in_use_is_not_deleted_with_its_methods(switched_on, courier, moscow, sales_ops):
    response = sales_ops.post(f"{ZONES}delete/{moscow.pk}/", follow=True)

    assert "change or delete them first: Moscow courier" in response.content.decode()
    assert DeliveryZone.objects.filter(pk=moscow.pk).exists()
    assert DeliveryMethod.objects.get(pk=courier.pk).zone == moscow


def test_unused_zone_is_deleted(storefront, switched_on, sales_ops):
    zone = DeliveryZone.objects.create(storefront=storefront, name="Spare", cities="Tver")

    assert sales_ops.post(f"{ZONES}delete/{zone.pk}/").status_code == 302
    assert not DeliveryZone.objects.filter(pk=zone.pk).exists()


def test_other_roles_and_switched_off_storefronts_have_no_delivery_admin(
    storefront, courier, client_for
):
    editor = client_for(storefront, factories.staff(storefront, "editor"))
    pricing = client_for(storefront, factories.staff(storefront, "pricing"))
    enable_plugin(storefront, "delivery", enabled=False)

    home = pricing.get("/admin/").content.decode()
    assert "Delivery methods" not in home
    assert pricing.get(METHODS).status_code in (302, 403, 404)
    assert pricing.get(f"{METHODS}edit/{courier.pk}/").status_code in (302, 403, 404)

    enable_plugin(storefront, "delivery")
    assert "Delivery methods" in pricing.get("/admin/").content.decode()
    assert editor.get(METHODS).status_code in (302, 403, 404)
    assert "Delivery methods" not in editor.get("/admin/").content.decode()
