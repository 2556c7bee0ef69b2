"""Consent managers (DPDP Act 2023 s.6(7)-(9), DPDP Rules 2025 r.4): the registered bodies
through which a person gives, reviews and withdraws consent, and the nonces of their signed
calls (each used once, kept only for the replay window)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class ManagerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ConsentManager(db.Model):
    """A consent manager the grievance officer registered. Never deleted: the consent ledger
    names it for every choice it recorded; suspending it stops its calls."""

    __tablename__ = "consent_managers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The Data Protection Board's registration number (Rules r.4 and the First Schedule).
    registration_number: Mapped[str] = mapped_column(String(64), unique=True)
    # An Ed25519 public key, the 32 raw bytes in base64: the manager keeps the private key, so
    # nothing stored here lets anyone sign in its name.
    public_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[ManagerStatus] = mapped_column(
        string_enum(ManagerStatus, 16), default=ManagerStatus.ACTIVE
    )
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsentManagerNonce(db.Model):
    """A nonce a manager's signed call used: the unique constraint refuses a replay, and rows
    older than the timestamp window are purged (a replay that old fails on its timestamp)."""

    __tablename__ = "consent_manager_nonces"
    __table_args__ = (UniqueConstraint("manager_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("consent_managers.id"))
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
