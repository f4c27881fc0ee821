"""Demo catalog builders: fixture source data in, plain product definitions out.

A builder reads ``fixtures/catalog/<name>.toml`` and expands it with a seeded ``random.Random``, so
the same fixture always gives the same catalog. It knows nothing about the database: the loader
(:mod:`pipit.demo.loader`) turns the definitions into Oscar rows.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

AttributeValue = str | int | float


@dataclass(frozen=True)
class AttributeDef:
    code: str
    name: str
    type: str = "text"  # an Oscar ProductAttribute type: text, integer or float here


@dataclass(frozen=True)
class ClassDef:
    key: str
    name: str
    attributes: tuple[AttributeDef, ...]


@dataclass
class ProductDef:
    """A stand-alone product, a parent (with ``children``) or a child (inside a parent).

    ``stock`` and ``restock_days`` are per warehouse, in the storefront's warehouse order;
    ``restock_days`` is counted from the day of loading.
    """

    key: str
    title: str
    attributes: dict[str, AttributeValue]
    sku: str = ""
    price: Decimal | None = None
    stock: tuple[int, ...] = ()
    restock_days: tuple[int | None, ...] = ()
    category: str = ""
    product_class: str = ""
    description: str = ""
    children: list[ProductDef] = field(default_factory=list)
    analogs: tuple[str, ...] = ()  # keys of interchangeable products, best first

    @property
    def is_parent(self) -> bool:
        return bool(self.children)


@dataclass
class Catalog:
    classes: list[ClassDef]
    products: list[ProductDef]  # top level: stand-alone products and parents

    def capped(self, limit: int | None) -> list[ProductDef]:
        """The first ``limit`` top-level products, spread over the whole catalog so that a small
        demo still has every category and variants."""
        if limit is None or limit >= len(self.products):
            return self.products
        step = len(self.products) / limit
        return [self.products[int(i * step)] for i in range(limit)]


Builder = Callable[[dict, random.Random, int], Catalog]


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def stock_levels(
    rng: random.Random, warehouses: int, *, out_of_stock: float = 0.08, scale: int = 60
) -> tuple[tuple[int, ...], tuple[int | None, ...]]:
    """Stock per warehouse: mostly in stock, sometimes out everywhere with a restock date, and
    sometimes only in the second warehouse (so buyers see why per-warehouse stock matters)."""
    roll = rng.random()
    if roll < out_of_stock:
        days = rng.choice([5, 7, 10, 14, 21, 30])
        restock = tuple([days] + [days + rng.choice([3, 7])] * (warehouses - 1))
        return (0,) * warehouses, restock[:warehouses]
    levels = [rng.randint(scale // 10, scale * 3) for _ in range(warehouses)]
    restock: list[int | None] = [None] * warehouses
    if roll < out_of_stock * 2.5 and warehouses > 1:
        levels[0] = 0
        restock[0] = rng.choice([3, 4, 6, 9])
    return tuple(levels), tuple(restock)


_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}


def latin(text: str) -> str:
    """Russian to Latin letters, for readable ASCII slugs (Oscar's slugifier escapes Cyrillic)."""
    out = []
    for char in text:
        low = char.lower()
        if low in _TRANSLIT:
            out.append(_TRANSLIT[low])
        else:
            out.append(char)
    return "".join(out)


def load_fixture(fixtures_dir: Path, name: str) -> dict:
    with (fixtures_dir / "catalog" / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def builders() -> dict[str, Builder]:
    from . import autoparts, cosmetics, fasteners

    return {
        "cosmetics": cosmetics.build,
        "autoparts": autoparts.build,
        "fasteners": fasteners.build,
    }


def build_catalog(name: str, fixtures_dir: Path, warehouses: int) -> Catalog:
    """The catalog named ``name`` (a builder and a fixture of that name), deterministic."""
    registry = builders()
    if name not in registry:
        raise ValueError(f"Unknown demo catalog {name!r}; known: {', '.join(sorted(registry))}")
    data = load_fixture(fixtures_dir, name)
    rng = random.Random(data.get("seed", name))
    catalog = registry[name](data, rng, warehouses)
    _check_unique(catalog)
    return catalog


def _check_unique(catalog: Catalog) -> None:
    keys, skus = set(), set()
    for product in catalog.products:
        for item in [product, *product.children]:
            if item.key in keys:
                raise ValueError(f"Duplicate demo product key {item.key!r}")
            keys.add(item.key)
            if item.sku:
                if item.sku in skus:
                    raise ValueError(f"Duplicate demo SKU {item.sku!r}")
                skus.add(item.sku)
