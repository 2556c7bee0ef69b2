"""An admin suspends an account (fraud, abuse, a court's order) and lifts the suspension: the
rules, one place, for the admin's page and for any other caller.

A suspended account cannot sign in (its password answers as a wrong one, as for a closed
account), its sessions and session tokens end at once, and its integration keys stop working
while it lasts (they are refused, not revoked, so lifting the suspension brings them back). A
supplier's listings leave search and its team cannot act for it. Both steps name a reason and
are audited. Functions flush but never commit.

Lifting restores how the account stood when it was suspended (open; closed by its owner, who
reopens it by signing in; closed by the grievance officer; a member removed from a team), never
more: a team's removal or an officer's upheld objection during the suspension keeps it closed,
and while the officer's deletion of the account is open the suspension is not lifted at all.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select

from marketplace import audit
from marketplace.accounts import policy
from marketplace.accounts.models import User
from marketplace.accounts.sessions import sign_out_everywhere
from marketplace.accounts.team_models import TeamMember
from marketplace.db import utcnow
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.privacy.workflow import open_deletion
from marketplace.signals import supplier_changed

REASON_MIN, REASON_MAX = 5, 300


class Before(enum.StrEnum):
    """How an account stood when it was suspended: what lifting the suspension gives back."""

    ACTIVE = "active"
    CLOSED_BY_OWNER = "closed_by_owner"  # signing in reopens it, as before the suspension
    CLOSED_BY_OFFICER = "closed_by_officer"  # an objection upheld, a child's account reported
    REMOVED_FROM_TEAM = "removed_from_team"


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationFailed({"reason": [f"say why, in at least {REASON_MIN} characters"]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [f"must be at most {REASON_MAX} characters"]})
    return reason


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound("No such account.")
    return user


def is_suspended(user: User) -> bool:
    return user.suspended_at is not None


def _membership(user: User) -> TeamMember | None:
    return db.session.scalar(select(TeamMember).where(TeamMember.user_id == user.id))


def _standing(user: User) -> Before:
    """How the account stands now; each closed state is told apart by the columns that set it:
    the owner's deactivation sets deactivated_at, a team's removal its member row's removed_at,
    and the officer's closing neither."""
    if user.is_active_account:
        return Before.ACTIVE
    if user.deactivated_at is not None:
        return Before.CLOSED_BY_OWNER
    member = _membership(user)
    if member is not None and member.removed_at is not None:
        return Before.REMOVED_FROM_TEAM
    if member is not None and member.joined_at is None:
        # The invitation's link would open the account whatever a suspension says.
        raise Conflict("This person has not joined the team yet: the team withdraws the invite.")
    return Before.CLOSED_BY_OFFICER


def suspend(admin: User, user_id: int, reason: str | None) -> User:
    policy.require_user_admin(admin)
    user = _account(user_id)
    if user.id == admin.id:
        raise Conflict("You cannot suspend your own account.")
    if is_suspended(user):
        raise Conflict("This account is suspended already.")
    before = _standing(user)
    why = _reason(reason)
    user.suspended_at, user.suspended_reason, user.suspended_by_id = utcnow(), why, admin.id
    user.suspended_from, user.deactivated_before_suspension = before, user.deactivated_at
    user.is_active_account = False
    # Signing in reopens an account its owner closed; never a suspended one.
    user.deactivated_at = None
    ended = sign_out_everywhere(user, revoke_keys=False)
    if user.supplier is not None:
        supplier_changed.send(user.supplier.id)
    audit.record(
        "account.suspended",
        actor_id=admin.id,
        subject=user,
        reason=why,
        closed_by_owner=before == Before.CLOSED_BY_OWNER,
        before=str(before),
        **ended,
    )
    db.session.flush()
    return user


def restores(user: User) -> Before:
    """What lifting the suspension gives back: the state recorded at suspension, unless the
    team removed the member since. A suspension recorded before its state was (an older row)
    lifts to an open account."""
    member = _membership(user)
    if member is not None and member.removed_at is not None:
        return Before.REMOVED_FROM_TEAM
    return Before(user.suspended_from or Before.ACTIVE)


def _restore(user: User) -> Before:
    before = restores(user)
    user.is_active_account = before == Before.ACTIVE
    user.deactivated_at = (
        user.deactivated_before_suspension if before == Before.CLOSED_BY_OWNER else None
    )
    return before


def lift(admin: User, user_id: int, reason: str | None) -> User:
    policy.require_user_admin(admin)
    user = _account(user_id)
    if not is_suspended(user):
        raise Conflict("This account is not suspended.")
    if (deletion := open_deletion(user.id)) is not None:
        raise Conflict(
            f"The grievance officer's deletion of this account (request #{deletion.id}) is "
            "still open: the suspension stays until the officer decides it."
        )
    why = _reason(reason)
    before = _restore(user)
    user.suspended_at = user.suspended_reason = user.suspended_by_id = None
    user.suspended_from = user.deactivated_before_suspension = None
    if user.supplier is not None:
        supplier_changed.send(user.supplier.id)
    audit.record(
        "account.unsuspended", actor_id=admin.id, subject=user, reason=why, restored=str(before)
    )
    db.session.flush()
    return user


def closed_by_officer_while_suspended(user: User) -> None:
    """The officer closed a suspended account (an objection upheld): lifting keeps it closed."""
    if is_suspended(user):
        user.suspended_from, user.deactivated_before_suspension = Before.CLOSED_BY_OFFICER, None


def reopened_by_officer_while_suspended(user: User, deactivated_at: datetime | None) -> None:
    """The officer undid their closing of a suspended account (a child report found wrong):
    lifting gives back how it stood before that closing (open, or closed by its owner)."""
    if is_suspended(user):
        owner_closed = deactivated_at is not None
        user.suspended_from = Before.CLOSED_BY_OWNER if owner_closed else Before.ACTIVE
        user.deactivated_before_suspension = deactivated_at
