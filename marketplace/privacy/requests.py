"""Privacy requests (DPDP Act 2023 ss.11-14): access, correction, deletion, objection and
deactivation, with a due date from the legal clocks table, a status history and an audit trail.

States: pending → approved | denied (with a reason) → in_progress → complete |
complete_with_retention | paused (a legal hold) | failed. Access and deactivation need no
decision; an objection to an optional purpose is a withdrawal, done at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from marketplace import audit
from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import password_matches
from marketplace.db import after_commit, commit, paginate
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.legal_clocks import clock as legal_clock
from marketplace.notifications import absolute_url, send_email
from marketplace.privacy import clock, purposes
from marketplace.privacy.erasure import Subject, erasers
from marketplace.privacy.models import (
    ArchivedRecord,
    LegalHold,
    PrivacyRequest,
    PrivacyRequestEvent,
    RequestStatus,
    RequestType,
)
from marketplace.privacy.retention import rule
from marketplace.validation import MAX_ID, Input
from workers import enqueue

log = logging.getLogger(__name__)

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


def _move(row: PrivacyRequest, status: RequestStatus, actor_id: int | None, note: str = "") -> None:
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


# --- submitting -----------------------------------------------------------------------------


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
    if not password_matches(password, user.password_hash):
        audit.record("privacy.request_refused", actor_id=user.id, subject=user, type=kind.value)
        raise WrongPassword("That is not your password.")
    return kind, details


class WrongPassword(Forbidden):
    keep_writes = True  # the refusal is audited


def submit_request(user: User, data: Any) -> PrivacyRequest:
    """Record a request; access and deactivation start at once, an objection to an optional
    purpose is a withdrawal done at once, the rest wait for the grievance officer."""
    if user.erased_at is not None:
        raise Forbidden("This account is closed.")
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
    _move(row, RequestStatus.PENDING, user.id)
    if kind == RequestType.ACCESS:
        _move(row, RequestStatus.IN_PROGRESS, None, "the export is being built")
        request_id = row.id
        enqueue(_task("build_export"), request_id)
    elif kind == RequestType.DEACTIVATION:
        _move(row, RequestStatus.IN_PROGRESS, None)
        deactivate(user, row)
        _move(row, RequestStatus.COMPLETE, None, "signing in again reactivates the account")
        row.completed_at = now
    elif kind == RequestType.OBJECTION and details.get("purpose") in purposes.OPTIONAL:
        from marketplace.privacy.services import set_consent

        set_consent(user, details["purpose"], {"granted": False}, source="objection")
        _move(row, RequestStatus.COMPLETE, None, "an objection to an optional purpose withdraws it")
        row.completed_at = now
    return row


def _task(name: str) -> Any:
    from marketplace.privacy import tasks

    return getattr(tasks, name)


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


# --- deactivation ---------------------------------------------------------------------------


def deactivate(
    user: User, row: PrivacyRequest | None = None, *, suspended_by: User | None = None
) -> None:
    """Close the account: listings off the shelf, every session and token ended.

    Closed by its owner, signing in again undoes it (reactivate), with the listings it paused,
    which are remembered on the request. Suspended by an officer (an objection upheld, a child's
    account reported), signing in does not undo it, and integration keys stop too."""
    from marketplace.accounts.services import _sign_out_everywhere
    from marketplace.catalog.indexing import queue_for_index
    from marketplace.catalog.models import Product, ProductStatus

    user.is_active_account = False
    # What sign-in reads as "deactivated by its owner", so only then is it set.
    user.deactivated_at = None if suspended_by else clock.now()
    paused: list[Product] = []
    if user.supplier is not None:
        paused = list(
            db.session.scalars(
                select(Product).where(
                    Product.supplier_id == user.supplier.id,
                    Product.status == ProductStatus.ACTIVE,
                )
            )
        )
        for product in paused:
            product.status = ProductStatus.PAUSED
            product.version = (product.version or 0) + 1
        db.session.flush()
        queue_for_index([product.id for product in paused])
    if row is not None:
        row.details = {**row.details, "paused_products": [product.id for product in paused]}
    _sign_out_everywhere(user, revoke_keys=suspended_by is not None)
    if suspended_by is None:
        audit.record("account.deactivated", actor_id=user.id, subject=user, listings=len(paused))
    else:
        audit.record(
            "account.suspended", actor_id=suspended_by.id, subject=user, listings=len(paused)
        )


def reactivate(user: User) -> None:
    """A deactivated (never erased) account signs in again: it is active, its listings back."""
    if user.erased_at is not None or user.deactivated_at is None:
        return
    last = db.session.scalar(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.user_id == user.id,
            PrivacyRequest.type == RequestType.DEACTIVATION,
        )
        .order_by(PrivacyRequest.id.desc())
        .limit(1)
    )
    _restore_listings(user, last)
    user.is_active_account = True
    user.deactivated_at = None
    audit.record("account.reactivated", actor_id=user.id, subject=user)


def _lift_suspension(user: User, deletion: PrivacyRequest, actor: User) -> None:
    """A reported child's deletion, denied (the report was wrong): the account goes back to how
    it stood before the report. Open again, with the listings the suspension paused; closed by
    its owner, as it was (signing in reopens it); already suspended, or with another deletion
    still open (an upheld objection's), it stays closed. Its integration keys stay revoked."""
    other_deletion = db.session.scalar(
        select(PrivacyRequest.id).where(
            PrivacyRequest.user_id == user.id,
            PrivacyRequest.type == RequestType.DELETION,
            PrivacyRequest.status.in_(OPEN_STATES),
            PrivacyRequest.id != deletion.id,
        )
    )
    if user.erased_at is not None or other_deletion is not None:
        return
    if deletion.details.get("deactivated_before"):
        user.deactivated_at = datetime.fromisoformat(deletion.details["deactivated_before"])
    elif deletion.details.get("active_before"):
        _restore_listings(user, deletion)
        user.is_active_account = True
    else:
        return
    audit.record("account.reinstated", actor_id=actor.id, subject=user, request_id=deletion.id)


def _restore_listings(user: User, row: PrivacyRequest | None) -> None:
    """Put back on the shelf the listings a deactivation or suspension paused (those still
    paused: the supplier may have deleted one meanwhile)."""
    from marketplace.catalog.indexing import queue_for_index
    from marketplace.catalog.models import Product, ProductStatus

    ids = list((row.details or {}).get("paused_products", [])) if row else []
    if not ids or user.supplier is None:
        return
    products = db.session.scalars(
        select(Product).where(
            Product.id.in_(ids),
            Product.supplier_id == user.supplier.id,
            Product.status == ProductStatus.PAUSED,
        )
    ).all()
    for product in products:
        product.status = ProductStatus.ACTIVE
        product.version = (product.version or 0) + 1
    db.session.flush()
    queue_for_index([product.id for product in products])


# --- the officer's decision -----------------------------------------------------------------


def _officer(actor: User) -> None:
    if not actor.has_role(Role.GRIEVANCE_OFFICER, Role.ADMIN):
        raise Forbidden("Only the grievance officer decides privacy requests.")


def officer_requests(
    actor: User, *, status: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[PrivacyRequest], int]:
    _officer(actor)
    query = select(PrivacyRequest)
    if status:
        try:
            query = query.where(PrivacyRequest.status == RequestStatus(status))
        except ValueError:
            raise ValidationFailed(
                {"status": ["must be one of " + ", ".join(s.value for s in RequestStatus)]}
            ) from None
    return paginate(
        query.order_by(PrivacyRequest.due_at, PrivacyRequest.id), page=page, per_page=per_page
    )


def officer_request(actor: User, request_id: int, *, lock: bool = False) -> PrivacyRequest:
    """A request as the officer sees it; `lock` when deciding it (two officers at once)."""
    _officer(actor)
    row = db.session.get(PrivacyRequest, request_id, with_for_update=lock)
    if row is None:
        raise NotFound("No such request.")
    return row


def decide(actor: User, request_id: int, data: Any) -> PrivacyRequest:
    """Approve or deny (a reason is required to deny; denying an objection must name the legal
    basis). A paused deletion may be approved again once its hold is gone."""
    _officer(actor)
    inp = Input(data)
    decision = inp.data.get("decision")
    if decision not in ("approve", "deny"):
        inp.fail("decision", "must be 'approve' or 'deny'")
    reason = inp.text("reason", required=decision == "deny", max_length=2000, multiline=True)
    inp.errors.raise_if_any()
    row = officer_request(actor, request_id, lock=True)
    retry = row.status == RequestStatus.PAUSED and decision == "approve"
    if row.type not in DECIDED_BY_OFFICER or (row.status != RequestStatus.PENDING and not retry):
        raise Conflict(f"This request is {row.status.value}: there is nothing to decide.")
    if row.user_id == actor.id:
        raise Forbidden("An officer cannot decide their own request.")
    user = db.session.get(User, row.user_id)
    assert user is not None
    now = clock.now()
    row.decided_by_id, row.decided_at, row.decision_reason = actor.id, now, reason
    if decision == "deny":
        _move(row, RequestStatus.DENIED, actor.id, reason or "")
        row.completed_at = now
        if row.type == RequestType.DELETION and (row.details or {}).get("lift_if_denied"):
            _lift_suspension(user, row, actor)
    elif row.type == RequestType.DELETION:
        _move(row, RequestStatus.APPROVED, actor.id, reason or "")
        request_id = row.id
        enqueue(_task("execute_deletion"), request_id)
    elif row.type == RequestType.CORRECTION:
        _move(row, RequestStatus.APPROVED, actor.id, reason or "")
        _apply_correction(user, row.details)
        _move(row, RequestStatus.COMPLETE, actor.id)
        row.completed_at = now
    else:  # an objection to a required purpose, upheld: the service is discontinued
        _move(row, RequestStatus.APPROVED, actor.id, reason or "")
        deactivate(user, suspended_by=actor)  # until the deletion decides
        deletion = PrivacyRequest(
            user_id=user.id,
            type=RequestType.DELETION,
            details={"reason": f"objection #{row.id} upheld"},
            due_at=legal_clock("privacy_request").due(now),
            created_at=now,
        )
        db.session.add(deletion)
        db.session.flush()
        _move(deletion, RequestStatus.PENDING, actor.id, f"objection #{row.id} upheld")
        _move(row, RequestStatus.COMPLETE, actor.id, f"deletion request #{deletion.id} opened")
        row.completed_at = now
    if user.erased_at is None:
        send_email(
            user.email,
            f"Your privacy request #{row.id}",
            "privacy_decision",
            user=user,
            row=row,
        )
    return row


def _apply_correction(user: User, details: dict[str, Any]) -> None:
    owner, attribute, _ = CORRECTABLE_FIELDS[details["field"]]
    target = user if owner == "user" else user.supplier
    if target is None:
        raise Conflict("The account has no business details to correct.")
    setattr(target, attribute, details["value"])
    audit.record("account.corrected", subject=user, field=details["field"])


def place_hold(actor: User, subject_id: int, reason: str) -> LegalHold:
    _officer(actor)
    if not reason or not reason.strip():
        raise ValidationFailed({"reason": ["a legal hold needs its reason"]})
    if db.session.get(User, subject_id) is None:
        raise NotFound("No such account.")
    hold = LegalHold(subject_id=subject_id, reason=reason.strip()[:300], placed_by_id=actor.id)
    db.session.add(hold)
    db.session.flush()
    audit.record("privacy.hold_placed", actor_id=actor.id, subject=hold)
    return hold


def release_hold(actor: User, hold_id: int) -> LegalHold:
    _officer(actor)
    hold = db.session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound("No such hold.")
    hold.released_at = clock.now()
    audit.record("privacy.hold_released", actor_id=actor.id, subject=hold)
    return hold


# --- the erasure ----------------------------------------------------------------------------


def _subject(user: User, request_id: int | None) -> Subject:
    return Subject(
        user=user,
        now=clock.now(),
        email=user.email,
        name=user.name,
        phone=user.phone,
        phone_digest=user.phone_digest,
        supplier_id=user.supplier.id if user.supplier else None,
        request_id=request_id,
    )


def run_deletion(request_id: int) -> RequestStatus | None:
    """Execute an approved deletion: holds, archive, erasers, certificate: in one transaction
    (a failure rolls everything back and marks the request failed). Commits."""
    row = db.session.get(PrivacyRequest, request_id, with_for_update=True)
    if row is None or row.type != RequestType.DELETION:
        return None
    if row.status not in (RequestStatus.APPROVED, RequestStatus.PAUSED):
        return row.status  # run already, or not approved: idempotent
    user = db.session.get(User, row.user_id)
    assert user is not None
    subject = _subject(user, row.id)
    chain = erasers()
    holds = [reason for eraser in chain for reason in eraser.holds(subject)]
    if holds:
        row.hold_reason = "; ".join(holds)[:300]
        if row.status != RequestStatus.PAUSED:
            _move(row, RequestStatus.PAUSED, None, row.hold_reason)
        commit()
        return row.status
    try:
        _move(row, RequestStatus.IN_PROGRESS, None)
        row.hold_reason = None
        kept = []
        for eraser in chain:
            for item in eraser.archive(subject):
                retention = rule(item.record_type)
                record = ArchivedRecord(
                    subject_id=user.id,
                    request_id=row.id,
                    record_type=item.record_type,
                    reference=item.reference[:80],
                    legal_basis=retention.legal_basis,
                    retain_until=retention.retain_until(item.starts_at),
                    data=current_app.json.dumps(item.data),
                    archived_at=subject.now,
                )
                db.session.add(record)
                kept.append(record)
        erased = [line for eraser in chain for line in eraser.erase(subject)]
        status = RequestStatus.COMPLETE_WITH_RETENTION if kept else RequestStatus.COMPLETE
        row.certificate = {
            "request_id": row.id,
            "erased_at": subject.now.isoformat(),
            "erased": erased,
            "kept": [
                {
                    "record_type": record.record_type,
                    "reference": record.reference,
                    "legal_basis": record.legal_basis,
                    "retain_until": record.retain_until.isoformat(),
                }
                for record in kept
            ],
        }
        # The certificate goes to the address as it was: rendered now, sent after the commit.
        send_email(
            subject.email,
            "Your account has been deleted: what was erased and what is kept",
            "privacy_certificate",
            name=subject.name,
            certificate=row.certificate,
        )
        row.completed_at = subject.now
        _move(row, status, None, f"{len(kept)} statutory records archived")
        commit()
        return status
    except Exception:
        log.exception("erasure of request %s failed", request_id)
        db.session.rollback()
        row = db.session.get(PrivacyRequest, request_id)
        assert row is not None
        _move(row, RequestStatus.FAILED, None, "the erasure failed and was rolled back")
        commit()
        return RequestStatus.FAILED


def archives_for(actor: User, subject_id: int) -> list[ArchivedRecord]:
    _officer(actor)
    return list(
        db.session.scalars(
            select(ArchivedRecord)
            .where(ArchivedRecord.subject_id == subject_id)
            .order_by(ArchivedRecord.id)
        )
    )


def purge_archive() -> dict[str, int]:
    """Remove archived records past retain_until and exports past their 7 days; report what
    went, per record type. Commits."""
    from pathlib import Path

    now = clock.now()
    purged: dict[str, int] = {}
    references = []
    for record in db.session.scalars(
        select(ArchivedRecord).where(ArchivedRecord.retain_until < now)
    ):
        purged[record.record_type] = purged.get(record.record_type, 0) + 1
        references.append(record.reference)
        db.session.delete(record)
    for eraser in erasers():
        if removed := eraser.purge(references):
            purged[f"{eraser.name}_originals"] = removed
    files = []
    for row in db.session.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.export_name.is_not(None), PrivacyRequest.export_expires_at < now
        )
    ):
        files.append(Path(current_app.config["PRIVACY_EXPORT_PATH"]) / row.export_name)
        row.export_name = None
        purged["access_export"] = purged.get("access_export", 0) + 1
    if purged:
        audit.record("privacy.archive_purged", **purged)

    def _unlink() -> None:
        for path in files:
            path.unlink(missing_ok=True)

    after_commit(_unlink)
    commit()
    log.info("privacy purge: %s", purged or "nothing past its date")
    return purged


