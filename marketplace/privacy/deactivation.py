"""Closing an account without erasing it: by its owner (signing in again reopens it), or
suspended by the officer (an objection upheld, a child's account reported).

Functions flush but never commit, unless they say so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from marketplace import audit
from marketplace.accounts import suspension
from marketplace.accounts.models import User
from marketplace.accounts.sessions import sign_out_everywhere
from marketplace.catalog.index_queue import queue_for_index
from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.privacy import clock
from marketplace.privacy.models import PrivacyRequest, RequestType
from marketplace.privacy.workflow import OPEN_STATES
from marketplace.signals import deactivated_account_signed_in


def deactivate(
    user: User, row: PrivacyRequest | None = None, *, suspended_by: User | None = None
) -> None:
    """Close the account: listings off the shelf, every session and token ended.

    Closed by its owner, signing in again undoes it (reactivate), with the listings it paused,
    which are remembered on the request. Suspended by an officer (an objection upheld, a child's
    account reported), signing in does not undo it, and integration keys stop too."""
    user.is_active_account = False
    # What sign-in reads as "deactivated by its owner", so only then is it set.
    user.deactivated_at = None if suspended_by else clock.now()
    paused: list[Product] = []
    if user.supplier is not None:
        paused = list(
            db.session.scalars(
                select(Product).where(
                    Product.supplier_id == user.supplier.id,
                    Product.status == ProductStatus.ACTIVE,
                )
            )
        )
        for product in paused:
            product.status = ProductStatus.PAUSED
            product.version = (product.version or 0) + 1
        db.session.flush()
        queue_for_index([product.id for product in paused])
    if row is not None:
        row.details = {**row.details, "paused_products": [product.id for product in paused]}
    sign_out_everywhere(user, revoke_keys=suspended_by is not None)
    if suspended_by is None:
        audit.record("account.deactivated", actor_id=user.id, subject=user, listings=len(paused))
    else:
        audit.record(
            "account.suspended", actor_id=suspended_by.id, subject=user, listings=len(paused)
        )


@deactivated_account_signed_in.connect
def _reopen_on_sign_in(user: User, **_: Any) -> None:
    """Accounts' sign-in found the right password on a closed account: reopen it if its owner
    closed it (never one an officer suspended, nor an erased one)."""
    reactivate(user)


def reactivate(user: User) -> None:
    """A deactivated (never erased) account signs in again: it is active, its listings back."""
    if user.erased_at is not None or user.deactivated_at is None:
        return
    last = db.session.scalar(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.user_id == user.id,
            PrivacyRequest.type == RequestType.DEACTIVATION,
        )
        .order_by(PrivacyRequest.id.desc())
        .limit(1)
    )
    _restore_listings(user, last)
    user.is_active_account = True
    user.deactivated_at = None
    audit.record("account.reactivated", actor_id=user.id, subject=user)


def lift_suspension(user: User, deletion: PrivacyRequest, actor: User) -> None:
    """A reported child's deletion, denied (the report was wrong): the account goes back to how
    it stood before the report. Open again, with the listings the suspension paused; closed by
    its owner, as it was (signing in reopens it); already suspended, or with another deletion
    still open (an upheld objection's), it stays closed. Its integration keys stay revoked."""
    other_deletion = db.session.scalar(
        select(PrivacyRequest.id).where(
            PrivacyRequest.user_id == user.id,
            PrivacyRequest.type == RequestType.DELETION,
            PrivacyRequest.status.in_(OPEN_STATES),
            PrivacyRequest.id != deletion.id,
        )
    )
    if user.erased_at is not None or other_deletion is not None:
        return
    before = deletion.details.get("deactivated_before")
    closed_at = datetime.fromisoformat(before) if before else None
    if not closed_at and not deletion.details.get("active_before"):
        return
    if suspension.is_suspended(user):
        # An admin suspended it since the report: it stays closed until the admin lifts that.
        _restore_listings(user, deletion)
        suspension.reopened_by_officer_while_suspended(user, closed_at)
    elif closed_at:
        user.deactivated_at = closed_at
    else:
        _restore_listings(user, deletion)
        user.is_active_account = True
    audit.record("account.reinstated", actor_id=actor.id, subject=user, request_id=deletion.id)


def _restore_listings(user: User, row: PrivacyRequest | None) -> None:
    """Put back on the shelf the listings a deactivation or suspension paused (those still
    paused: the supplier may have deleted one meanwhile)."""
    ids = list((row.details or {}).get("paused_products", [])) if row else []
    if not ids or user.supplier is None:
        return
    products = db.session.scalars(
        select(Product).where(
            Product.id.in_(ids),
            Product.supplier_id == user.supplier.id,
            Product.status == ProductStatus.PAUSED,
        )
    ).all()
    for product in products:
        product.status = ProductStatus.ACTIVE
        product.version = (product.version or 0) + 1
    db.session.flush()
    queue_for_index([product.id for product in products])
