"""The grievance domain's part of the officer's desk (marketplace.desk): its open complaints and
breaches as desk items, and the deadline warnings over every source's items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace import desk
from marketplace.extensions import db
from marketplace.grievances import moments
from marketplace.grievances.appeals import appeal_resolve_by
from marketplace.grievances.models import (
    STATUS_LABELS,
    Breach,
    BreachStatus,
    DeskWarning,
    Grievance,
    Status,
)
from marketplace.grievances.queries import officers
from marketplace.notifications import absolute_url, send_email

# How long before a deadline the officers are warned (a day's notice for the 15 days).
WARN_BEFORE = {"acknowledge": timedelta(hours=6), "resolve": timedelta(days=2)}
# Each deadline's name in a warning ("the deadline to acknowledge GR-…"), in its reader's words.
DEADLINE_LABELS = {"acknowledge": _l("acknowledge"), "resolve": _l("resolve")}


@desk.register_source
def _open_grievances() -> Iterable[desk.DeskItem]:
    rows = db.session.scalars(
        select(Grievance).where(
            Grievance.status.in_(
                (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_REVIEW, Status.APPEALED)
            )
        )
    )
    for grievance in rows:
        appealed = grievance.status == Status.APPEALED
        yield desk.DeskItem(
            kind="grievance",
            id=grievance.id,
            reference=grievance.reference,
            subject=grievance.subject,
            status=str(grievance.status),
            status_label=str(STATUS_LABELS[grievance.status]),
            received_at=grievance.received_at,
            acknowledge_by=grievance.acknowledge_by if grievance.acknowledged_at is None else None,
            resolve_by=appeal_resolve_by(grievance) if appealed else grievance.resolve_by,
            url=url_for("grievances.desk_grievance", grievance_id=grievance.id),
            assigned_to=grievance.assigned_to.name if grievance.assigned_to else None,
            language=grievance.language,
        )


@desk.register_source
def _open_breaches() -> Iterable[desk.DeskItem]:
    rows = db.session.scalars(
        select(Breach).where(Breach.status == BreachStatus.OPEN, Breach.board_report_at.is_(None))
    )
    for breach in rows:
        yield desk.DeskItem(
            kind="breach",
            id=breach.id,
            reference=breach.reference,
            subject=breach.nature[:120],
            status="report_due",
            status_label=_("Report to the Board due"),
            received_at=breach.detected_at,
            acknowledge_by=None,
            resolve_by=breach.board_report_due,
            url=url_for("grievances.breach", breach_id=breach.id),
        )


def warn_deadlines(*, now: datetime | None = None) -> int:
    """Mail the officers about every desk deadline that falls within its warning window (or has
    passed), once per item and deadline. Idempotent: beat runs it often."""
    now = moments.given_or_now(now)
    recipients = officers()
    sent = 0
    for item in desk.open_items():
        for name, due in (("acknowledge", item.acknowledge_by), ("resolve", item.resolve_by)):
            if due is None or due - now > WARN_BEFORE[name]:
                continue
            already = db.session.scalar(
                select(DeskWarning.id).where(
                    DeskWarning.kind == item.kind,
                    DeskWarning.item_id == item.id,
                    DeskWarning.deadline == name,
                    DeskWarning.due_at == due,
                )
            )
            if already:
                continue
            db.session.add(
                DeskWarning(kind=item.kind, item_id=item.id, deadline=name, due_at=due, sent_at=now)
            )
            label = DEADLINE_LABELS[name]
            for officer in recipients:
                send_email(
                    officer.email,
                    _warning_subject(label, item.reference, overdue=due <= now),
                    "grievance_deadline",
                    language=officer.language,  # beat sends it: the officer's own, else English
                    item=item,
                    deadline=label,
                    due=due,
                    overdue=due <= now,
                    url=absolute_url("grievances.desk_queue"),
                )
            sent += 1
    db.session.flush()
    return sent


def _warning_subject(deadline: LazyString, reference: str, *, overdue: bool) -> LazyString:
    """Lazy: read in each officer's language when the mail is written."""
    if overdue:
        return _l(
            "Overdue: the deadline to %(deadline)s %(reference)s",
            deadline=deadline,
            reference=reference,
        )
    return _l(
        "Due soon: the deadline to %(deadline)s %(reference)s",
        deadline=deadline,
        reference=reference,
    )
