"""DIN fasteners for builders and manufacturers (English titles, prices per box in the storefront's
currency). Coarse and fine pitch of one diameter are separate items, so a buyer always sees the
pitch they order."""

from __future__ import annotations

import math
import random

from . import AttributeDef, Catalog, ClassDef, ProductDef, money, stock_levels

_THREAD = (
    AttributeDef("brand", "Brand"),
    AttributeDef("standard", "Standard"),
    AttributeDef("diameter", "Diameter"),
    AttributeDef("thread_pitch", "Thread pitch, mm", "float"),
    AttributeDef("material", "Material"),
    AttributeDef("coating", "Coating"),
    AttributeDef("pack_qty", "Pieces per box", "integer"),
)
_LENGTH = AttributeDef("length_mm", "Length, mm", "integer")
CLASSES = [
    ClassDef("bolts", "Bolts and screws", (*_THREAD, _LENGTH)),
    ClassDef("nuts", "Nuts", _THREAD),
    ClassDef(
        "washers",
        "Washers",
        tuple(a for a in _THREAD if a.code != "thread_pitch"),
    ),
    ClassDef("anchors", "Anchors", (*_THREAD, _LENGTH)),
]

_STEEL_G_PER_CM3 = 7.85


def _mm(diameter: str) -> int:
    return int(diameter.lstrip("M"))


def _grams_bolt(d_mm: float, length_mm: float, head: float) -> float:
    d = d_mm / 10
    return _STEEL_G_PER_CM3 * math.pi / 4 * d * d * (length_mm / 10 + head * d)


def _grams_nut(d_mm: float) -> float:
    d = d_mm / 10
    across_flats = 1.6 * d
    hexagon = math.sqrt(3) / 2 * across_flats**2
    return _STEEL_G_PER_CM3 * (hexagon - math.pi / 4 * d * d) * 0.8 * d


def _grams_washer(d_mm: float) -> float:
    d = d_mm / 10
    return _STEEL_G_PER_CM3 * math.pi / 4 * ((2.1 * d) ** 2 - (1.08 * d) ** 2) * 0.16 * d


def _box_price(grams: float, per_kg: float, pieces: int, rng: random.Random):
    # Small parts cost more than their steel: a floor per piece and a handling charge per box.
    piece = max(grams / 1000 * per_kg * 1.8, 0.012)
    return money((piece * pieces + 0.6) * rng.uniform(0.96, 1.04))


