"""Appeals: the complainant's step against a decision, within the appeal window, and the clock
the appeal is decided on."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.grievances import moments
from marketplace.grievances.history import add_event
from marketplace.grievances.inputs import AppealIn
from marketplace.grievances.models import DECIDED_STATUSES, EventKind, Grievance, Status
from marketplace.grievances.queries import officers, own_grievance
from marketplace.legal_clocks import clock
from marketplace.notifications import absolute_url, send_email


def appeal_by(grievance: Grievance) -> datetime | None:
    """The last day to appeal a decision (and to go to the Grievance Appellate Committee)."""
    if grievance.resolved_at is None or grievance.status not in DECIDED_STATUSES:
        return None
    return clock("appeal_window").due(grievance.resolved_at)


def appeal(
    user: User, grievance_id: int, body: AppealIn, *, now: datetime | None = None
) -> Grievance:
    """The complainant appeals a decision, within the appeal window."""
    now = moments.given_or_now(now)
    grievance = own_grievance(user, grievance_id)
    reason = body.reason
    if grievance.status not in DECIDED_STATUSES:
        raise Conflict(_("Only a resolved or rejected complaint can be appealed."))
    deadline = appeal_by(grievance)
    if deadline is not None and now > deadline:
        raise Conflict(
            _(
                "The %(period)s to appeal this decision have passed.",
                period=clock("appeal_window").period,
            )
        )
    previous = grievance.status
    grievance.status = Status.APPEALED
    grievance.appealed_at = now
    grievance.updated_at = now
    add_event(
        grievance=grievance,
        kind=EventKind.APPEAL,
        actor_id=user.id,
        status_from=previous,
        status_to=Status.APPEALED,
        text=reason,
        public=True,
        created_at=now,
    )
    audit.record(
        "grievance.appealed", actor_id=user.id, subject=grievance, reference=grievance.reference
    )
    recipients = [grievance.assigned_to] if grievance.assigned_to else officers()
    for officer in recipients:
        # Written in the officer's language, not the complainant's (whose request sends it).
        send_email(
            officer.email,
            _l("Appeal on %(reference)s", reference=grievance.reference),
            "grievance_appeal",
            language=officer.language,
            officer=officer,
            grievance=grievance,
            reason=reason,
            url=absolute_url("grievances.desk_grievance", grievance_id=grievance.id),
        )
    db.session.flush()
    return grievance


def appeal_resolve_by(grievance: Grievance) -> datetime | None:
    """An appeal is decided on the same clock as a new complaint, from the appeal."""
    if grievance.status != Status.APPEALED or grievance.appealed_at is None:
        return None
    return clock("grievance_resolve").due(grievance.appealed_at)
