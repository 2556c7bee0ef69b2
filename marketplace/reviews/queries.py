"""Reading reviews: a supplier's shown reviews, newest first, and a person's own (the export)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.db import paginate
from marketplace.extensions import db
from marketplace.reviews.models import Review, ReviewReport


def supplier_reviews(supplier_id: int, *, page: int, per_page: int) -> tuple[list[Review], int]:
    statement = (
        select(Review)
        .options(joinedload(Review.author))
        .where(Review.supplier_id == supplier_id, Review.hidden_at.is_(None))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    return paginate(statement, page=page, per_page=per_page)


def written_by(user: User) -> list[dict[str, Any]]:
    """The reviews a person wrote, as their access export lists them."""
    rows = db.session.scalars(
        select(Review)
        .options(joinedload(Review.supplier))
        .where(Review.author_id == user.id)
        .order_by(Review.id)
    )
    return [
        {
            "id": review.id,
            "supplier": review.supplier.company_name,
            "rating": review.rating,
            "text": review.text,
            "written_at": review.created_at,
            "updated_at": review.updated_at,
            "hidden_reason": review.hidden_reason,
        }
        for review in rows
    ]


def replies_by(user: User) -> list[dict[str, Any]]:
    """A supplier's replies to reviews of its business (its own words)."""
    if user.supplier is None:
        return []
    rows = db.session.scalars(
        select(Review)
        .where(Review.supplier_id == user.supplier.id, Review.reply_text.is_not(None))
        .order_by(Review.id)
    )
    return [
        {"review_id": review.id, "text": review.reply_text, "replied_at": review.replied_at}
        for review in rows
    ]


def reports_by(user: User) -> list[dict[str, Any]]:
    """The reports a person made, with what became of them."""
    rows = db.session.scalars(
        select(ReviewReport).where(ReviewReport.reporter_id == user.id).order_by(ReviewReport.id)
    )
    return [
        {
            "review_id": report.review_id,
            "reason": report.reason,
            "reported_at": report.created_at,
            "outcome": report.outcome.value if report.outcome else None,
        }
        for report in rows
    ]