def build(data: dict, rng: random.Random, warehouses: int) -> Catalog:
    grades: dict[str, list] = data["grades"]
    coarse, fine, packs = data["coarse_pitch"], data["fine_pitch"], data["pack_qty"]
    products: list[ProductDef] = []

    def pitch_of(diameter: str, is_fine: bool) -> float:
        return float(fine[diameter] if is_fine else coarse[diameter])

    def size_label(diameter: str, is_fine: bool) -> str:
        return f"{diameter}×{pitch_of(diameter, True):g}" if is_fine else diameter

    for bolt in data["bolts"]:
        number = bolt["standard"].split()[-1]
        is_fine = bolt.get("fine", False)
        for grade_key in bolt["grades"]:
            material, coating, per_kg, suffix, brand = grades[grade_key]
            for diameter, lengths in bolt["sizes"].items():
                if coating == "hot-dip galvanized" and _mm(diameter) < 8:
                    continue  # nobody galvanizes M5 and M6 bolts: the zinc fills the thread
                d = _mm(diameter)
                size = size_label(diameter, is_fine)
                sku_size = size.replace("×", "X")
                children = []
                for length in lengths:
                    pieces = packs[diameter] // (2 if length > 8 * d else 1)
                    stock, restock = stock_levels(rng, warehouses, scale=30)
                    children.append(
                        ProductDef(
                            key=f"din{number}-{diameter.lower()}"
                            + (f"x{pitch_of(diameter, True):g}" if is_fine else "")
                            + f"-{grade_key}-{length}",
                            title=f"{bolt['standard']} {size}×{length}, {material}, {coating}",
                            attributes={"length_mm": length, "pack_qty": pieces},
                            sku=f"{number}-{sku_size}X{length}-{suffix}",
                            price=_box_price(
                                _grams_bolt(d, length, bolt["head"]), per_kg, pieces, rng
                            ),
                            stock=stock,
                            restock_days=restock,
                        )
                    )
                pitch_note = " fine pitch" if is_fine else ""
                products.append(
                    ProductDef(
                        key=f"din{number}-{diameter.lower()}-{grade_key}",
                        title=f"{bolt['standard']} {bolt['title'].split(',')[0].lower()} "
                        f"{size}{pitch_note}, {material}, {coating}",
                        product_class="bolts",
                        category=bolt["category"],
                        attributes={
                            "brand": brand,
                            "standard": bolt["standard"],
                            "diameter": diameter,
                            "thread_pitch": pitch_of(diameter, is_fine),
                            "material": material,
                            "coating": coating,
                        },
                        description=(
                            f"<p>{bolt['title']} to {bolt['standard']}, {size} "
                            f"(pitch {pitch_of(diameter, is_fine):g} mm), {material}, {coating}. "
                            f"Sold in boxes.</p>"
                        ),
                        children=children,
                    )
                )

    for nut in data["nuts"]:
        is_fine = nut.get("fine", False)
        for grade_key in nut["grades"]:
            material, coating, per_kg, suffix, brand = grades[grade_key]
            for diameter in nut["diameters"]:
                d = _mm(diameter)
                size = size_label(diameter, is_fine)
                pieces = packs[diameter] * 2
                stock, restock = stock_levels(rng, warehouses, scale=40)
                products.append(
                    ProductDef(
                        key=f"din934-{diameter.lower()}"
                        + (f"x{pitch_of(diameter, True):g}" if is_fine else "")
                        + f"-{grade_key}",
                        title=f"{nut['standard']} hex nut {size}"
                        + (" fine pitch" if is_fine else "")
                        + f", {material}, {coating}",
                        product_class="nuts",
                        category=nut["category"],
                        attributes={
                            "brand": brand,
                            "standard": nut["standard"],
                            "diameter": diameter,
                            "thread_pitch": pitch_of(diameter, is_fine),
                            "material": material,
                            "coating": coating,
                            "pack_qty": pieces,
                        },
                        sku=f"934-{size.replace('×', 'X')}-{suffix}",
                        price=_box_price(_grams_nut(d), per_kg, pieces, rng),
                        stock=stock,
                        restock_days=restock,
                    )
                )

    for washer in data["washers"]:
        for grade_key in washer["grades"]:
            material, coating, per_kg, suffix, brand = grades[grade_key]
            for diameter in washer["diameters"]:
                d = _mm(diameter)
                pieces = packs[diameter] * 4
                stock, restock = stock_levels(rng, warehouses, scale=40)
                hole = round(d * 1.08, 1)
                products.append(
                    ProductDef(
                        key=f"din125-{diameter.lower()}-{grade_key}",
                        title=f"{washer['standard']} flat washer {diameter} ({hole:g} mm hole), "
                        f"{material}, {coating}",
                        product_class="washers",
                        category=washer["category"],
                        attributes={
                            "brand": brand,
                            "standard": washer["standard"],
                            "diameter": diameter,
                            "material": material,
                            "coating": coating,
                            "pack_qty": pieces,
                        },
                        sku=f"125-{diameter}-{suffix}",
                        price=_box_price(_grams_washer(d), per_kg, pieces, rng),
                        stock=stock,
                        restock_days=restock,
                    )
                )

    for anchor in data["anchors"]:
        for grade_key in anchor["grades"]:
            material, coating, per_kg, suffix, _brand = grades[grade_key]
            for diameter, length, pieces in anchor["sizes"]:
                d = _mm(diameter)
                stock, restock = stock_levels(rng, warehouses, scale=20)
                products.append(
                    ProductDef(
                        key=f"faz-{diameter.lower()}x{length}-{grade_key}",
                        title=f"{anchor['brand']} {anchor['title']} {diameter}×{length}, "
                        f"{material}, {coating}",
                        product_class="anchors",
                        category=anchor["category"],
                        attributes={
                            "brand": anchor["brand"],
                            "standard": anchor["standard"],
                            "diameter": diameter,
                            "thread_pitch": pitch_of(diameter, False),
                            "length_mm": length,
                            "material": material,
                            "coating": coating,
                            "pack_qty": pieces,
                        },
                        sku=f"FAZ-{diameter}X{length}-{suffix}",
                        # Anchors are bought for their sleeve and cone, not their steel weight.
                        price=_box_price(_grams_bolt(d, length, 0.6) * 2.5, per_kg, pieces, rng),
                        stock=stock,
                        restock_days=restock,
                    )
                )

    return Catalog(CLASSES, products)
