"""Nissan parts and their analogs for service stations (Russian titles, prices in roubles).

Every fitment gives an original part and its analogs; each carries the original's OEM number and
the other numbers of the group as cross numbers, the way parts catalogs list interchangeability.
"""

from __future__ import annotations

import random
import re

from . import AttributeDef, Catalog, ClassDef, ProductDef, money, stock_levels

_BASE = (
    AttributeDef("brand", "Бренд"),
    AttributeDef("oem_number", "OEM-номер"),
    AttributeDef("make", "Марка автомобиля"),
    AttributeDef("models", "Модели"),
    AttributeDef("position", "Сторона установки"),
    AttributeDef("cross_numbers", "Кросс-номера аналогов"),
    AttributeDef("country", "Страна бренда"),
)
CLASSES = [
    ClassDef("parts", "Автозапчасти", _BASE),
    ClassDef(
        "fluids",
        "Масла и технические жидкости",
        (
            *_BASE,
            AttributeDef("viscosity", "Вязкость"),
            AttributeDef("volume_l", "Объём, л", "integer"),
        ),
    ),
    ClassDef(
        "wipers",
        "Щётки стеклоочистителя",
        (*_BASE, AttributeDef("length_mm", "Длина, мм", "integer")),
    ),
]

_BRAND_SKU = {"Mann-Filter": "MANN", "Bosch": "BOSCH", "Febi": "FEBI", "Brembo": "BREMBO"}


def _expand(pattern: str, rng: random.Random) -> str:
    return "".join(
        str(rng.randint(0, 9)) if c == "#" else rng.choice("ABCDEFGHJK") if c == "@" else c
        for c in pattern
    )


def _nissan_number(prefix: str, platform: str, rng: random.Random) -> str:
    fill = "".join(str(rng.randint(0, 9)) for _ in range(max(4 - len(platform), 1)))
    return f"{prefix}-{platform}{fill}{rng.choice('ABCE')}"[: len(prefix) + 6]


