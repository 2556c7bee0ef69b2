"""Trade details of a listing: the HSN code, the GST rate, price slabs and the terms of sale.

The GST rates are one table, with its source, so that a change of the slabs is one edit here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marketplace.validation import Input, Invalid

# The GST rates in force (CGST + SGST, or IGST), from the GST Council's 56th meeting,
# effective 22 September 2025 (Notification No. 9/2025-Central Tax (Rate)): the 12% and 28%
# slabs were folded into 5% and 18%, with 40% for luxury and sin goods. 0.25%, 1.5% and 3%
# remain for rough diamonds, cut and polished stones, and gold, silver and jewellery.
GST_SLABS: tuple[Decimal, ...] = tuple(
    Decimal(rate) for rate in ("0", "0.25", "1.5", "3", "5", "18", "40")
)
GST_SLAB_SOURCE = "GST Council, 56th meeting; Notification No. 9/2025-Central Tax (Rate)"

MAX_SLABS = 8
# HSN codes: 4 digits (chapter heading), 6 (the international HS subheading) or 8 (India's tariff
# item). A turnover above 5 crore must print 6 digits on an invoice; exporters use 8.
_HSN = re.compile(r"^(?:[0-9]{4}|[0-9]{6}|[0-9]{8})$")

TRADE_FIELDS = (
    "hsn_code",
    "gst_rate",
    "price_includes_gst",
    "price_slabs",
    "brand",
    "delivery_time",
    "payment_terms",
)


def gst_label(rate: Decimal) -> str:
    """Decimal('18.00') -> '18', Decimal('0.25') -> '0.25'."""
    return f"{rate.normalize():f}"


def check_hsn(value: str) -> str:
    code = value.replace(" ", "")
    if not _HSN.match(code):
        raise Invalid("an HSN code has 4, 6 or 8 digits")
    if code.startswith("00"):
        raise Invalid("no HSN chapter starts with 00")
    return code


def check_gst_rate(value: str) -> Decimal:
    try:
        rate = Decimal(value.strip().rstrip("%"))
    except ArithmeticError:
        rate = None
    if rate is None or not rate.is_finite() or rate not in GST_SLABS:
        slabs = ", ".join(gst_label(slab) for slab in GST_SLABS)
        raise Invalid(f"must be a current GST slab: {slabs}")
    return rate.quantize(Decimal("0.01"))


def _gst_rate(inp: Input) -> Decimal | None:
    raw = inp.data.get("gst_rate")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        inp.fail("gst_rate", 'must be a GST slab as a decimal string, e.g. "18"')
        return None
    try:
        return check_gst_rate(raw)
    except Invalid as error:
        inp.fail("gst_rate", str(error))
        return None


def _slabs(inp: Input) -> list[dict[str, Any]] | None:
    raw = inp.data.get("price_slabs")
    if raw is None or raw == "":
        return []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        inp.fail("price_slabs", 'must be a list of {"min_quantity", "price"}')
        return None
    if len(raw) > MAX_SLABS:
        inp.fail("price_slabs", f"at most {MAX_SLABS} price slabs")
        return None
    slabs: list[dict[str, Any]] = []
    before = sum(map(len, inp.errors.errors.values()))
    for n, item in enumerate(raw):
        row = Input(item, inp.errors, prefix=f"{inp.name('price_slabs')}.{n}.")
        for key in item:
            if key not in ("min_quantity", "price"):
                row.fail(key, "this field cannot be set here")
        quantity = row.integer("min_quantity", minimum=1, maximum=10_000_000)
        price = row.money("price")
        if price is not None and price <= 0:
            row.fail("price", "must be more than zero")
        if quantity is not None and slabs and quantity <= slabs[-1]["min_quantity"]:
            row.fail("min_quantity", "must be more than the slab before it")
        if quantity is not None and price is not None:
            slabs.append({"min_quantity": quantity, "price": f"{price:.2f}"})
    return slabs if sum(map(len, inp.errors.errors.values())) == before else None


def read_trade_details(inp: Input, wanted: Any) -> dict[str, Any]:
    """The trade details in `inp` (those `wanted`), checked; errors are recorded in `inp`."""
    values: dict[str, Any] = {}
    if wanted("hsn_code"):
        values["hsn_code"] = inp.text("hsn_code", required=False, max_length=12, check=check_hsn)
    if wanted("gst_rate"):
        values["gst_rate"] = _gst_rate(inp)
    if wanted("price_includes_gst"):
        values["price_includes_gst"] = inp.boolean("price_includes_gst")
    if wanted("price_slabs"):
        values["price_slabs"] = _slabs(inp)
    for field, limit in (("brand", 100), ("delivery_time", 100), ("payment_terms", 200)):
        if wanted(field):
            values[field] = inp.text(field, required=False, max_length=limit)
    return values


def check_slabs_against(inp: Input, slabs: list[dict[str, Any]] | None, moq: int | None) -> None:
    """A slab below the minimum order could never be bought at."""
    if slabs and moq and slabs[0]["min_quantity"] < moq:
        inp.fail("price_slabs", f"the first slab starts below the minimum order ({moq})")
