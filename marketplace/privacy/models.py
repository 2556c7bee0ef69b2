from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from marketplace.db import EncryptedText, UTCDateTime, string_enum, utcnow
from marketplace.extensions import db
from marketplace.privacy import manager_models  # noqa: F401  (the ledger's foreign key below)


class ConsentRecord(db.Model):
    """One entry of the append-only consent ledger; the current state is the latest per purpose."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_user_purpose", "user_id", "purpose", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No cascade: the ledger is the proof of consent and outlives the account's erasure.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool]
    policy_version: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))  # registration, settings, api, re-consent
    # The request's address and user agent (metadata of the choice), when there was a request.
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The consent manager through which the person made this choice (DPDP Act s.6(7)), if any.
    consent_manager_id: Mapped[int | None] = mapped_column(ForeignKey("consent_managers.id"))


class ConsentLedgerIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_consent_rewrites(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, ConsentRecord) and (obj in session.deleted or session.is_modified(obj)):
            raise ConsentLedgerIsAppendOnly("consent records cannot be changed or deleted")


# The ledger is append-only in the database itself, not only in the ORM: a trigger refuses any
# UPDATE (and on PostgreSQL any DELETE) of a row; created with the table by create_all and by
# migrations 0011 and 0020. SQLite has no way to tell the test harness's emptying DELETE from
# another, so there deletes are refused by the flush guard above only. The one change allowed is
# the purge's: emptying a row's address and browser (DPDP Rules r.8(3): one year; earlier once
# the person is erased), every other column as it was.
CONSENT_GUARD_SQLITE = (
    "DROP TRIGGER IF EXISTS consent_records_no_update",
    "CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records "
    "WHEN NOT (NEW.ip_address IS NULL AND NEW.user_agent IS NULL AND NEW.id IS OLD.id "
    "AND NEW.user_id IS OLD.user_id AND NEW.purpose IS OLD.purpose "
    "AND NEW.granted IS OLD.granted AND NEW.policy_version IS OLD.policy_version "
    "AND NEW.source IS OLD.source AND NEW.recorded_at IS OLD.recorded_at) "
    "BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END",
)
CONSENT_GUARD_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION consent_records_append_only() RETURNS trigger AS $$ "
    "BEGIN "
    "IF TG_OP = 'UPDATE' AND NEW.ip_address IS NULL AND NEW.user_agent IS NULL "
    "AND to_jsonb(NEW) - 'ip_address' - 'user_agent' "
    "= to_jsonb(OLD) - 'ip_address' - 'user_agent' THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'the consent ledger is append-only'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS consent_records_append_only ON consent_records",
    "CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records "
    "FOR EACH ROW EXECUTE FUNCTION consent_records_append_only()",
)

for _statement in CONSENT_GUARD_SQLITE:
    event.listen(
        ConsentRecord.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in CONSENT_GUARD_POSTGRESQL:
    event.listen(
        ConsentRecord.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )


class RequestType(enum.StrEnum):
    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"
    OBJECTION = "objection"
    DEACTIVATION = "deactivation"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    COMPLETE_WITH_RETENTION = "complete_with_retention"
    PAUSED = "paused"  # a legal hold applies; the reason is in hold_reason
    FAILED = "failed"


# Kept on a request to undo the workflow's own steps, never shown: the listings a deactivation or
# suspension paused, and how a reported account stood before its suspension.
WORKFLOW_DETAILS = frozenset(
    {"paused_products", "active_before", "deactivated_before", "lift_if_denied"}
)


class PrivacyRequest(db.Model):
    """A data principal's request (DPDP Act 2023 ss.11-14), with its due date and history."""

    __tablename__ = "privacy_requests"
    __table_args__ = (Index("ix_privacy_requests_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No cascade: the request outlives the erasure it asked for (its record is the certificate).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    type: Mapped[RequestType] = mapped_column(string_enum(RequestType, 16))
    status: Mapped[RequestStatus] = mapped_column(
        string_enum(RequestStatus, 32), default=RequestStatus.PENDING
    )
    # What was asked: an objection's purpose and reason, a correction's field and value; and
    # what the workflow keeps to undo its own steps (WORKFLOW_DETAILS).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_reason: Mapped[str | None] = mapped_column(String(300))
    # An access request's ZIP: a random file name under PRIVACY_EXPORT_PATH, until it expires.
    export_name: Mapped[str | None] = mapped_column(String(80))
    export_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A deletion's certificate: what was erased, what was kept, why and until when.
    certificate: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    history: Mapped[list[PrivacyRequestEvent]] = relationship(
        order_by="PrivacyRequestEvent.id", lazy="selectin"
    )

    @property
    def stated_details(self) -> dict[str, Any]:
        """The details a person states or reads: not the workflow's own bookkeeping."""
        return {key: value for key, value in self.details.items() if key not in WORKFLOW_DETAILS}


class PrivacyRequestEvent(db.Model):
    """One step of a request's status history (the audit log has the same steps)."""

    __tablename__ = "privacy_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("privacy_requests.id"), index=True)
    status: Mapped[RequestStatus] = mapped_column(string_enum(RequestStatus, 32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(300))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LegalHold(db.Model):
    """An officer's hold on a person's data (litigation, an investigation): erasure pauses."""

    __tablename__ = "privacy_legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ArchivedRecord(db.Model):
    """A statutory record kept after an erasure, encrypted, until `retain_until`; then purged.

    `subject_id` is deliberately not a foreign key: the archive is the one place the person's
    data may stay, and it must not tie the account's row in place."""

    __tablename__ = "privacy_archive"
    __table_args__ = (Index("ix_privacy_archive_retain_until", "retain_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("privacy_requests.id"))
    record_type: Mapped[str] = mapped_column(String(32))  # a key of retention.RULES
    reference: Mapped[str] = mapped_column(String(80))  # "invoice:TS/2026-27/0001"
    legal_basis: Mapped[str] = mapped_column(String(200))
    retain_until: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[str] = mapped_column(EncryptedText)  # JSON, encrypted at rest
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
