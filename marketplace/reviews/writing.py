"""Writing reviews: a buyer's rating (a second one replaces the first) and the supplier's one
reply. The only code, with reviews.moderation and reviews.erasure, that changes reviews.

A change to what the public average counts tells the catalogue (signals.supplier_changed), which
re-indexes the supplier's products so a search sorted by rating follows it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.reviews import policy
from marketplace.reviews.inputs import ReplyIn, ReviewIn
from marketplace.reviews.models import Basis, Review
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
    created = False
    if review is None:
        review, created = _first_review(user, supplier.id, given, basis)
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


def _first_review(
    user: User, supplier_id: int, given: ReviewIn, basis: Basis
) -> tuple[Review, bool]:
    """A new review, or, when a double submit wrote it a moment ago, that one (one per buyer
    and supplier is a unique constraint): the second submit edits it rather than failing."""
    try:
        with db.session.begin_nested():
            review = Review(
                supplier_id=supplier_id,
                author_id=user.id,
                rating=given.rating,
                text=given.text or "",
                basis=basis,
            )
            db.session.add(review)
        return review, True
    except IntegrityError:
        existing = own_review(user, supplier_id)
        assert existing is not None, "the unique constraint named this buyer's review"
        return existing, False


def reply_to_review(user: User, review_id: int, given: ReplyIn) -> Review:
    """The supplier answers a review of its business, once: the reply cannot be rewritten, so
    a buyer's review is never answered by a moving target."""
    review = policy.reply_target(user, review_id)
    # Taken by a conditional UPDATE: two people of the business answering at once leave one
    # reply, never the later one over the earlier.
    answered = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.reply_text.is_(None))
        .values(reply_text=given.text, replied_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not answered:
        raise Conflict(_("This review already has your reply; a review is answered once."))
    db.session.refresh(review)
    audit.record("review.replied", actor_id=user.id, subject=review)
    return review
