"""Reading the fields leads share: quantities, units and dates."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from marketplace.catalog.models import UNITS
from marketplace.validation import Input, Invalid

MAX_QUANTITY = Decimal("1000000000")


def read_quantity(inp: Input, field: str, *, required: bool = False) -> Decimal | None:
    raw = inp.data.get(field)
    if raw is None or raw == "":
        if required:
            inp.fail(field, "this field is required")
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        inp.fail(field, "must be a number, e.g. 500 or 2.5")
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        inp.fail(field, "must be a number, e.g. 500 or 2.5")
        return None
    if not value.is_finite() or value <= 0:
        inp.fail(field, "must be more than zero")
    elif value > MAX_QUANTITY:
        inp.fail(field, f"must be at most {MAX_QUANTITY}")
    elif value != value.quantize(Decimal("0.001")):
        inp.fail(field, "must have at most three decimal places")
    else:
        return value
    return None


def check_unit(value: str) -> str:
    if value not in UNITS:
        raise Invalid("must be one of: " + ", ".join(UNITS))
    return value
