"""Newsletters: what an officer composed for one optional purpose and one channel, and one row
per person the sending considered (sent, or skipped because their consent no longer stood)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class NewsletterStatus(enum.StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    SENT = "sent"


class Newsletter(db.Model):
    __tablename__ = "newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))  # marketing, newsletters, partner_offers
    channel: Mapped[str] = mapped_column(String(16))  # email or sms
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[NewsletterStatus] = mapped_column(
        string_enum(NewsletterStatus, 16), default=NewsletterStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NewsletterDelivery(db.Model):
    """One person's outcome for one newsletter: the unique pair makes a task that runs twice
    send nobody a second copy."""

    __tablename__ = "newsletter_deliveries"
    __table_args__ = (UniqueConstraint("newsletter_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletters.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sent: Mapped[bool]  # False: their consent had been withdrawn when their message was built
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
