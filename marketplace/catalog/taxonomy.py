"""The category tree of Indian B2B trade: industries and the leaf categories products are listed in.

Each leaf carries the unit it usually trades in and a typical price band per unit in rupees,
which the demo catalogue uses to look like a real marketplace. Each industry carries the
qualifiers and specifications that its product names and spec sheets are made of. The tree
itself is data, in taxonomy.json next to this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Leaf:
    name: str
    unit: str
    price: tuple[int, int]  # typical rupees per unit, low and high


@dataclass(frozen=True)
class Industry:
    name: str
    leaves: tuple[Leaf, ...]
    qualifiers: tuple[str, ...] = ()
    specifications: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _industry(row: dict[str, Any]) -> Industry:
    return Industry(
        row["name"],
        tuple(
            Leaf(leaf["name"], leaf["unit"], (leaf["price"][0], leaf["price"][1]))
            for leaf in row["leaves"]
        ),
        tuple(row.get("qualifiers", ())),
        {name: tuple(values) for name, values in row.get("specifications", {}).items()},
    )


_ROWS: list[dict[str, Any]] = json.loads(
    resources.files("marketplace.catalog").joinpath("taxonomy.json").read_text(encoding="utf-8")
)["industries"]

INDUSTRIES: tuple[Industry, ...] = tuple(_industry(row) for row in _ROWS)

# English name -> the Hindi a trader reads. Kept beside the tree rather than in the database:
# the rows, the search index and the API stay English and only pages say it in Hindi.
HINDI_NAMES: dict[str, str] = {
    node["name"]: node["name_hi"] for row in _ROWS for node in (row, *row["leaves"])
}


_NOT_WORD = re.compile(r"[\W_]+")


def slugify(text: str) -> str:
    """'Men's Shirts & T-Shirts' -> 'men-s-shirts-t-shirts' (letters of any script are kept)."""
    return _NOT_WORD.sub("-", text.lower()).strip("-")
