"""The grievance desk's part of an erasure (kept here until the desk registers its own): an
open grievance is a legal hold; a settled one keeps its facts for the officer's reports but
loses the complainant's name, email and every copy of their contact in its text; photos go."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import delete, or_, select

from marketplace.db import after_commit
from marketplace.extensions import db
from marketplace.grievances.models import (
    OPEN_STATUSES,
    Grievance,
    GrievanceAttachment,
    GrievanceEvent,
    GuestGrievance,
)
from marketplace.privacy.erasure import Eraser, Subject, register


def _theirs(subject: Subject):  # type: ignore[no-untyped-def]
    return or_(
        Grievance.complainant_id == subject.user.id,
        Grievance.complainant_email == subject.email,
    )


def _holds(subject: Subject) -> list[str]:
    return [
        f"grievance {row.reference} is still open ({row.status.value})"
        for row in db.session.scalars(
            select(Grievance).where(_theirs(subject), Grievance.status.in_(OPEN_STATUSES))
        )
    ]


def _erase(subject: Subject) -> list[str]:
    rows = db.session.scalars(select(Grievance).where(_theirs(subject))).all()
    files = []
    for row in rows:
        row.complainant_id = None
        row.complainant_name = "Deleted account"
        row.complainant_email = f"erased-{subject.user.id}@erased.invalid"
        row.subject = subject.redact(row.subject) or ""
        row.description = subject.redact(row.description) or ""
        row.response = subject.redact(row.response)
        for event in db.session.scalars(
            select(GrievanceEvent).where(GrievanceEvent.grievance_id == row.id)
        ):
            event.text = subject.redact(event.text) or ""
        for attachment in db.session.scalars(
            select(GrievanceAttachment).where(GrievanceAttachment.grievance_id == row.id)
        ):
            files.append(
                Path(current_app.config["UPLOAD_PATH"]) / "grievances" / attachment.filename
            )
            db.session.delete(attachment)
    db.session.execute(delete(GuestGrievance).where(GuestGrievance.email == subject.email))

    def _unlink() -> None:
        for path in files:
            path.unlink(missing_ok=True)

    after_commit(_unlink)
    return [f"{len(rows)} grievances kept without the complainant's contact; photos deleted"]


register(Eraser("grievances", holds=_holds, erase=_erase, order=40))
