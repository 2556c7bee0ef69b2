"""A privacy request's life (DPDP Act 2023 ss.11-14): access, correction, deletion, objection
and deactivation, with a due date from the legal clocks table, a status history and an audit trail.

States: pending → approved | denied (with a reason) → in_progress → complete |
complete_with_retention | paused (a legal hold) | failed. Access and deactivation need no
decision; an objection to an optional purpose is a withdrawal, done at once.
"""

from __future__ import annotations

from sqlalchemy import select

from marketplace import audit
from marketplace.extensions import db
from marketplace.privacy import clock
from marketplace.privacy.models import (
    PrivacyRequest,
    PrivacyRequestEvent,
    RequestStatus,
    RequestType,
)

# What a correction may ask to change; the officer applies it once approved.
CORRECTABLE_FIELDS = {
    "name": ("user", "name", 100),
    "company_name": ("supplier", "company_name", 200),
    "address_line1": ("supplier", "address_line1", 200),
    "city": ("supplier", "city", 100),
}

DECIDED_BY_OFFICER = (RequestType.DELETION, RequestType.OBJECTION, RequestType.CORRECTION)

OPEN_STATES = (
    RequestStatus.PENDING,
    RequestStatus.APPROVED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.PAUSED,
)

FINISHED_STATES = (
    RequestStatus.COMPLETE,
    RequestStatus.COMPLETE_WITH_RETENTION,
    RequestStatus.DENIED,
    RequestStatus.FAILED,
)


def move(row: PrivacyRequest, status: RequestStatus, actor_id: int | None, note: str = "") -> None:
    row.status = status
    row.updated_at = clock.now()
    event = PrivacyRequestEvent(
        request_id=row.id,
        status=status,
        actor_id=actor_id,
        note=note[:300] or None,
        occurred_at=clock.now(),
    )
    db.session.add(event)
    row.history.append(event)
    audit.record(
        f"privacy.request_{status.value}",
        actor_id=actor_id,
        subject=row,
        type=row.type.value,
    )


def open_deletion(user_id: int) -> PrivacyRequest | None:
    """The account's deletion request that is still open (waiting for the officer, approved,
    running, or paused by a legal hold), if any: asked before anything reopens the account."""
    return db.session.scalar(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.user_id == user_id,
            PrivacyRequest.type == RequestType.DELETION,
            PrivacyRequest.status.in_(OPEN_STATES),
        )
        .order_by(PrivacyRequest.id)
        .limit(1)
    )
