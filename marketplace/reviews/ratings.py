"""A supplier's rating as the public sees it: the average and count of its shown reviews, and
how many gave each number of stars. Computed from the reviews each time (one grouped query): a
summary kept beside them could drift, and a supplier has tens of reviews, not millions.

Public functions for other domains: `supplier_ratings` (the public profile, search results) and
`rating_figures` (the search documents, in catalog.indexing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, cast, func, select

from marketplace.extensions import db
from marketplace.reviews.models import Review

STARS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class RatingSummary:
    average: float | None  # None while nobody has rated; rounded to one decimal
    count: int
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(STARS, 0))


NO_RATING = RatingSummary(None, 0)


def _shown() -> Any:
    return Review.hidden_at.is_(None)


def rating_figures() -> Any:
    """A subquery of (supplier_id, rating_average, rating_count) over shown reviews, for a
    statement to outer-join on the supplier (suppliers nobody rated have no row)."""
    return (
        select(
            Review.supplier_id.label("supplier_id"),
            cast(func.avg(Review.rating), Float).label("rating_average"),
            func.count(Review.id).label("rating_count"),
        )
        .where(_shown())
        .group_by(Review.supplier_id)
        .subquery("supplier_rating")
    )


def supplier_ratings(supplier_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """{supplier id: its average and count}, for every id given, in one query."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Review.supplier_id, func.avg(Review.rating), func.count(Review.id))
        .where(_shown(), Review.supplier_id.in_(ids))
        .group_by(Review.supplier_id)
    ).all()
    found = {row[0]: RatingSummary(round(float(row[1]), 1), row[2]) for row in rows}
    return {supplier_id: found.get(supplier_id, NO_RATING) for supplier_id in ids}


def rating_with_distribution(supplier_id: int) -> RatingSummary:
    """The average, the count and how many reviews gave each number of stars."""
    rows = db.session.execute(
        select(Review.rating, func.count(Review.id))
        .where(_shown(), Review.supplier_id == supplier_id)
        .group_by(Review.rating)
    ).all()
    distribution = dict.fromkeys(STARS, 0) | {row[0]: row[1] for row in rows}
    count = sum(distribution.values())
    if not count:
        return NO_RATING
    average = sum(stars * n for stars, n in distribution.items()) / count
    return RatingSummary(round(average, 1), count, distribution)
