"""Trade details of a listing: the HSN code, the GST rate, price slabs and the terms of sale.

The GST rates are one table, with its source, so that a change of the slabs is one edit here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from marketplace.validation import Invalid, refuse_field

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
        raise Invalid(_("an HSN code has 4, 6 or 8 digits"))
    if code.startswith("00"):
        raise Invalid(_("no HSN chapter starts with 00"))
    return code


def check_gst_rate(value: str) -> Decimal:
    try:
        rate = Decimal(value.strip().rstrip("%"))
    except ArithmeticError:
        rate = None
    if rate is None or not rate.is_finite() or rate not in GST_SLABS:
        slabs = ", ".join(gst_label(slab) for slab in GST_SLABS)
        raise Invalid(_("must be a current GST slab: %(slabs)s", slabs=slabs))
    return rate.quantize(Decimal("0.01"))


def check_slabs_against(slabs: list[dict[str, Any]] | None, moq: int | None) -> None:
    """A slab below the minimum order could never be bought at."""
    if slabs and moq and slabs[0]["min_quantity"] < moq:
        refuse_field("price_slabs", f"the first slab starts below the minimum order ({moq})")
