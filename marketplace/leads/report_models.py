"""Reports of bad BuyLeads: a supplier that unlocked a buy requirement says the contact was no
good (a number nobody answers, not a buyer, already bought, false details); the grievance
officer upholds or rejects the report. An upheld report returns the credit and counts against
the buyer."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import SupplierProfile, User
from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db
from marketplace.leads.models import BuyRequirement, Lead


class ReportReason(enum.StrEnum):
    NOT_REACHABLE = "not_reachable"
    NOT_A_BUYER = "not_a_buyer"
    ALREADY_BOUGHT = "already_bought"
    FALSE_DETAILS = "false_details"


REASON_LABELS = {
    ReportReason.NOT_REACHABLE: _l("The number is not reachable"),
    ReportReason.NOT_A_BUYER: _l("Not a buyer"),
    ReportReason.ALREADY_BOUGHT: _l("Already bought elsewhere"),
    ReportReason.FALSE_DETAILS: _l("The contact details are false"),
}


class ReportStatus(enum.StrEnum):
    PENDING = "pending"  # on the officer's desk
    UPHELD = "upheld"  # the credit went back; counts against the buyer
    REJECTED = "rejected"


class BuyLeadReport(db.Model):
    __tablename__ = "buylead_reports"
    __table_args__ = (
        # One report per unlock: a double submit finds the first one (the refund rides on it).
        UniqueConstraint("lead_id", name="uq_buylead_reports_lead"),
        Index("ix_buylead_reports_requirement_status", "requirement_id", "status"),
        Index("ix_buylead_reports_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("buy_requirements.id"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))  # the unlock reported
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[ReportReason] = mapped_column(string_enum(ReportReason, 24))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReportStatus] = mapped_column(
        string_enum(ReportStatus, 16), default=ReportStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requirement: Mapped[BuyRequirement] = relationship()
    lead: Mapped[Lead] = relationship()
    supplier: Mapped[SupplierProfile] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
