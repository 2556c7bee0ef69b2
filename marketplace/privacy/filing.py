"""A person filing a privacy request, and reading their own.

Functions flush but never commit, unless they say so.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.legal_clocks import clock as legal_clock
from marketplace.privacy import clock, policy, purposes, tasks
from marketplace.privacy.deactivation import deactivate
from marketplace.privacy.models import PrivacyRequest, RequestStatus, RequestType
from marketplace.privacy.services import set_consent
from marketplace.privacy.workflow import CORRECTABLE_FIELDS, OPEN_STATES, move
from marketplace.validation import Input
from workers import enqueue


def _read_request(user: User, data: Any) -> tuple[RequestType, dict[str, Any]]:
    inp = Input(data)
    kind = None
    raw_type = inp.data.get("type")
    try:
        kind = RequestType(raw_type) if isinstance(raw_type, str) else None
    except ValueError:
        kind = None
    if kind is None:
        inp.fail("type", "must be one of " + ", ".join(t.value for t in RequestType))
    password = inp.data.get("password")
    if not isinstance(password, str) or not password:
        inp.fail("password", "your password is needed to confirm the request")
    details: dict[str, Any] = {}
    if kind == RequestType.OBJECTION:
        purpose = inp.data.get("purpose")
        if not isinstance(purpose, str) or purpose not in purposes.BY_ID:
            inp.fail("purpose", "must be one of " + ", ".join(purposes.BY_ID))
        else:
            details["purpose"] = purpose
        reason = inp.text(
            "reason", required=purpose in purposes.REQUIRED, max_length=2000, multiline=True
        )
        if reason:
            details["reason"] = reason
    elif kind == RequestType.CORRECTION:
        field = inp.data.get("field")
        if not isinstance(field, str) or field not in CORRECTABLE_FIELDS:
            inp.fail("field", "must be one of " + ", ".join(CORRECTABLE_FIELDS))
        else:
            owner, _, length = CORRECTABLE_FIELDS[field]
            if owner == "supplier" and user.supplier is None:
                inp.fail("field", "only a supplier has business details")
            value = inp.text("value", max_length=length)
            if value:
                details.update(field=field, value=value)
    elif kind in (RequestType.DELETION, RequestType.DEACTIVATION):
        reason = inp.text("reason", required=False, max_length=2000, multiline=True)
        if reason:
            details["reason"] = reason
    inp.errors.raise_if_any()
    assert kind is not None
    try:
        policy.require_confirmed_by_password(user, password)
    except policy.WrongPassword:
        audit.record("privacy.request_refused", actor_id=user.id, subject=user, type=kind.value)
        raise
    return kind, details


def submit_request(user: User, data: Any) -> PrivacyRequest:
    """Record a request; access and deactivation start at once, an objection to an optional
    purpose is a withdrawal done at once, the rest wait for the grievance officer."""
    policy.require_file_request(user)
    kind, details = _read_request(user, data)
    open_same = db.session.scalar(
        select(func.count(PrivacyRequest.id)).where(
            PrivacyRequest.user_id == user.id,
            PrivacyRequest.type == kind,
            PrivacyRequest.status.in_(OPEN_STATES),
        )
    )
    if open_same:
        raise Conflict(f"You already have an open {kind.value} request.")
    now = clock.now()
    row = PrivacyRequest(
        user_id=user.id,
        type=kind,
        status=RequestStatus.PENDING,
        details=details,
        due_at=legal_clock("privacy_request").due(now),
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    move(row, RequestStatus.PENDING, user.id)
    if kind == RequestType.ACCESS:
        move(row, RequestStatus.IN_PROGRESS, None, "the export is being built")
        request_id = row.id
        enqueue(tasks.build_export, request_id)
    elif kind == RequestType.DEACTIVATION:
        move(row, RequestStatus.IN_PROGRESS, None)
        deactivate(user, row)
        move(row, RequestStatus.COMPLETE, None, "signing in again reactivates the account")
        row.completed_at = now
    elif kind == RequestType.OBJECTION and details.get("purpose") in purposes.OPTIONAL:
        set_consent(user, details["purpose"], {"granted": False}, source="objection")
        move(row, RequestStatus.COMPLETE, None, "an objection to an optional purpose withdraws it")
        row.completed_at = now
    return row


def own_request(user: User, request_id: int) -> PrivacyRequest:
    row = db.session.get(PrivacyRequest, request_id)
    if row is None or row.user_id != user.id:
        raise NotFound("No such request.")
    return row


def own_requests(user: User) -> list[PrivacyRequest]:
    return list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.user_id == user.id)
            .order_by(PrivacyRequest.id.desc())
        )
    )
