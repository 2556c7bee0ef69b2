"""Grievances (complaints under the IT Rules' clocks), their history, guests' email
confirmations, deadline warnings already sent, and the register of personal-data breaches."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class Category(enum.StrEnum):
    PRIVACY = "privacy"
    FRAUD = "fraud"  # fraud or a misleading listing
    LEAD_QUALITY = "lead_quality"  # lead quality or spam
    ACCOUNT = "account"
    PAYMENT = "payment"  # payment or invoice
    # A request to remove content (a listing, photo, message): acted on within 72 hours
    # (IT Rules 2021 r.3(2)(a)(i), proviso as amended in 2022).
    CONTENT_REMOVAL = "content_removal"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, str] = {
    Category.PRIVACY: _l("Privacy and personal data"),
    Category.FRAUD: _l("Fraud or a misleading listing"),
    Category.LEAD_QUALITY: _l("Lead quality or spam"),
    Category.ACCOUNT: _l("My account"),
    Category.PAYMENT: _l("Payment or invoice"),
    Category.CONTENT_REMOVAL: _l("Remove content (a listing, photo or message)"),
    Category.OTHER: _l("Something else"),
}


class Status(enum.StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    APPEALED = "appealed"
    CLOSED = "closed"


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: _l("Received"),
    Status.ACKNOWLEDGED: _l("Acknowledged"),
    Status.IN_REVIEW: _l("In review"),
    Status.RESOLVED: _l("Resolved"),
    Status.REJECTED: _l("Rejected"),
    Status.APPEALED: _l("Appealed"),
    Status.CLOSED: _l("Closed"),
}

# Where the clock to resolve still runs.
OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_REVIEW, Status.APPEALED)
DECIDED_STATUSES = (Status.RESOLVED, Status.REJECTED)


class EventKind(enum.StrEnum):
    FILED = "filed"
    STATUS = "status"
    REPLY = "reply"  # seen by the complainant, and mailed to them
    NOTE = "note"  # officers only
    ASSIGNED = "assigned"
    APPEAL = "appeal"


class RelatedKind(enum.StrEnum):
    PRODUCT = "product"
    LEAD = "lead"
    ORDER = "order"


class Grievance(db.Model):
    __tablename__ = "grievances"
    __table_args__ = (
        Index("ix_grievances_status_resolve_by", "status", "resolve_by"),
        Index("ix_grievances_complainant", "complainant_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    # A guest has no account: the confirmed email is how the officer reaches them.
    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    complainant_name: Mapped[str] = mapped_column(String(100))
    complainant_email: Mapped[str] = mapped_column(String(254))
    category: Mapped[Category] = mapped_column(string_enum(Category, 24))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    related_kind: Mapped[RelatedKind | None] = mapped_column(string_enum(RelatedKind, 16))
    related_id: Mapped[int | None] = mapped_column()
    status: Mapped[Status] = mapped_column(string_enum(Status, 16), default=Status.RECEIVED)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledge_by: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_by: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # resolved or rejected
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response: Mapped[str | None] = mapped_column(Text)  # the latest reply to the complainant
    # The language it was written in ('en', 'hi'): the officer reads it so, and the
    # complainant's mails about it go out in it (marketplace.i18n.in_language).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    complainant: Mapped[User | None] = relationship(foreign_keys=[complainant_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    events: Mapped[list[GrievanceEvent]] = relationship(
        back_populates="grievance", order_by="GrievanceEvent.id"
    )
    attachments: Mapped[list[GrievanceAttachment]] = relationship(
        back_populates="grievance", order_by="GrievanceAttachment.id"
    )


class GrievanceEvent(db.Model):
    """One line of a grievance's history: filed, a status change, a reply, a note, ..."""

    __tablename__ = "grievance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(string_enum(EventKind, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(default=True)  # shown to the complainant
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grievance: Mapped[Grievance] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class GrievanceAttachment(db.Model):
    """A photo or screenshot, checked and re-encoded like a product photo."""

    __tablename__ = "grievance_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id"), index=True)
    filename: Mapped[str] = mapped_column(String(64))  # under UPLOAD_PATH/grievances/
    original_name: Mapped[str] = mapped_column(String(200))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grievance: Mapped[Grievance] = relationship(back_populates="attachments")


class GuestGrievance(db.Model):
    """A guest's complaint waiting for the one-time code mailed to the address they gave.
    Nothing reaches the desk (and no clock starts) until the address is confirmed."""

    __tablename__ = "grievance_guest_drafts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    code_digest: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    grievance_id: Mapped[int | None] = mapped_column(ForeignKey("grievances.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeskWarning(db.Model):
    """A deadline warning already sent, so that each desk item's deadline is warned once."""

    __tablename__ = "desk_warnings"
    __table_args__ = (UniqueConstraint("kind", "item_id", "deadline", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column()
    deadline: Mapped[str] = mapped_column(String(16))  # "acknowledge" or "resolve"
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BreachStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Breach(db.Model):
    """A personal-data breach and the notices the DPDP Rules 2025 r.7 require."""

    __tablename__ = "breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    nature: Mapped[str] = mapped_column(Text)
    data_affected: Mapped[list[str]] = mapped_column(JSON, default=list)
    users_affected: Mapped[int] = mapped_column(default=0)
    measures: Mapped[str] = mapped_column(Text, default="")
    # What each person affected is told (DPDP Rules r.7(1)) besides the nature and the measures:
    # when and where it occurred, its extent, its likely consequences, what they can do.
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    occurred_where: Mapped[str] = mapped_column(Text, default="")
    extent: Mapped[str] = mapped_column(Text, default="")
    consequences: Mapped[str] = mapped_column(Text, default="")
    user_safety_steps: Mapped[str] = mapped_column(Text, default="")
    board_report_due: Mapped[datetime] = mapped_column(UTCDateTime)
    board_intimated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    board_report_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    users_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    users_notified: Mapped[int] = mapped_column(default=0)
    status: Mapped[BreachStatus] = mapped_column(
        string_enum(BreachStatus, 16), default=BreachStatus.OPEN
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
