"""Who may do what with reviews: the one place that decides it, for the pages and the API.

- Rating a supplier takes real trade with it (reviews.eligibility): anyone else gets a 403 that
  says what would make them eligible. Nobody rates their own business.
- A review's author edits it; the supplier it is about replies, once.
- Anyone signed in may report a review to the grievance officer, who alone hides one.
- A hidden review is not found (404) except by its author, its supplier and the officer.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts import policy as accounts_policy
from marketplace.accounts.business import Right, acting_for
from marketplace.accounts.models import SupplierProfile, User
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.extensions import db
from marketplace.reviews.eligibility import trade_basis
from marketplace.reviews.models import Basis, Review

NOT_ELIGIBLE = _l(
    "You can rate a supplier after it has answered your enquiry, sent you a quotation or "
    "unlocked your buy requirement."
)


def rated_supplier(supplier_id: int) -> SupplierProfile:
    """A supplier that can be rated and whose reviews can be read: one whose account is open."""
    supplier = db.session.get(SupplierProfile, supplier_id)
    if supplier is None or not supplier.user.is_active_account:
        raise NotFound(_("No such supplier."))
    return supplier


def _own_business(user: User, supplier: SupplierProfile) -> bool:
    """The business the person owns or works for: its people cannot rate it."""
    acting = acting_for(user)
    return supplier.user_id == user.id or (acting is not None and acting.business.id == supplier.id)


def rating_basis(user: User, supplier: SupplierProfile) -> Basis:
    """The trade that lets `user` rate `supplier`; a 403 saying what it takes otherwise."""
    if _own_business(user, supplier):
        raise Forbidden(_("You cannot rate your own business."))
    basis = trade_basis(user.id, supplier.id)
    if basis is None:
        raise Forbidden(str(NOT_ELIGIBLE))
    return basis


def can_rate(user: User | None, supplier: SupplierProfile) -> bool:
    """Whether the page offers the rating form (the rules ask rating_basis again)."""
    if user is None or not user.is_authenticated or _own_business(user, supplier):
        return False
    return trade_basis(user.id, supplier.id) is not None


def can_see(user: User | None, review: Review) -> bool:
    if review.visible:
        return True
    if user is None or not user.is_authenticated:
        return False
    return (
        review.author_id == user.id
        or review.supplier.user_id == user.id
        or accounts_policy.is_officer(user)
    )


def seen_review(user: User | None, review_id: int) -> Review:
    """A review the caller may see; a hidden one is not found by the public."""
    review = db.session.get(Review, review_id)
    if review is None or not can_see(user, review):
        raise NotFound(_("No such review."))
    return review


def reply_target(user: User, review_id: int) -> Review:
    """A review of the caller's own business, which it may answer."""
    review = seen_review(user, review_id)
    # A reply speaks in public for the whole business: the owner and managers, not sales.
    business = accounts_policy.business_of(user, _l("reply to reviews"), Right.ALL_LEADS)
    if review.supplier_id != business.id:
        raise Forbidden(_("Only the supplier a review is about can reply to it."))
    return review


def report_target(user: User, review_id: int) -> Review:
    """Anyone signed in may report a review they can see, except its author (who edits it)."""
    review = seen_review(user, review_id)
    if review.author_id == user.id:
        raise Conflict(_("This is your own review: edit it instead of reporting it."))
    return review


def can_moderate(user: User | None) -> bool:
    return accounts_policy.is_officer(user)


def moderated_review(user: User, review_id: int) -> Review:
    """The officer's view of any review, hidden or not; a 403 for anyone else."""
    if not can_moderate(user):
        raise Forbidden(_("Only the grievance officer can hide reviews."))
    review = db.session.get(Review, review_id)
    if review is None:
        raise NotFound(_("No such review."))
    return review
