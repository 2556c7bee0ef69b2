"""The officer's work on a complaint: moving its status, replying to the complainant, internal
notes and assignment."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.errors import FieldErrors
from marketplace.extensions import db
from marketplace.grievances import moments, policy
from marketplace.grievances.history import add_event
from marketplace.grievances.inputs import GrievanceChange
from marketplace.grievances.models import (
    DECIDED_STATUSES,
    STATUS_LABELS,
    EventKind,
    Grievance,
    Status,
)
from marketplace.grievances.queries import grievance_for
from marketplace.i18n import in_language
from marketplace.notifications import absolute_url, send_email

# Which status the officer may move a grievance to from each status. Appealing is the
# complainant's own step (appeals.appeal()), never the officer's.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.RECEIVED: (Status.ACKNOWLEDGED, Status.IN_REVIEW, Status.RESOLVED, Status.REJECTED),
    Status.ACKNOWLEDGED: (Status.IN_REVIEW, Status.RESOLVED, Status.REJECTED),
    Status.IN_REVIEW: (Status.RESOLVED, Status.REJECTED),
    Status.RESOLVED: (Status.CLOSED,),
    Status.REJECTED: (Status.CLOSED,),
    Status.APPEALED: (Status.IN_REVIEW, Status.RESOLVED, Status.REJECTED, Status.CLOSED),
    Status.CLOSED: (),
}


def update_grievance(
    officer: User, grievance_id: int, change: GrievanceChange, *, now: datetime | None = None
) -> Grievance:
    """Change the status, reply to the complainant (`response`: shown and mailed), add an
    internal note (`note`) or assign (`assigned_to`: an officer's user id). All checked first."""
    policy.require_work_desk(officer)
    now = moments.given_or_now(now)
    grievance = grievance_for(officer, grievance_id)
    errors = FieldErrors()
    new_status = Status(change.status) if change.status else None
    response, note = change.response, change.note
    assign = change.assigns
    assignee: User | None = None
    if change.assigned_to is not None:
        assignee = db.session.get(User, change.assigned_to)
        if assignee is None or not policy.is_officer(assignee):
            errors.add("assigned_to", _("must be a grievance officer"))
    if new_status is not None and new_status != grievance.status:
        if new_status not in TRANSITIONS[grievance.status]:
            allowed = ", ".join(TRANSITIONS[grievance.status]) or _("none (it is closed)")
            errors.add(
                "status",
                _(
                    "cannot go from %(current)s to %(new)s; allowed: %(allowed)s",
                    current=grievance.status,
                    new=new_status,
                    allowed=allowed,
                ),
            )
        elif new_status in DECIDED_STATUSES and not response:
            errors.add("response", _("tell the complainant the outcome and why"))
    errors.raise_if_any()

    if new_status is not None and new_status != grievance.status:
        _move(grievance, new_status, officer, now)
    if response:
        grievance.response = response
        add_event(
            grievance=grievance,
            kind=EventKind.REPLY,
            actor_id=officer.id,
            text=response,
            public=True,
            created_at=now,
        )
        _mail_reply(grievance, response)
    if note:
        add_event(
            grievance=grievance,
            kind=EventKind.NOTE,
            actor_id=officer.id,
            text=note,
            public=False,
            created_at=now,
        )
    if assign and (assignee.id if assignee else None) != grievance.assigned_to_id:
        grievance.assigned_to_id = assignee.id if assignee else None
        add_event(
            grievance=grievance,
            kind=EventKind.ASSIGNED,
            actor_id=officer.id,
            text=assignee.name if assignee else "nobody",
            public=False,
            created_at=now,
        )
        audit.record(
            "grievance.assigned",
            actor_id=officer.id,
            subject=grievance,
            reference=grievance.reference,
            assigned_to_id=assignee.id if assignee else None,  # an id: no personal data
        )
    grievance.updated_at = now
    db.session.flush()
    return grievance


def _mail_reply(grievance: Grievance, response: str) -> None:
    """The reply reaches the complainant in the language they wrote the complaint in."""
    with in_language(grievance.language):
        send_email(
            grievance.complainant_email,
            _("Update on your complaint %(reference)s", reference=grievance.reference),
            "grievance_reply",
            grievance=grievance,
            response=response,
            status_label=str(STATUS_LABELS[grievance.status]).lower(),
            can_appeal=grievance.status in DECIDED_STATUSES,
            url=absolute_url("grievances.mine") if grievance.complainant_id else None,
        )


def _move(grievance: Grievance, status: Status, actor: User, now: datetime) -> None:
    previous = grievance.status
    grievance.status = status
    if grievance.acknowledged_at is None and status != Status.RECEIVED:
        grievance.acknowledged_at = now  # any step past "received" acknowledges it
    if status in DECIDED_STATUSES:
        grievance.resolved_at = now
    if status == Status.CLOSED:
        grievance.closed_at = now
    add_event(
        grievance=grievance,
        kind=EventKind.STATUS,
        actor_id=actor.id,
        status_from=previous,
        status_to=status,
        public=True,
        created_at=now,
    )
    audit.record(
        "grievance.status_changed",
        actor_id=actor.id,
        subject=grievance,
        reference=grievance.reference,
        status_from=str(previous),
        status_to=str(status),
    )
