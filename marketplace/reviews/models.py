"""A buyer's rating of a supplier (one per buyer and supplier), the supplier's one reply, and the
reports that put a review in front of the grievance officer."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import SupplierProfile, User
from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class Basis(enum.StrEnum):
    """The trade that earned the right to rate, shown beside the review as its receipt."""

    QUOTATION = "quotation"  # the supplier sent the buyer a quotation
    ANSWERED_ENQUIRY = "answered_enquiry"  # the supplier answered the buyer's enquiry
    BUYLEAD = "buylead"  # the supplier unlocked the buyer's buy requirement


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        # One rating per buyer and supplier: a second one edits the first. An erased author's
        # rating keeps no author (NULLs never collide), so it stays counted, anonymously.
        UniqueConstraint("supplier_id", "author_id"),
        Index("ix_reviews_supplier_created", "supplier_id", "created_at"),
        Index("ix_reviews_author", "author_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"))
    # No cascade: erasing the author anonymises the rating (see reviews.erasure).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[Basis] = mapped_column(string_enum(Basis, 24))
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supplier: Mapped[SupplierProfile] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def visible(self) -> bool:
        return self.hidden_at is None


class ReportOutcome(enum.StrEnum):
    HIDDEN = "hidden"  # the officer hid the review
    KEPT = "kept"  # the officer found nothing wrong with it


class ReviewReport(db.Model):
    """Someone asked the grievance officer to look at a review. Open until the officer decides."""

    __tablename__ = "review_reports"
    __table_args__ = (
        Index("ix_review_reports_open", "review_id", "resolved_at"),
        Index("ix_review_reports_reporter", "reporter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[ReportOutcome | None] = mapped_column(string_enum(ReportOutcome, 16))

    review: Mapped[Review] = relationship()
