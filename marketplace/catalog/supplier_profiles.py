"""A supplier's public profile: what its storefront shows, for anyone, as one answer: the
business, what was checked of its GST registration and when, how it answers enquiries, and
what buyers rated it."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import url_for
from pydantic import Field
from typing_extensions import TypedDict

from marketplace.accounts import gst_receipts
from marketplace.accounts.models import SupplierProfile
from marketplace.accounts.schemas import (
    BusinessPhotoView,
    BusinessProfile,
    business_photo,
    business_profile,
)
from marketplace.catalog.schemas import supplier_url
from marketplace.catalog.services import public_supplier, supplier_products
from marketplace.fields import MaybeTimestamp, Timestamp
from marketplace.leads.response_times import (
    MIN_ENQUIRIES,
    WINDOW,
    ResponseFigures,
    supplier_response_figures,
)
from marketplace.reviews.ratings import supplier_ratings
from marketplace.reviews.schemas import Rating, rating


class Address(TypedDict):
    line1: str
    city: str
    state: str
    pincode: str


class GstCheck(TypedDict):
    status: Annotated[
        Literal["pending", "verified", "rejected"],
        Field(description="what the GST registry said of the GSTIN: pending is not yet asked"),
    ]
    checked_at: Annotated[
        MaybeTimestamp, Field(description="when the registry last confirmed it; null if never")
    ]
    source: Annotated[
        str | None, Field(description="who confirmed it: the GST registry; null if never")
    ]
    matches: Annotated[
        dict[str, bool],
        Field(
            description="each registered detail (name, state, pincode) compared with the "
            "registry's answer in the latest check; empty before a check with an answer"
        ),
    ]
    badge: Annotated[
        str | None,
        Field(
            description="the badge's words, e.g. \"GSTIN active, legal name, state and PIN "
            'match, checked 03 Dec 2026"; null without a verified badge'
        ),
    ]
    receipt_url: Annotated[str, Field(description="the public page of the registry's receipts")]


class Verification(TypedDict):
    gst: GstCheck


_RATE = (
    f"the share of enquiries of the last {WINDOW.days} days answered within 24 hours, 0 to 1 "
    f"(an answer: a message, a quotation, or marking the enquiry spam); null with fewer than "
    f"{MIN_ENQUIRIES} enquiries"
)
_MEDIAN = (
    "the median minutes from an enquiry to the first answer, an unanswered enquiry counting as "
    "never: null when fewer than half are answered, or with too few enquiries"
)


class SupplierProfileView(BusinessProfile):
    """A supplier, as anyone may see it (its storefront)."""

    id: int
    company_name: str
    gstin: str
    address: Address
    url: Annotated[str, Field(description="the storefront page")]
    member_since: Timestamp
    products: Annotated[int, Field(description="listed products")]
    photos: list[BusinessPhotoView]
    verification: Verification
    response_rate_30d: Annotated[float | None, Field(ge=0, le=1, description=_RATE)]
    median_first_response_minutes: Annotated[int | None, Field(description=_MEDIAN)]
    rating: Annotated[
        Rating | None,
        Field(description="from ratings earned by real trade; null until a buyer has rated it"),
    ]


def gst_check(supplier: SupplierProfile) -> GstCheck:
    """The verification as the registry's receipts tell it (marketplace.accounts.gst_receipts)."""
    badge = gst_receipts.badge_receipt(supplier)
    latest = gst_receipts.history(supplier.id, limit=1)
    answered = latest and latest[0].legal_name is not None
    manual = "an administrator" if supplier.gst_verified and not badge else None
    return {
        "status": str(supplier.gst_verification),  # type: ignore[typeddict-item]
        # A badge set by hand (an admin's override, no receipt) still says when.
        "checked_at": badge.checked_at if badge else supplier.gst_verified_at,
        "source": "the GST registry" if badge else manual,
        "matches": {
            detail: detail not in (latest[0].mismatches or [])
            for detail in ("name", "state", "pincode")
        }
        if answered
        else {},
        "badge": gst_receipts.badge_text(badge) if badge else None,
        "receipt_url": url_for("gst.receipt", supplier_id=supplier.id),
    }


def _profile(
    supplier: SupplierProfile, products: int, figures: ResponseFigures, rating: Rating | None
) -> SupplierProfileView:
    return {
        **business_profile(supplier),
        "id": supplier.id,
        "company_name": supplier.company_name,
        "gstin": supplier.gstin,
        "address": {
            "line1": supplier.address_line1,
            "city": supplier.city,
            "state": supplier.state,
            "pincode": supplier.pincode,
        },
        "url": supplier_url(supplier.id, supplier.company_name),
        "member_since": supplier.created_at,
        "products": products,
        "photos": [business_photo(photo) for photo in supplier.photos],
        "verification": {"gst": gst_check(supplier)},
        "response_rate_30d": figures.rate,
        "median_first_response_minutes": figures.median,
        "rating": rating,
    }


def supplier_profile(supplier_id: int) -> SupplierProfileView:
    """A listed supplier's profile; NotFound for a closed account, as its storefront."""
    supplier = public_supplier(supplier_id)
    _, products = supplier_products(supplier.id, per_page=1)
    summary = supplier_ratings([supplier.id])[supplier.id]
    shown = rating(summary) if summary.count else None
    return _profile(supplier, products, supplier_response_figures(supplier.id), shown)
