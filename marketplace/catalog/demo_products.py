"""What the demo's suppliers sell: for each industry a few categories whose product names,
specifications, units, minimum orders, HSN codes and GST rates agree with one another.

The lines themselves are data, in demo_products.json next to this module. Only `flask demo
seed` reads them; the rates follow catalog.trade.GST_SLABS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

Spec = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Variant:
    name: str
    specs: Spec
    price: tuple[int, int]  # rupees per unit


@dataclass(frozen=True)
class Line:
    leaf: str  # a leaf category's name
    unit: str
    hsn: str
    gst: str
    moqs: tuple[int, ...]
    variants: tuple[Variant, ...]
    brands: tuple[str, ...] = ()
    delivery: tuple[str, ...] = ("7 days", "10 days", "15 days")


def _line(row: dict[str, Any]) -> Line:
    optional = {key: tuple(row[key]) for key in ("brands", "delivery") if key in row}
    return Line(
        row["leaf"],
        row["unit"],
        row["hsn"],
        row["gst"],
        tuple(row["moqs"]),
        tuple(
            Variant(
                variant["name"],
                tuple((name, value) for name, value in variant["specs"]),
                (variant["price"][0], variant["price"][1]),
            )
            for variant in row["variants"]
        ),
        **optional,
    )


_DATA = json.loads(
    resources.files("marketplace.catalog")
    .joinpath("demo_products.json")
    .read_text(encoding="utf-8")
)

LINES: dict[str, tuple[Line, ...]] = {
    industry: tuple(_line(row) for row in rows) for industry, rows in _DATA["lines"].items()
}

# Industries a supplier plausibly trades in together.
RELATED: dict[str, tuple[str, ...]] = {
    industry: tuple(others) for industry, others in _DATA["related"].items()
}
