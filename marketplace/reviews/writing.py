"""Writing reviews: a buyer's rating (a second one replaces the first) and the supplier's one
reply. The only code, with reviews.moderation and reviews.erasure, that changes reviews.

A change to what the public average counts tells the catalogue (signals.supplier_changed), which
re-indexes the supplier's products so a search sorted by rating follows it."""

from __future__ import annotations

from sqlalchemy import select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.reviews import policy
from marketplace.reviews.inputs import ReplyIn, ReviewIn
from marketplace.reviews.models import Review
from marketplace.signals import supplier_changed


def own_review(user: User, supplier_id: int) -> Review | None:
    """The caller's review of this supplier, if it wrote one."""
    return db.session.scalar(
        select(Review).where(Review.supplier_id == supplier_id, Review.author_id == user.id)
    )


def rate_supplier(user: User, supplier_id: int, given: ReviewIn) -> tuple[Review, bool]:
    """Rate a supplier after real trade with it. A second rating replaces the first (its text
    too) and keeps the supplier's reply. Returns the review and whether it is new."""
    supplier = policy.rated_supplier(supplier_id)
    basis = policy.rating_basis(user, supplier)
    review = own_review(user, supplier.id)
    created = review is None
    if review is None:
        review = Review(supplier_id=supplier.id, author_id=user.id)
        db.session.add(review)
    review.rating = given.rating
    review.text = given.text or ""
    review.basis = basis
    review.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "review.written" if created else "review.edited",
        actor_id=user.id,
        subject=review,
        supplier_id=supplier.id,
        rating=review.rating,
    )
    if review.visible:
        supplier_changed.send(supplier.id)
    return review, created


def reply_to_review(user: User, review_id: int, given: ReplyIn) -> Review:
    """The supplier answers a review of its business, once: the reply cannot be rewritten, so
    a buyer's review is never answered by a moving target."""
    review = policy.reply_target(user, review_id)
    if review.reply_text is not None:
        raise Conflict("This review already has your reply; a review is answered once.")
    review.reply_text = given.text
    review.replied_at = utcnow()
    db.session.flush()
    audit.record("review.replied", actor_id=user.id, subject=review)
    return review
