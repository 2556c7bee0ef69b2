"""Privacy requests on the grievance officer's desk: those waiting for a decision (deletion,
objection, correction) and deletions paused by a legal hold, with the 90-day clock."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from sqlalchemy import select

from marketplace import desk
from marketplace.extensions import db
from marketplace.privacy.models import PrivacyRequest, RequestStatus
from marketplace.privacy.words import kind_label, status_label
from marketplace.privacy.workflow import DECIDED_BY_OFFICER


@desk.register_source
def open_privacy_requests() -> Iterable[desk.DeskItem]:
    rows = db.session.scalars(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.type.in_(DECIDED_BY_OFFICER),
            PrivacyRequest.status.in_((RequestStatus.PENDING, RequestStatus.PAUSED)),
        )
        .order_by(PrivacyRequest.due_at)
    )
    for row in rows:
        yield desk.DeskItem(
            kind="privacy_request",
            id=row.id,
            reference=f"PR-{row.id}",
            subject=kind_label(row.type)
            + (f" (held: {row.hold_reason})" if row.hold_reason else ""),
            status=row.status.value,
            status_label=status_label(row.status),
            received_at=row.created_at,
            acknowledge_by=None,
            resolve_by=row.due_at,
            url=url_for("privacy.officer", status=row.status.value),
        )
