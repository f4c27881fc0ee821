"""Demo delivery rules for the Russian demo storefronts (``manage.py load_demo``).

Couriers in Moscow and Saint Petersburg with their regions (free from 30 000 ₽), a transport
company anywhere priced by weight, and pickup from each of the storefront's warehouses. Loading
again updates the same rows (zones by name, methods by code); it never duplicates them.
"""

from __future__ import annotations

from decimal import Decimal

from .models import DeliveryMethod, DeliveryZone

ZONES = {
    "moscow": {
        "name": "Москва и Московская область",
        "cities": "Москва\nЗеленоград\nХимки\nМытищи\nКоролёв\nБалашиха\nПодольск\nЛюберцы\n"
        "Красногорск\nОдинцово",
        "postcode_prefixes": "10, 11, 12, 140, 141, 142, 143, 144",
    },
    "spb": {
        "name": "Санкт-Петербург и Ленинградская область",
        "cities": "Санкт-Петербург\nПушкин\nКолпино\nКронштадт\nПетергоф\nГатчина\nВсеволожск",
        "postcode_prefixes": "19, 187, 188",
    },
}

METHODS = [
    {
        "code": "courier-moscow",
        "zone": "moscow",
        "kind": DeliveryMethod.Kind.COURIER,
        "name": "Курьер по Москве и области",
        "description": "На следующий рабочий день, с 10:00 до 18:00",
        "sort_order": 10,
        "base_cost": Decimal("500"),
        "free_above": Decimal("30000"),
        "max_weight_kg": Decimal("60"),
    },
    {
        "code": "courier-spb",
        "zone": "spb",
        "kind": DeliveryMethod.Kind.COURIER,
        "name": "Курьер по Санкт-Петербургу и области",
        "description": "На следующий рабочий день, с 10:00 до 18:00",
        "sort_order": 20,
        "base_cost": Decimal("550"),
        "free_above": Decimal("30000"),
        "max_weight_kg": Decimal("60"),
    },
    {
        "code": "transport-company",
        "zone": None,
        "kind": DeliveryMethod.Kind.TRANSPORT,
        "name": "Транспортная компания до терминала в вашем городе",
        "description": "3–7 рабочих дней; стоимость зависит от веса заказа",
        "sort_order": 30,
        "base_cost": Decimal("400"),
        "cost_per_kg": Decimal("30"),
        "cost_per_m3": Decimal("1500"),
        "free_above": Decimal("150000"),
    },
]


def load_demo(storefront) -> None:
    """Write the demo zones and methods for ``storefront`` (Russian storefronts only)."""
    if storefront.language != "ru":
        return
    zones = {
        key: DeliveryZone.objects.update_or_create(
            storefront=storefront,
            name=spec["name"],
            defaults={k: v for k, v in spec.items() if k != "name"},
        )[0]
        for key, spec in ZONES.items()
    }
    for spec in METHODS:
        values = {k: v for k, v in spec.items() if k not in ("code", "zone")}
        DeliveryMethod.objects.update_or_create(
            storefront=storefront,
            code=spec["code"],
            defaults={**values, "zone": zones[spec["zone"]] if spec["zone"] else None},
        )
    for position, warehouse in enumerate(storefront.warehouses.order_by("priority", "pk")):
        DeliveryMethod.objects.update_or_create(
            storefront=storefront,
            code=f"pickup-{warehouse.code}",
            defaults={
                "kind": DeliveryMethod.Kind.PICKUP,
                "warehouse": warehouse,
                "name": "",  # named after the warehouse and its city
                "description": "Готово к выдаче на следующий рабочий день, с 9:00 до 20:00",
                "sort_order": 40 + position,
                "base_cost": Decimal("0"),
            },
        )
