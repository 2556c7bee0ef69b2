"""The grievance officer's queue of privacy requests and decisions on them: approve or deny a
deletion, an objection or a correction.

Functions flush but never commit, unless they say so.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace import audit
from marketplace.accounts import suspension
from marketplace.accounts.models import User
from marketplace.db import paginate
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.legal_clocks import clock as legal_clock
from marketplace.notifications import send_email
from marketplace.privacy import clock, policy, tasks
from marketplace.privacy.deactivation import deactivate, lift_suspension
from marketplace.privacy.inputs import DecisionIn
from marketplace.privacy.models import PrivacyRequest, RequestStatus, RequestType
from marketplace.privacy.workflow import CORRECTABLE_FIELDS, DECIDED_BY_OFFICER, move
from workers import enqueue


def officer_requests(
    actor: User, *, status: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[PrivacyRequest], int]:
    policy.require_handle_requests(actor)
    query = select(PrivacyRequest)
    if status:
        try:
            query = query.where(PrivacyRequest.status == RequestStatus(status))
        except ValueError:
            raise ValidationFailed(
                {
                    "status": [
                        _(
                            "must be one of %(choices)s",
                            choices=", ".join(s.value for s in RequestStatus),
                        )
                    ]
                }
            ) from None
    ordered = query.order_by(PrivacyRequest.due_at, PrivacyRequest.id)
    return paginate(ordered, page=page, per_page=per_page)


def requesters(rows: list[PrivacyRequest]) -> dict[int, User]:
    """The people who filed `rows`, by id, in one query (the officer's queue names them)."""
    ids = {row.user_id for row in rows}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def officer_request(actor: User, request_id: int, *, lock: bool = False) -> PrivacyRequest:
    """A request as the officer sees it; `lock` when deciding it (two officers at once)."""
    policy.require_handle_requests(actor)
    row = db.session.get(PrivacyRequest, request_id, with_for_update=lock)
    if row is None:
        raise NotFound(_("No such request."))
    return row


def decide(actor: User, request_id: int, body: DecisionIn) -> PrivacyRequest:
    """Approve or deny (a reason is required to deny; denying an objection must name the legal
    basis). A paused deletion may be approved again once its hold is gone."""
    policy.require_handle_requests(actor)
    decision, reason = body.decision, body.reason
    row = officer_request(actor, request_id, lock=True)
    retry = row.status == RequestStatus.PAUSED and decision == "approve"
    if row.type not in DECIDED_BY_OFFICER or (row.status != RequestStatus.PENDING and not retry):
        raise Conflict(
            _("This request is %(status)s: there is nothing to decide.", status=row.status.value)
        )
    policy.require_decide_request(actor, row)
    user = db.session.get(User, row.user_id)
    assert user is not None
    correcting = decision == "approve" and row.type == RequestType.CORRECTION
    # Refused before anything is written: a page that shows the refusal still commits.
    target = _correction_target(user, row.details) if correcting else None
    now = clock.now()
    row.decided_by_id, row.decided_at, row.decision_reason = actor.id, now, reason
    if decision == "deny":
        move(row, RequestStatus.DENIED, actor.id, reason or "")
        row.completed_at = now
        if row.type == RequestType.DELETION and (row.details or {}).get("lift_if_denied"):
            lift_suspension(user, row, actor)
    elif row.type == RequestType.DELETION:
        move(row, RequestStatus.APPROVED, actor.id, reason or "")
        request_id = row.id
        enqueue(tasks.execute_deletion, request_id)
    elif row.type == RequestType.CORRECTION:
        move(row, RequestStatus.APPROVED, actor.id, reason or "")
        _apply_correction(target, user, row.details)
        move(row, RequestStatus.COMPLETE, actor.id)
        row.completed_at = now
    else:  # an objection to a required purpose, upheld: the service is discontinued
        move(row, RequestStatus.APPROVED, actor.id, reason or "")
        deactivate(user, suspended_by=actor)  # until the deletion decides
        suspension.closed_by_officer_while_suspended(user)  # an admin's lifting keeps it shut
        deletion = PrivacyRequest(
            user_id=user.id,
            type=RequestType.DELETION,
            details={"reason": f"objection #{row.id} upheld"},
            due_at=legal_clock("privacy_request").due(now),
            created_at=now,
        )
        db.session.add(deletion)
        db.session.flush()
        move(deletion, RequestStatus.PENDING, actor.id, f"objection #{row.id} upheld")
        move(row, RequestStatus.COMPLETE, actor.id, f"deletion request #{deletion.id} opened")
        row.completed_at = now
    # An approved deletion's one mail is its certificate (or, if a hold pauses it, word of the
    # hold): a decision mail as well would invite an erased person to follow their requests.
    erasing = decision == "approve" and row.type == RequestType.DELETION
    if user.erased_at is None and not erasing:
        send_email(
            user.email,
            _l("Your privacy request #%(number)s", number=row.id),
            "privacy_decision",
            language=user.language,
            user=user,
            row=row,
        )
    return row


def _correction_target(user: User, details: dict[str, Any]) -> Any:
    """The row a correction changes: the account, or its business (which it may lack)."""
    owner, _attribute, _length = CORRECTABLE_FIELDS[details["field"]]
    target = user if owner == "user" else user.supplier
    if target is None:
        raise Conflict(_("The account has no business details to correct."))
    return target


def _apply_correction(target: Any, user: User, details: dict[str, Any]) -> None:
    _owner, attribute, _length = CORRECTABLE_FIELDS[details["field"]]
    setattr(target, attribute, details["value"])
    audit.record("account.corrected", subject=user, field=details["field"])
