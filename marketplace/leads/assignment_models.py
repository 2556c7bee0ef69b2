"""How a business shares its new leads out: a round-robin cursor per business, and rules that
send a category's or a state's leads to one person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.db import UTCDateTime, utcnow
from marketplace.extensions import db


class AssignmentCursor(db.Model):
    """Who had the business's last round-robin lead. Every assignment locks this row first, so
    that two leads arriving together are handed out one after the other, never to one person
    twice while another waits their turn."""

    __tablename__ = "lead_assignment_cursors"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), primary_key=True)
    last_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssignmentRule(db.Model):
    """A category's or a state's leads go to one person (while they are active)."""

    __tablename__ = "lead_assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    state: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
