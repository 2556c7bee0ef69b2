"""What each audience sees of reviews: the public (a page of reviews with the rating), the
author (its own review, with why it was hidden) and the officer (with the open reports)."""

from __future__ import annotations

from typing import Annotated

from flask_babel import lazy_gettext as _l
from pydantic import Field
from typing_extensions import TypedDict  # pydantic reads typing's own only from 3.12

from marketplace.fields import MaybeTimestamp, Timestamp
from marketplace.reviews.models import Basis, Review
from marketplace.reviews.ratings import RatingSummary

BASIS_LABELS = {
    Basis.QUOTATION: _l("Received a quotation from this supplier"),
    Basis.ANSWERED_ENQUIRY: _l("Enquired and was answered by this supplier"),
    Basis.BUYLEAD: _l("This supplier took up their buy requirement"),
}
FORMER_BUYER = _l("A former buyer")


def author_name(review: Review) -> str:
    """'Farida N.': a first name and an initial, enough to tell reviews apart."""
    if review.author is None:
        return str(FORMER_BUYER)
    first, *rest = review.author.name.split()
    return f"{first} {rest[-1][0]}." if rest else first


class Rating(TypedDict):
    """A supplier's rating over its shown reviews."""

    average: Annotated[float | None, Field(description="1 to 5, one decimal; null: no rating")]
    count: int


class RatingWithDistribution(Rating):
    distribution: Annotated[
        dict[str, int], Field(description="how many reviews gave each number of stars, '1'..'5'")
    ]


class Reply(TypedDict):
    text: str
    replied_at: Timestamp


class ReviewView(TypedDict):
    """A review as anyone reads it."""

    id: int
    supplier_id: int
    rating: Annotated[int, Field(ge=1, le=5)]
    text: str
    author: str
    basis: Annotated[str, Field(json_schema_extra={"enum": [str(b) for b in Basis]})]
    basis_label: str
    created_at: Timestamp
    updated_at: Timestamp
    reply: Reply | None


class OwnReview(ReviewView):
    """A review as its author sees it: also whether, and why, the officer hid it."""

    hidden_at: MaybeTimestamp
    hidden_reason: str | None


class ReviewPage(TypedDict):
    """One page of a supplier's shown reviews, newest first, with its rating."""

    items: list[ReviewView]
    total: int
    page: int
    per_page: int
    rating: RatingWithDistribution


class ReportCreated(TypedDict):
    id: int
    review_id: int
    reported_at: Timestamp


def rating(summary: RatingSummary) -> Rating:
    return {"average": summary.average, "count": summary.count}


def rating_with_distribution(summary: RatingSummary) -> RatingWithDistribution:
    distribution = {str(stars): count for stars, count in summary.distribution.items()}
    return {"average": summary.average, "count": summary.count, "distribution": distribution}


def public(review: Review) -> ReviewView:
    reply = None
    if review.reply_text is not None and review.replied_at is not None:
        reply = {"text": review.reply_text, "replied_at": review.replied_at}
    return {
        "id": review.id,
        "supplier_id": review.supplier_id,
        "rating": review.rating,
        "text": review.text,
        "author": author_name(review),
        "basis": str(review.basis),
        "basis_label": str(BASIS_LABELS[review.basis]),
        "created_at": review.created_at,
        "updated_at": review.updated_at,
        "reply": reply,
    }


def own(review: Review) -> OwnReview:
    return {
        **public(review),
        "hidden_at": review.hidden_at,
        "hidden_reason": review.hidden_reason,
    }
