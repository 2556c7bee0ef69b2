"""The erasure of an account: an approved deletion request run through every domain's eraser,
with the statutory records archived and a certificate sent.

Functions flush but never commit, unless they say so.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.identifiers import PersonIdentifiers
from marketplace.legal_clocks import clock as legal_clock
from marketplace.notifications import send_email
from marketplace.privacy import clock
from marketplace.privacy.erasure import Subject, erasers
from marketplace.privacy.models import ArchivedRecord, PrivacyRequest, RequestStatus, RequestType
from marketplace.privacy.retention import rule
from marketplace.privacy.workflow import move

log = logging.getLogger(__name__)


def erasure_subject(user: User, request_id: int | None) -> Subject:
    profile = user.supplier
    return Subject(
        user=user,
        now=clock.now(),
        email=user.email,
        name=user.name,
        phone=user.phone,
        phone_digest=user.phone_digest,
        supplier_id=profile.id if profile else None,
        request_id=request_id,
        person=known_person(user),
    )


def known_person(user: User) -> PersonIdentifiers:
    """Every identifier the portal holds for `user`: what an erasure looks for in any text."""
    profile = user.supplier
    return PersonIdentifiers.of(
        emails=[user.email, user.pending_email],
        phones=[user.phone],
        gstins=[profile.gstin] if profile else [],
        pans=[profile.pan] if profile else [],
        names=[user.name],
        # The trade name, where the GST registry gave one, is a name people know them by too.
        businesses=[profile.company_name, getattr(profile, "trade_name", None)] if profile else [],
        addresses=[profile.address_line1] if profile else [],
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
    subject = erasure_subject(user, row.id)
    chain = erasers()
    holds = [reason for eraser in chain for reason in eraser.holds(subject)]
    if holds:
        row.hold_reason = "; ".join(holds)[:300]
        if row.status != RequestStatus.PAUSED:
            move(row, RequestStatus.PAUSED, None, row.hold_reason)
            send_email(
                user.email,
                _l("Your privacy request #%(number)s", number=row.id),
                "privacy_decision",
                language=user.language,
                user=user,
                row=row,
            )
        commit()
        return row.status
    try:
        move(row, RequestStatus.IN_PROGRESS, None)
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
                    legal_basis=retention.legal.law_text,  # stored: English, as the law names it
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
            _l("Your account has been deleted: what was erased and what is kept"),
            "privacy_certificate",
            language=user.language,
            name=subject.name,
            certificate=row.certificate,
        )
        row.completed_at = subject.now
        move(row, status, None, f"{len(kept)} statutory records archived")
        commit()
        return status
    except Exception:
        log.exception("erasure of request %s failed", request_id)
        db.session.rollback()
        row = db.session.get(PrivacyRequest, request_id)
        assert row is not None
        move(row, RequestStatus.FAILED, None, "the erasure failed and was rolled back")
        commit()
        return RequestStatus.FAILED


def open_system_deletion(user: User, reason: str, *, approved: bool) -> PrivacyRequest:
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
    move(row, RequestStatus.PENDING, None, reason)
    if approved:
        row.decided_at = now
        row.decision_reason = reason
        move(row, RequestStatus.APPROVED, None, reason)
    return row
