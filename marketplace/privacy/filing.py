"""A person filing a privacy request, and reading their own.

Functions flush but never commit, unless they say so.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.db import paginate
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.legal_clocks import clock as legal_clock
from marketplace.privacy import clock, policy, purposes, tasks
from marketplace.privacy.deactivation import deactivate
from marketplace.privacy.inputs import ConsentIn, PrivacyRequestIn
from marketplace.privacy.models import PrivacyRequest, RequestStatus, RequestType
from marketplace.privacy.services import set_consent
from marketplace.privacy.workflow import CORRECTABLE_FIELDS, OPEN_STATES, move
from workers import enqueue


def _confirmed(user: User, body: PrivacyRequestIn) -> RequestType:
    """The request's type, once what only the account can tell is checked: a supplier's fields
    are a supplier's, and the password is the person's."""
    kind: RequestType = body.type
    supplier_field = body.field is not None and CORRECTABLE_FIELDS[body.field][0] == "supplier"
    if supplier_field and user.supplier is None:
        raise ValidationFailed({"field": [_("only a supplier has business details")]})
    try:
        policy.require_confirmed_by_password(user, body.password)
    except policy.WrongPassword:
        audit.record("privacy.request_refused", actor_id=user.id, subject=user, type=kind.value)
        raise
    return kind


def submit_request(user: User, body: PrivacyRequestIn) -> PrivacyRequest:
    """Record a request; access and deactivation start at once, an objection to an optional
    purpose is a withdrawal done at once, the rest wait for the grievance officer."""
    policy.require_file_request(user)
    kind = _confirmed(user, body)
    details = body.details()
    open_same = db.session.scalar(
        select(func.count(PrivacyRequest.id)).where(
            PrivacyRequest.user_id == user.id,
            PrivacyRequest.type == kind,
            PrivacyRequest.status.in_(OPEN_STATES),
        )
    )
    if open_same:
        raise Conflict(_("You already have an open %(kind)s request.", kind=kind.value))
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
        set_consent(user, details["purpose"], ConsentIn(granted=False), source="objection")
        move(row, RequestStatus.COMPLETE, None, "an objection to an optional purpose withdraws it")
        row.completed_at = now
    return row


def own_request(user: User, request_id: int) -> PrivacyRequest:
    row = db.session.get(PrivacyRequest, request_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_("No such request."))
    return row


def _own(user: User) -> Select[tuple[PrivacyRequest]]:
    return (
        select(PrivacyRequest)
        .where(PrivacyRequest.user_id == user.id)
        .order_by(PrivacyRequest.id.desc())
    )


def own_requests(user: User) -> list[PrivacyRequest]:
    return list(db.session.scalars(_own(user)))


def own_requests_page(user: User, *, page: int, per_page: int) -> tuple[list[PrivacyRequest], int]:
    """One page of a person's own requests, newest first, and how many there are."""
    return paginate(_own(user), page=page, per_page=per_page)
