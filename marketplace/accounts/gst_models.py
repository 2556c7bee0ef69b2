"""The receipt of one check of a supplier's GSTIN with the GST registry: what the registry said,
what it was compared with, the outcome, who asked and when. Receipts are never changed, except
that an officer closes the desk item a lapsed registration opened."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import GstVerification, SupplierProfile, User
from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class GstOutcome(enum.StrEnum):
    VERIFIED = "verified"  # active, and the name, state and PIN agree
    MISMATCH = "mismatch"  # active, but a field differs (`mismatches` names which)
    NOT_ACTIVE = "not_active"  # suspended or cancelled (or any status but Active)
    NOT_FOUND = "not_found"  # the registry knows no such GSTIN
    COULD_NOT_CHECK = "could_not_check"  # no usable answer: `problem` says why; badge untouched


# The registry's statuses as the portal keeps them ("other" keeps the registry's own words in
# `registry_status_text`).
class RegistryStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    OTHER = "other"


class CheckRequester(enum.StrEnum):
    ADMIN = "admin"  # an operator's command or page
    BEAT = "beat"  # the monthly re-check
    DEMO = "demo"  # `flask demo seed`


class GstCheck(db.Model):
    __tablename__ = "gst_checks"
    __table_args__ = (Index("ix_gst_checks_supplier_checked", "supplier_id", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"))
    gstin: Mapped[str] = mapped_column(String(15))
    outcome: Mapped[GstOutcome] = mapped_column(string_enum(GstOutcome, 24))
    # The fields that differ: "name", "state", "pincode" (a mismatch only).
    mismatches: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Which of the registry's names the business name matched: "legal" or "trade".
    name_matched: Mapped[str | None] = mapped_column(String(8))
    # Why there was no usable answer: "timeout", "unreachable", "http_error", "malformed".
    problem: Mapped[str | None] = mapped_column(String(32))
    # What the registry said (empty when it said nothing usable).
    registry_status: Mapped[RegistryStatus | None] = mapped_column(string_enum(RegistryStatus, 16))
    registry_status_text: Mapped[str | None] = mapped_column(String(64))
    legal_name: Mapped[str | None] = mapped_column(String(200))
    trade_name: Mapped[str | None] = mapped_column(String(200))
    taxpayer_type: Mapped[str | None] = mapped_column(String(64))
    registered_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    principal_address: Mapped[str | None] = mapped_column(Text)
    registry_state: Mapped[str | None] = mapped_column(String(64))
    registry_pincode: Mapped[str | None] = mapped_column(String(6))
    # What the supplier registered, as compared.
    compared_name: Mapped[str] = mapped_column(String(200))
    compared_state: Mapped[str] = mapped_column(String(64))
    compared_pincode: Mapped[str] = mapped_column(String(6))
    # The supplier's GST verification before and after this check.
    status_before: Mapped[GstVerification] = mapped_column(string_enum(GstVerification, 16))
    status_after: Mapped[GstVerification] = mapped_column(string_enum(GstVerification, 16))
    requested_by: Mapped[CheckRequester] = mapped_column(string_enum(CheckRequester, 16))
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A registration that lapsed under a verified badge waits on the officer's desk until closed.
    needs_officer: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    officer_note: Mapped[str | None] = mapped_column(Text)

    supplier: Mapped[SupplierProfile] = relationship()
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def removed_badge(self) -> bool:
        return (
            self.status_before == GstVerification.VERIFIED
            and self.status_after != GstVerification.VERIFIED
        )
