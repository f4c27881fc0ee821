"""Professional hair, nail and skin care for salons (Russian titles, prices in roubles)."""

from __future__ import annotations

import random
import re

from . import AttributeDef, Catalog, ClassDef, ProductDef, money, stock_levels

_BASE = (
    AttributeDef("brand", "Бренд"),
    AttributeDef("volume_ml", "Объём, мл", "integer"),
    AttributeDef("country", "Страна бренда"),
)
CLASSES = [
    ClassDef(
        "hair-colour",
        "Краски для волос",
        (*_BASE, AttributeDef("hair_type", "Тип волос"), AttributeDef("shade", "Оттенок")),
    ),
    ClassDef(
        "hair-care",
        "Уход и стайлинг для волос",
        (*_BASE, AttributeDef("hair_type", "Тип волос"), AttributeDef("line", "Линия")),
    ),
    ClassDef(
        "oxidant",
        "Окислители",
        (
            *_BASE,
            AttributeDef("hair_type", "Тип волос"),
            AttributeDef("strength", "Концентрация, %", "float"),
        ),
    ),
    ClassDef("nails", "Ногтевой сервис", (*_BASE, AttributeDef("shade", "Оттенок"))),
    ClassDef("skin", "Косметика для лица и тела", _BASE),
]


def _sku(*parts: object) -> str:
    raw = "-".join(str(p) for p in parts).upper().replace(" ", "")
    return re.sub(r"[^A-Z0-9/.\-]+", "", raw)


def _abbr(line: str) -> str:
    """Initials for SKUs: "Curex Therapy" gives "CUTH"."""
    return "".join(word[:2] for word in line.split())[:6]


def _code(brand: str) -> str:
    return re.sub(r"[^A-Z]", "", brand.upper())[:3]


def build(data: dict, rng: random.Random, warehouses: int) -> Catalog:
    countries: dict[str, str] = data["brands"]
    products: list[ProductDef] = []

    for line in data["colour_lines"]:
        brand = line["brand"]
        low, high = line["price"]
        price = rng.uniform(low, high)
        children = []
        for shade in line["shades"]:
            stock, restock = stock_levels(rng, warehouses, scale=40)
            children.append(
                ProductDef(
                    key=f"{line['key']}-{shade}".replace("/", "-").replace(" ", "-"),
                    title=f"{line['title']} {shade}, {line['volume_ml']} мл",
                    attributes={"shade": shade},
                    sku=f"{line['sku']}-{shade}",
                    price=money(price),
                    stock=stock,
                    restock_days=restock,
                )
            )
        products.append(
            ProductDef(
                key=line["key"],
                title=line["title"],
                product_class="hair-colour",
                category="hair-colour",
                attributes={
                    "brand": brand,
                    "volume_ml": line["volume_ml"],
                    "country": countries[brand],
                    "hair_type": "все типы",
                },
                description=(
                    f"<p>{line['title']}: {len(children)} оттенков в палитре, тюбик "
                    f"{line['volume_ml']} мл. Смешивать с окислителем той же марки.</p>"
                ),
                children=children,
            )
        )

    for line in data["oxidant_lines"]:
        brand = line["brand"]
        per_litre = rng.uniform(*line["price_per_litre"])
        for strength in line["strengths"]:
            for volume in line["volumes"]:
                # Small bottles cost more per litre.
                price = per_litre * volume / 1000 * (1.6 if volume < 200 else 1.0)
                stock, restock = stock_levels(rng, warehouses)
                pct = f"{strength:g}"
                products.append(
                    ProductDef(
                        key=f"{line['key']}-{pct}" + ("" if volume == 1000 else f"-{volume}"),
                        title=f"{line['title']} {pct.replace('.', ',')}%, {volume} мл",
                        product_class="oxidant",
                        category="oxidants",
                        attributes={
                            "brand": brand,
                            "volume_ml": volume,
                            "country": countries[brand],
                            "hair_type": "все типы",
                            "strength": float(strength),
                        },
                        sku=_sku(_code(brand), "OX", pct, volume),
                        price=money(max(price, 45)),
                        stock=stock,
                        restock_days=restock,
                    )
                )

    for line in data["care_lines"]:
        brand = line["brand"]
        first_of_category: dict[str, str] = {}
        for number, (kind, category, volumes, per_100) in enumerate(line["items"], start=1):
            first_of_category.setdefault(category, kind)
            # A line's second mask is "...-conditioner-2-500", its first "...-conditioner-500".
            suffix = "" if first_of_category[category] == kind else f"-{number}"
            for volume in volumes:
                big = volume >= 1000
                price = per_100 * volume / 100 * (0.75 if big else 1.0) * rng.uniform(0.95, 1.05)
                stock, restock = stock_levels(rng, warehouses)
                products.append(
                    ProductDef(
                        key=f"{line['key']}-{category}{suffix}-{volume}",
                        title=f"{kind} {brand} {line['line']}, {volume} мл",
                        product_class="hair-care",
                        category=category,
                        attributes={
                            "brand": brand,
                            "volume_ml": volume,
                            "country": countries[brand],
                            "hair_type": line["hair_type"],
                            "line": line["line"],
                        },
                        description=f"<p>Для волос: {line['hair_type']}. Линия {line['line']}.</p>",
                        sku=_sku(_code(brand), _abbr(line["line"]), number, volume),
                        price=money(price),
                        stock=stock,
                        restock_days=restock,
                    )
                )

    for line in data["nail_lines"]:
        brand = line["brand"]
        price = rng.uniform(*line["price"])
        children = []
        for number, shade in enumerate(line["shades"], start=1):
            stock, restock = stock_levels(rng, warehouses, scale=25)
            children.append(
                ProductDef(
                    key=f"{line['key']}-{number:02d}",
                    title=f"{line['title']} {shade}, {line['volume_ml']} мл",
                    attributes={"shade": shade},
                    sku=f"{line['sku']}-{number:02d}",
                    price=money(price),
                    stock=stock,
                    restock_days=restock,
                )
            )
        products.append(
            ProductDef(
                key=line["key"],
                title=line["title"],
                product_class="nails",
                category="gel-polish",
                attributes={
                    "brand": brand,
                    "volume_ml": line["volume_ml"],
                    "country": countries[brand],
                },
                children=children,
            )
        )

    for key, brand, title, category, volume, low, high in data["other"]["items"]:
        stock, restock = stock_levels(rng, warehouses)
        attributes: dict = {"brand": brand, "country": countries[brand]}
        if volume:
            attributes["volume_ml"] = volume
        prefix = key.split("-", 1)[0]
        product_class = {"nail": "nails", "skin": "skin", "tool": "hair-care"}[prefix]
        products.append(
            ProductDef(
                key=key,
                title=title + (f", {volume} мл" if volume else ""),
                product_class=product_class,
                category=category,
                attributes=attributes,
                sku=_sku(_code(brand), *key.split("-")[2:]),
                price=money(rng.uniform(low, high)),
                stock=stock,
                restock_days=restock,
            )
        )

    return Catalog(CLASSES, products)
