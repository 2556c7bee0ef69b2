"""Legal holds: while one is on an account, its erasure waits (paused).

Functions flush but never commit, unless they say so.
"""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.privacy import clock, policy
from marketplace.privacy.models import LegalHold


def place_hold(actor: User, subject_id: int, reason: str) -> LegalHold:
    policy.require_handle_requests(actor)
    if not reason or not reason.strip():
        raise ValidationFailed({"reason": [_("a legal hold needs its reason")]})
    if db.session.get(User, subject_id) is None:
        raise NotFound(_("No such account."))
    hold = LegalHold(subject_id=subject_id, reason=reason.strip()[:300], placed_by_id=actor.id)
    db.session.add(hold)
    db.session.flush()
    audit.record("privacy.hold_placed", actor_id=actor.id, subject=hold)
    return hold


def release_hold(actor: User, hold_id: int) -> LegalHold:
    policy.require_handle_requests(actor)
    hold = db.session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(_("No such hold."))
    hold.released_at = clock.now()
    audit.record("privacy.hold_released", actor_id=actor.id, subject=hold)
    return hold
