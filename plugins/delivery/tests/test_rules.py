"""Which methods a buyer is offered for an address, and what they cost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pipit.companies.models import CompanyAddress
from pipit.ordering.shipping import SupplierDelivery, quote, shipping_methods
from pipit.plugins.registry import registry
from pipit.plugins.testing import enable_plugin
from pipit.testing import factories

from pipit_delivery.models import DeliveryMethod, DeliveryZone, normalise_city
from pipit_delivery.plugin import DeliveryPlugin, DeliverySettings

from .conftest import make_basket

pytestmark = pytest.mark.django_db


def address(company, city="Москва", postcode="101000"):
    return CompanyAddress(company=company, city=city, postcode=postcode, line1="Street 1")


def offered(storefront, buyer, company, basket, where):
    return {o.code: o.charge for o in quote(storefront, basket, buyer, company, where).options}


def test_plugin_is_discovered_and_implements_the_shipping_hook():
    plugin = registry.get("delivery")
    assert isinstance(plugin, DeliveryPlugin)
    assert "shipping_methods" in DeliveryPlugin.hook_methods
    assert registry.errors() == []


@pytest.mark.parametrize(
    ("city", "postcode", "inside"),
    [
        ("Москва", "", True),
        ("г. Москва", "", True),
        ("  МОСКВА ", "", True),
        ("Зеленоград", "", True),
        ("Химки", "141400", True),  # by postcode: Moscow region
        ("Kazan", "420000", False),
        ("Москва-Сити?", "", False),
        ("", "10-1000", True),  # digits only are compared
        ("", "", False),
    ],
)
def test_zone_matches_by_city_or_postcode_prefix(moscow, company, city, postcode, inside):
    assert moscow.matches(address(company, city, postcode)) is inside


def test_city_names_compare_without_case_yo_hyphens_or_prefix():
    assert normalise_city("г. Санкт Петербург") == normalise_city("Санкт-Петербург")
    assert normalise_city("Королев") == normalise_city("город Королёв")


def test_moscow_buyer_gets_the_courier_first_then_transport_pickup_and_default(
    storefront, company, buyer, switched_on, courier, transport, pickup, heavy
):
    basket = make_basket(storefront, buyer, (heavy, 4))  # 4000 excl., 4800 incl.; 10 kg; 0.04 m³

    options = quote(storefront, basket, buyer, company, company.addresses.get()).options

    assert [o.code for o in options] == [
        "courier-moscow",
        "transport",
        "pickup-main",
        SupplierDelivery.code,
    ]
    charges = {o.code: o.charge for o in options}
    # VAT 20% of the storefront on top of the costs, which are kept before tax.
    assert (charges["courier-moscow"].excl_tax, charges["courier-moscow"].incl_tax) == (
        Decimal("500.00"),
        Decimal("600.00"),
    )
    # 400 + 30 × 10 kg + 1500 × 0.04 m³ = 760
    assert charges["transport"].excl_tax == Decimal("760.00")
    assert charges["transport"].incl_tax == Decimal("912.00")
    assert charges["pickup-main"].incl_tax == 0
    assert options[2].name == "Pickup: Main warehouse"


def test_courier_is_free_from_the_threshold_incl_vat(
    storefront, company, buyer, switched_on, courier
):
    cream = factories.product(storefront, "Cream", price="1000.00", stock={"main": 100})
    below = make_basket(storefront, buyer, (cream, 24))  # 28 800 incl. VAT
    at = make_basket(storefront, factories.buyer(company), (cream, 25))  # 30 000 incl. VAT

    where = company.addresses.get()
    assert offered(storefront, buyer, company, below, where)["courier-moscow"].incl_tax == Decimal(
        "600.00"
    )
    assert offered(storefront, buyer, company, at, where)["courier-moscow"].incl_tax == 0


def test_weight_limit_leaves_out_the_courier_for_a_heavy_cart(
    storefront, company, buyer, switched_on, courier, transport, heavy
):
    basket = make_basket(storefront, buyer, (heavy, 21))  # 52.5 kg > 50

    codes = list(offered(storefront, buyer, company, basket, company.addresses.get()))

    assert codes == ["transport", SupplierDelivery.code]


def test_min_weight_and_max_volume_limits(storefront, company, buyer, switched_on, heavy):
    DeliveryMethod.objects.create(
        storefront=storefront, code="pallet", name="Pallet", min_weight_kg="20"
    )
    DeliveryMethod.objects.create(
        storefront=storefront, code="small", name="Small parcel", max_volume_m3="0.05"
    )
    light = make_basket(storefront, buyer, (heavy, 2))  # 5 kg, 0.02 m³
    big = make_basket(storefront, factories.buyer(company), (heavy, 10))  # 25 kg, 0.1 m³
    where = company.addresses.get()

    assert list(offered(storefront, buyer, company, light, where))[:-1] == ["small"]
    assert list(offered(storefront, buyer, company, big, where))[:-1] == ["pallet"]


def test_weight_of_variants_comes_from_the_parent_and_liquids_weigh_a_kg_per_litre(
    storefront, company, buyer, switched_on, transport
):
    parent = factories.parent_product(
        storefront, "Motor oil", [{"title": "Oil 4 l", "price": "2000.00", "stock": {"main": 9}}]
    )
    can = parent.children.get()
    factories.attribute_value(can, "volume_l", 4)
    shampoo = factories.product(storefront, "Shampoo", price="500.00", stock={"main": 9})
    factories.attribute_value(shampoo, "volume_ml", 500)
    box = factories.product(storefront, "Box", price="10.00", stock={"main": 9})  # no attributes
    basket = make_basket(storefront, buyer, (can, 2), (shampoo, 2), (box, 3))

    charge = offered(storefront, buyer, company, basket, company.addresses.get())["transport"]

    # 2 × 4 kg + 2 × 0.5 kg + 3 × 0 = 9 kg → 400 + 270
    assert charge.excl_tax == Decimal("670.00")


def test_address_outside_every_zone_gets_only_the_methods_for_everywhere(
    storefront, company, buyer, switched_on, courier, transport, heavy
):
    basket = make_basket(storefront, buyer, (heavy, 1))

    codes = list(offered(storefront, buyer, company, basket, address(company, "Kazan", "420000")))

    assert codes == ["transport", SupplierDelivery.code]


def test_without_the_default_method_an_address_nobody_serves_cannot_be_delivered(
    storefront, company, buyer, courier, heavy
):
    enable_plugin(storefront, "delivery", keep_default_method=False)
    basket = make_basket(storefront, buyer, (heavy, 1))

    assert list(offered(storefront, buyer, company, basket, company.addresses.get())) == [
        "courier-moscow"
    ]
    kazan = address(company, "Kazan", "420000")
    assert shipping_methods(storefront, basket, buyer, company, kazan) == []


def test_storefront_without_active_methods_keeps_the_default(
    storefront, company, buyer, courier, heavy
):
    enable_plugin(storefront, "delivery", keep_default_method=False)
    DeliveryMethod.objects.update(active=False)
    basket = make_basket(storefront, buyer, (heavy, 1))

    codes = [m.code for m in shipping_methods(storefront, basket, buyer, company, None)]

    assert codes == [SupplierDelivery.code]


def test_switched_off_the_buyer_gets_only_the_default_method(
    storefront, company, buyer, courier, transport, heavy
):
    enable_plugin(storefront, "delivery", enabled=False)
    basket = make_basket(storefront, buyer, (heavy, 1))

    codes = [m.code for m in shipping_methods(storefront, basket, buyer, company, None)]

    assert codes == [SupplierDelivery.code]


def test_methods_of_another_storefront_are_never_offered(
    storefront, other_storefront, switched_on, courier, transport
):
    enable_plugin(other_storefront, "delivery")
    other_company = factories.company(other_storefront)
    other_buyer = factories.buyer(other_company)
    product = factories.product(other_storefront, "Beta goods", price="100.00")
    basket = make_basket(other_storefront, other_buyer, (product, 1))

    methods = shipping_methods(
        other_storefront, basket, other_buyer, other_company, other_company.addresses.get()
    )

    assert [m.code for m in methods] == [SupplierDelivery.code]


def test_pickup_is_named_after_its_warehouse_and_city(storefront, pickup):
    warehouse = pickup.warehouse
    warehouse.city = "Moscow"
    warehouse.save()

    assert DeliveryMethod.objects.get(pk=pickup.pk).display_name == "Pickup: Main warehouse, Moscow"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "supplier-delivery"}, "code"),
        ({"kind": DeliveryMethod.Kind.PICKUP}, "warehouse"),
        ({"min_weight_kg": Decimal("10"), "max_weight_kg": Decimal("5")}, "max_weight_kg"),
    ],
)
def test_invalid_rules_are_refused_with_a_field_error(storefront, changes, field):
    method = DeliveryMethod(storefront=storefront, **{"code": "x", "name": "X", **changes})

    with pytest.raises(Exception) as refused:
        method.full_clean()

    assert field in refused.value.message_dict


def test_zone_and_warehouse_must_belong_to_the_methods_storefront(storefront, other_storefront):
    foreign_zone = DeliveryZone.objects.create(storefront=other_storefront, name="B", cities="X")
    foreign_warehouse = other_storefront.warehouses.first()
    method = DeliveryMethod(
        storefront=storefront,
        code="x",
        kind=DeliveryMethod.Kind.PICKUP,
        zone=foreign_zone,
        warehouse=foreign_warehouse,
    )

    with pytest.raises(Exception) as refused:
        method.full_clean()

    assert {"zone", "warehouse"} <= set(refused.value.message_dict)


def test_zone_needs_digits_as_postcode_prefixes_and_something_to_match(storefront):
    with pytest.raises(Exception) as refused:
        DeliveryZone(storefront=storefront, name="Z", postcode_prefixes="10, ab").full_clean()
    assert "postcode_prefixes" in refused.value.message_dict

    with pytest.raises(Exception) as empty:
        DeliveryZone(storefront=storefront, name="Z").full_clean()
    assert "List at least one city or postcode prefix." in str(empty.value)


def test_settings_form_keeps_booleans():
    form = DeliverySettings(data={"keep_default_method": "on"})
    assert form.is_valid()
    assert form.cleaned_data == {"keep_default_method": True, "free_delivery_hint": False}
