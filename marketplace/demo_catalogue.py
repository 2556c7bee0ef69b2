"""The demo's listings (`flask demo seed`): what each supplier trades in and what it lists.

Every leaf of the category tree is listed once there are enough suppliers and products: the
first suppliers trade in what their (GST sandbox) names say, the next ones take each industry in
turn, and each supplier lists every line of its industries before a second make of any. A
storefront never shows the same listing twice: a supplier's second listing of a product is
another make (a brand, or an export or economy quality) under its own name.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count as counter
from typing import Any

from marketplace.catalog.demo_products import LINES, RELATED, Line, Variant
from marketplace.catalog.models import ProductStatus
from marketplace.catalog.taxonomy import INDUSTRIES, Industry, slugify

# The industries of the first suppliers, who take the GST sandbox's names
# (marketplace/demo_gst_suppliers.json): Kulkarni Precision Engineering sells machines, Agarwal
# Textile Traders fabrics, Sri Murugan Pumps and Motors pumps and motors, and so on.
NAMED_SUPPLIERS: tuple[tuple[str, ...], ...] = (
    ("Industrial Machinery", "Industrial Supplies and Tools"),
    ("Textiles and Apparel",),
    ("Industrial Machinery", "Electrical Equipment"),
    ("Plastics and Polymers",),
    ("Packaging Material",),
    ("Electrical Equipment",),
    ("Automobile Parts",),
    ("Textiles and Apparel", "Packaging Material"),
    ("Textiles and Apparel", "Home Textiles and Furnishings"),
    ("Building and Construction Material", "Gems, Jewellery and Handicrafts"),
)
# A second listing of the same product is another make: one of the line's brands or these.
QUALITIES: tuple[str, ...] = ("Premium", "Export Quality", "Economy")
_BY_NAME = {industry.name: industry for industry in INDUSTRIES}


def supplier_industries(rng: random.Random, number: int) -> tuple[Industry, ...]:
    """What supplier `number` (from 1) trades in: one industry, or two that go together."""
    if number <= len(NAMED_SUPPLIERS):
        return tuple(_BY_NAME[name] for name in NAMED_SUPPLIERS[number - 1])
    turn = number - len(NAMED_SUPPLIERS) - 1
    first = INDUSTRIES[turn] if turn < len(INDUSTRIES) else rng.choice(INDUSTRIES)
    if rng.random() < 0.4:
        return (first, _BY_NAME[rng.choice(RELATED[first.name])])
    return (first,)


def round_price(value: float) -> Decimal:
    """Prices as suppliers quote them: whole rupees, in fives and fifties as they grow."""
    step = 1 if value < 100 else 5 if value < 1000 else 50 if value < 100000 else 1000
    return Decimal(max(step, round(value / step) * step)).quantize(Decimal("0.01"))


Offer = tuple[Line, Variant, str | None, str]  # the line, the variant, its brand, its name


def _menu(rng: random.Random, industries: tuple[Industry, ...]) -> Iterator[Offer]:
    """A supplier's listings in the order it adds them: one product of each of its lines, then
    its other products in any order, then other makes of them; never one name twice."""
    lines = [line for industry in industries for line in LINES[industry.name]]
    rng.shuffle(lines)
    firsts = [(line, rng.choice(line.variants)) for line in lines]
    others = [(line, v) for line in lines for v in line.variants if (line, v) not in firsts]
    rng.shuffle(others)
    for line, variant in firsts + others:
        brand = rng.choice(line.brands) if line.brands and rng.random() < 0.7 else None
        yield line, variant, brand, variant.name
    for round_ in counter(1):
        for line in lines:
            for variant in line.variants:
                makes = [*line.brands, *QUALITIES]
                make = makes[(round_ - 1) % len(makes)]
                lot = "" if round_ <= len(makes) else f" Lot {round_ // len(makes) + 1}"
                brand = make if make in line.brands else None
                yield line, variant, brand, f"{make} {variant.name}{lot}"


class Listings:
    """Product rows for `flask demo seed`, shared out evenly among the suppliers."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        leaf_ids: dict[str, int],
        words: dict[str, Any],
    ):
        self.rng = rng
        self.now = now
        self.leaf_ids = leaf_ids
        self.uses = words["uses"]
        self.promises = words["promises"]
        self.payment_terms = words["payment_terms"]

    def rows(
        self, suppliers: list[tuple[int, tuple[Industry, ...]]], count: int
    ) -> Iterator[dict[str, Any]]:
        menus: dict[int, Iterator[Offer]] = {}
        for number in range(count):
            supplier_id, industries = suppliers[number % len(suppliers)]
            if supplier_id not in menus:
                menus[supplier_id] = _menu(self.rng, industries)
            yield self._row(supplier_id, *next(menus[supplier_id]))

    def _row(
        self, supplier_id: int, line: Line, variant: Variant, brand: str | None, name: str
    ) -> dict[str, Any]:
        """A listing that agrees with itself: the variant's specifications, the unit and
        minimum order its category trades in, price slabs above that minimum."""
        rng = self.rng
        price = round_price(rng.uniform(*variant.price))
        moq = rng.choice(line.moqs)
        slabs = [
            {"min_quantity": moq * factor, "price": f"{round_price(float(price) * cut):.2f}"}
            for factor, cut in ((1, 1.0), (5, 0.96), (20, 0.92))[: rng.choice((0, 2, 3))]
        ]
        specs = [list(pair) for pair in variant.specs]
        description = (
            f"{name} for {rng.choice(self.uses)}. "
            f"{' '.join(rng.sample(self.promises, 2))} "
            f"Specifications: {', '.join(f'{n} {v}' for n, v in specs)}."
        )
        return {
            "supplier_id": supplier_id,
            "category_id": self.leaf_ids[slugify(line.leaf)],
            "name": name,
            "description": description,
            "price": price,
            "unit": line.unit,
            "moq": moq,
            "specifications": specs,
            "hsn_code": line.hsn,
            "gst_rate": Decimal(line.gst),
            "price_includes_gst": rng.random() < 0.2,
            "price_slabs": slabs,
            "brand": brand,
            "delivery_time": rng.choice(line.delivery),
            "payment_terms": rng.choice(self.payment_terms),
            "status": ProductStatus.ACTIVE,
            "version": 1,
            "created_at": self.now - timedelta(minutes=rng.randint(0, 525_600)),
            "updated_at": self.now,
        }