# --- inactive accounts and under-18 reports ----------------------------------------------------


def _system_deletion(user: User, reason: str, *, approved: bool) -> PrivacyRequest:
    now = clock.now()
    row = PrivacyRequest(
        user_id=user.id,
        type=RequestType.DELETION,
        details={"reason": reason},
        due_at=legal_clock("privacy_request").due(now),
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    _move(row, RequestStatus.PENDING, None, reason)
    if approved:
        row.decided_at = now
        row.decision_reason = reason
        _move(row, RequestStatus.APPROVED, None, reason)
    return row


def sweep_inactive() -> dict[str, int]:
    """Warn accounts unused for PRIVACY_INACTIVE_DAYS, then erase those still unused 48 hours
    after the warning (DPDP Rules 2025 r.8(2)), through the same workflow. Commits."""
    now = clock.now()
    idle_since = now - timedelta(days=current_app.config["PRIVACY_INACTIVE_DAYS"])
    notice = legal_clock("inactive_erasure_notice")
    last_seen = func.coalesce(User.last_sign_in_at, User.created_at)
    candidates = db.session.scalars(
        select(User).where(User.erased_at.is_(None), last_seen < idle_since).order_by(User.id)
    ).all()
    warned = erased = 0
    queued: list[int] = []
    for user in candidates:
        if user.is_staff:
            continue
        if user.inactivity_warned_at is None:
            user.inactivity_warned_at = now
            send_email(
                user.email,
                "Your unused TradeSetu account will be deleted in 48 hours",
                "privacy_inactive_warning",
                user=user,
                erase_at=notice.due(now),
                url=absolute_url("accounts.sign_in"),
            )
            audit.record("privacy.inactivity_warned", subject=user)
            warned += 1
        elif now >= notice.due(user.inactivity_warned_at):
            open_deletion = db.session.scalar(
                select(func.count(PrivacyRequest.id)).where(
                    PrivacyRequest.user_id == user.id,
                    PrivacyRequest.type == RequestType.DELETION,
                    PrivacyRequest.status.in_(OPEN_STATES),
                )
            )
            if not open_deletion:
                queued.append(_system_deletion(user, "inactive account", approved=True).id)
    commit()
    for request_id in queued:
        if run_deletion(request_id) in (
            RequestStatus.COMPLETE,
            RequestStatus.COMPLETE_WITH_RETENTION,
        ):
            erased += 1
    return {"warned": warned, "erased": erased}


def report_minor(actor: User, data: Any) -> PrivacyRequest:
    """An account reported as a child's is suspended at once (no sign-in reactivates it) and a
    deletion request opens for the officer to confirm; denying it lifts the suspension."""
    _officer(actor)
    inp = Input(data)
    user_id = inp.integer("user_id", minimum=1, maximum=MAX_ID)
    reason = inp.text("reason", max_length=2000, multiline=True)
    inp.errors.raise_if_any()
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound("No such account.")
    deletion = _system_deletion(user, f"reported as under 18: {reason}", approved=False)
    # A denial says the report was wrong: the account then goes back to how it stands now.
    deletion.details = {
        **deletion.details,
        "lift_if_denied": True,
        "active_before": user.is_active_account,
        "deactivated_before": iso_utc(user.deactivated_at),
    }
    deactivate(user, deletion, suspended_by=actor)
    audit.record("privacy.minor_reported", actor_id=actor.id, subject=user)
    return deletion