def _compact(number: str) -> str:
    return re.sub(r"\s+", "", number)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build(data: dict, rng: random.Random, warehouses: int) -> Catalog:
    countries: dict[str, str] = data["brands"]
    models: dict[str, list[str]] = data["models"]
    products: list[ProductDef] = []
    taken: set[str] = set()

    def unique(make_number, *args) -> str:
        for _ in range(50):
            number = make_number(*args)
            if number not in taken:
                taken.add(number)
                return number
        raise ValueError("Could not make a unique part number")

    for part in data["parts"]:
        for index, fitment in enumerate(part["fitments"]):
            fits = fitment["models"]
            make, platform = models[fits[0]]
            oem = fitment.get("oem") or unique(_nissan_number, part["prefix"], platform, rng)
            taken.add(oem)
            analogs = list(part["analogs"].items())
            # The first fitment of a kind always has every analog (a buyer's "three analogs");
            # later ones sometimes lack one, as real cross lists do.
            if index and len(analogs) > 2 and rng.random() < 0.3:
                analogs.pop(rng.randrange(len(analogs)))
            group = [(make, oem)] + [
                (brand, unique(_expand, pattern, rng)) for brand, pattern in analogs
            ]
            base_price = rng.uniform(*part["price"])
            keys = [f"{part['kind']}-{_slug(brand)}-{_slug(number)}" for brand, number in group]
            for position, (brand, number) in enumerate(group):
                original = position == 0
                if original and fitment.get("out_of_stock"):
                    days = rng.choice([1, 2, 3])  # purchasing's "next delivery"
                    stock: tuple = (0,) * warehouses
                    restock: tuple = tuple(days + 2 * w for w in range(warehouses))
                else:
                    stock, restock = stock_levels(rng, warehouses, out_of_stock=0.06, scale=20)
                factor = 1.0 if original else rng.uniform(0.55, 0.85)
                if brand == "Brembo":
                    factor = rng.uniform(0.9, 1.1)
                cross = "; ".join(f"{b} {n}" for b, n in group if n != number)
                attributes = {
                    "brand": brand,
                    "oem_number": oem,
                    "make": make,
                    "models": ", ".join(fits),
                    "cross_numbers": cross,
                    "country": countries[brand],
                }
                if part.get("position"):
                    attributes["position"] = part["position"]
                sku = (
                    number
                    if original
                    else f"{_BRAND_SKU.get(brand, brand.upper())}-{_compact(number)}"
                )
                products.append(
                    ProductDef(
                        key=keys[position],
                        analogs=tuple(k for k in keys if k != keys[position]),
                        title=f"{part['title']} {brand} {number}",
                        product_class="parts",
                        category=part["category"],
                        attributes=attributes,
                        description=(
                            f"<p>{'Оригинальная деталь' if original else 'Аналог оригинала'} "
                            f"{oem}. Применимость: {make} {', '.join(fits)}.</p>"
                        ),
                        sku=sku,
                        price=money(round(base_price * factor, -1)),
                        stock=stock,
                        restock_days=restock,
                    )
                )

    for oil in data["oils"]:
        brand = oil["brand"]
        children = []
        for litres, number in oil["cans"]:
            stock, restock = stock_levels(rng, warehouses, scale=30)
            children.append(
                ProductDef(
                    key=f"{oil['key']}-{litres}l",
                    title=f"{oil['title']}, {litres} л",
                    attributes={"volume_l": litres, "oem_number": number},
                    sku=number,
                    price=money(
                        round(oil["price_per_litre"] * litres * (0.9 if litres > 1 else 1), -1)
                    ),
                    stock=stock,
                    restock_days=restock,
                )
            )
        attributes = {"brand": brand, "viscosity": oil["viscosity"], "models": "все модели"}
        if brand in countries:
            attributes["country"] = countries[brand]
        if brand == "Nissan":
            attributes["make"] = "Nissan"
        products.append(
            ProductDef(
                key=oil["key"],
                title=oil["title"],
                product_class="fluids",
                category="oils",
                attributes=attributes,
                children=children,
            )
        )

    for wiper in data["wipers"]:
        brand = wiper["brand"]
        low, high = wiper["price"]
        lengths = wiper["lengths"]
        children = []
        for i, (length, number) in enumerate(lengths):
            stock, restock = stock_levels(rng, warehouses, scale=25)
            children.append(
                ProductDef(
                    key=f"{wiper['key']}-{length}",
                    title=f"{wiper['title']}, {length} мм",
                    attributes={"length_mm": length, "oem_number": number},
                    sku=number if brand == "Nissan" else f"{brand.upper()}-{_compact(number)}",
                    price=money(round(low + (high - low) * i / max(len(lengths) - 1, 1), -1)),
                    stock=stock,
                    restock_days=restock,
                )
            )
        attributes = {"brand": brand, "country": countries[brand], "models": "универсальная"}
        if brand == "Nissan":
            attributes.update(make="Nissan", models="X-Trail T31, Qashqai J10")
        products.append(
            ProductDef(
                key=wiper["key"],
                title=wiper["title"],
                product_class="wipers",
                category="wipers",
                attributes=attributes,
                children=children,
            )
        )

    for key, brand, title, category, number, low, high in data["other"]["items"]:
        stock, restock = stock_levels(rng, warehouses, scale=30)
        attributes = {"brand": brand, "oem_number": number, "country": countries[brand]}
        if brand == "Nissan":
            attributes["make"] = "Nissan"
        products.append(
            ProductDef(
                key=key,
                title=title,
                product_class="fluids",
                category=category,
                attributes=attributes,
                sku=number if brand == "Nissan" else f"{brand.upper()}-{_compact(number)}",
                price=money(round(rng.uniform(low, high), -1)),
                stock=stock,
                restock_days=restock,
            )
        )

    return Catalog(CLASSES, products)
