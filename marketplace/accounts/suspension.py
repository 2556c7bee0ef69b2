"""An admin suspends an account (fraud, abuse, a court's order) and lifts the suspension: the
rules, one place, for the admin's page and for any other caller.

A suspended account cannot sign in (its password answers as a wrong one, as for a closed
account), its sessions and session tokens end at once, and its integration keys stop working
while it lasts (they are refused, not revoked, so lifting the suspension brings them back). A
supplier's listings leave search and its team cannot act for it. Both steps name a reason and
are audited. Functions flush but never commit.
"""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace import audit
from marketplace.accounts import policy
from marketplace.accounts.models import User
from marketplace.accounts.sessions import sign_out_everywhere
from marketplace.db import utcnow
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.signals import supplier_changed

REASON_MIN, REASON_MAX = 5, 300


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationFailed(
            {"reason": [_("say why, in at least %(count)s characters", count=REASON_MIN)]}
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            {"reason": [_("must be at most %(count)s characters", count=REASON_MAX)]}
        )
    return reason


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound(_("No such account."))
    return user


def is_suspended(user: User) -> bool:
    return user.suspended_at is not None


def suspend(admin: User, user_id: int, reason: str | None) -> User:
    policy.require_user_admin(admin)
    user = _account(user_id)
    if user.id == admin.id:
        raise Conflict(_("You cannot suspend your own account."))
    if is_suspended(user):
        raise Conflict(_("This account is suspended already."))
    if not user.is_active_account and user.deactivated_at is None:
        # Closed by the grievance officer, or an invited team member not yet joined: lifting
        # a suspension here would open what another rule keeps closed.
        raise Conflict(_("This account is closed already, by the grievance officer or its team."))
    why = _reason(reason)
    closed_by_owner = user.deactivated_at is not None
    user.suspended_at, user.suspended_reason, user.suspended_by_id = utcnow(), why, admin.id
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
        closed_by_owner=closed_by_owner,
        **ended,
    )
    db.session.flush()
    return user


def lift(admin: User, user_id: int, reason: str | None) -> User:
    policy.require_user_admin(admin)
    user = _account(user_id)
    if not is_suspended(user):
        raise Conflict(_("This account is not suspended."))
    why = _reason(reason)
    user.suspended_at = user.suspended_reason = user.suspended_by_id = None
    user.is_active_account = True
    if user.supplier is not None:
        supplier_changed.send(user.supplier.id)
    audit.record("account.unsuspended", actor_id=admin.id, subject=user, reason=why)
    db.session.flush()
    return user
