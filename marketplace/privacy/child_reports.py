"""Accounts reported as a child's: suspended at once, erased once the officer confirms.

Functions flush but never commit, unless they say so.
"""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.legal_rules import ADULT_AGE
from marketplace.privacy import policy
from marketplace.privacy.deactivation import deactivate
from marketplace.privacy.deletion import open_system_deletion
from marketplace.privacy.inputs import MinorReportIn
from marketplace.privacy.models import PrivacyRequest


def report_minor(actor: User, body: MinorReportIn) -> PrivacyRequest:
    """An account reported as a child's is suspended at once (no sign-in reactivates it) and a
    deletion request opens for the officer to confirm; denying it lifts the suspension."""
    policy.require_handle_requests(actor)
    reason = body.reason
    user = db.session.get(User, body.user_id)
    if user is None or user.erased_at is not None:
        raise NotFound(_("No such account."))
    deletion = open_system_deletion(
        user, f"reported as under {ADULT_AGE}: {reason}", approved=False
    )
    # A denial says the report was wrong: the account then goes back to how it stands now.
    deletion.details = {
        **deletion.details,
        "lift_if_denied": True,
        "active_before": user.is_active_account,
        "deactivated_before": iso_utc(user.deactivated_at),
    }
    deactivate(user, deletion, suspended_by=actor)
    audit.record("privacy.minor_reported", actor_id=actor.id, subject=user)
    return deletion
