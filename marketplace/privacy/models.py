from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import UTCDateTime, utcnow
from marketplace.extensions import db


class ConsentRecord(db.Model):
    """One entry of the append-only consent ledger; the current state is the latest per purpose."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_user_purpose", "user_id", "purpose", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool]
    policy_version: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))  # registration, settings, api, ...
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
