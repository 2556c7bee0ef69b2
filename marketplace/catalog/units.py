"""The units products are traded in, and the spellings suppliers and buyers write them in
("pcs", "Nos.", "kgs", "ltr", "MT"), each read as one unit, so a listing, an enquiry and a
requirement all speak of the same "piece"."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from marketplace.validation import Invalid

# Each unit as stored (value -> how a page says "per ...").
UNITS: dict[str, str] = {
    "piece": "piece",
    "set": "set",
    "pair": "pair",
    "box": "box",
    "kit": "kit",
    "packet": "packet",
    "bag": "bag",
    "roll": "roll",
    "bottle": "bottle",
    "strip": "strip",
    "cylinder": "cylinder",
    "dozen": "dozen",
    "gram": "gram",
    "kg": "kg",
    "quintal": "quintal",
    "tonne": "tonne",
    "carat": "carat",
    "litre": "litre",
    "metre": "metre",
    "square foot": "sq ft",
    "square metre": "sq m",
    "cubic metre": "cu m",
    "acre": "acre",
    "watt": "watt",
}

# Spellings in everyday Indian trade use, beside each unit's own name and its plural.
SPELLINGS: dict[str, str] = {
    "pc": "piece",
    "pcs": "piece",
    "no": "piece",
    "nos": "piece",
    "number": "piece",
    "numbers": "piece",
    "unit": "piece",
    "units": "piece",
    "pkt": "packet",
    "pkts": "packet",
    "pack": "packet",
    "packs": "packet",
    "doz": "dozen",
    "g": "gram",
    "gm": "gram",
    "gms": "gram",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "qtl": "quintal",
    "ton": "tonne",
    "tons": "tonne",
    "mt": "tonne",
    "metric ton": "tonne",
    "metric tonne": "tonne",
    "ct": "carat",
    "l": "litre",
    "ltr": "litre",
    "ltrs": "litre",
    "liter": "litre",
    "liters": "litre",
    "m": "metre",
    "mtr": "metre",
    "mtrs": "metre",
    "meter": "metre",
    "meters": "metre",
    "sq ft": "square foot",
    "sqft": "square foot",
    "square feet": "square foot",
    "sq m": "square metre",
    "sqm": "square metre",
    "square meter": "square metre",
    "cu m": "cubic metre",
    "cbm": "cubic metre",
    "cubic meter": "cubic metre",
    "w": "watt",
}

_SPACES_AND_DOTS = re.compile(r"[\s.]+")


def _key(text: str) -> str:
    """ "Sq. Ft." -> "sq ft"; "Nos." -> "nos"."""
    return _SPACES_AND_DOTS.sub(" ", text.lower()).strip()


_READ: dict[str, str] = {
    **{unit: unit for unit in UNITS},
    **{f"{unit}s": unit for unit in UNITS},  # pieces, bags, boxs is harmless
    **{f"{unit}es": unit for unit in UNITS},  # boxes
    **{_key(label): unit for unit, label in UNITS.items()},
    **{_key(spelling): unit for spelling, unit in SPELLINGS.items()},
}


def canonical_unit(text: str) -> str | None:
    """The unit a spelling names ("Pcs" -> "piece"), or None when it names none."""
    return _READ.get(_key(text))


def check_unit(value: str) -> str:
    """A field's check: the unit its text names, or a message that lists the units."""
    unit = canonical_unit(value)
    if unit is None:
        raise Invalid(
            _(
                "must be a unit such as pcs, kg, litre or box; one of: %(units)s",
                units=", ".join(UNITS),
            )
        )
    return unit
