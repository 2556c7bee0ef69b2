"""Lapsed GST registrations on the grievance officer's desk (marketplace.desk): a supplier whose
verified registration the registry shows suspended, cancelled or unknown waits there, its badge
already removed, until an officer has looked into it and closes the item with a note."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import audit, desk
from marketplace.accounts.gst_models import GstCheck
from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db

NOTE_MAX = 2000


@desk.register_source
def open_lapsed_registrations() -> Iterable[desk.DeskItem]:
    rows = db.session.scalars(
        select(GstCheck)
        .where(GstCheck.needs_officer.is_(True), GstCheck.closed_at.is_(None))
        .order_by(GstCheck.checked_at)
    )
    for check in rows:
        yield desk.DeskItem(
            kind="gst_registration",
            id=check.id,
            reference=f"GST-{check.id}",
            subject=f"{check.supplier.company_name}: GST registration "
            f"{(check.registry_status_text or 'not found').lower()}, badge removed",
            status="open",
            status_label="Open",
            received_at=check.checked_at,
            acknowledge_by=None,  # no legal clock: the badge is already off
            resolve_by=None,
            url=url_for("gst.desk_alert", check_id=check.id),
        )


def alert_for(check_id: int) -> GstCheck:
    check = db.session.get(GstCheck, check_id)
    if check is None or not check.needs_officer:
        raise NotFound(_("No such GST registration alert."))
    return check


def close_alert(check_id: int, officer: User, note: str) -> GstCheck:
    """The officer has looked into it (called the supplier, asked for the revocation order...)."""
    check = alert_for(check_id)
    note = note.strip()
    if not note:
        raise ValidationFailed({"note": ["say what was done, for the record"]})
    if len(note) > NOTE_MAX:
        raise ValidationFailed({"note": [f"must be at most {NOTE_MAX} characters"]})
    if check.closed_at is None:
        check.closed_at = utcnow()
        check.closed_by_id = officer.id
        check.officer_note = note
        audit.record("supplier.gst_alert_closed", actor_id=officer.id, subject=check.supplier)
        db.session.flush()
    return check
