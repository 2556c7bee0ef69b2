"""A supplier's team: the people its owner invited, each with one team role."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import SupplierProfile, User
from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class TeamRole(enum.StrEnum):
    MANAGER = "manager"  # everything but billing and the team
    SALES = "sales"  # the leads assigned to them, their conversations and quotations
    CATALOGUE = "catalogue"  # listings and photos


TEAM_ROLE_LABELS: dict[TeamRole, LazyString] = {
    TeamRole.MANAGER: _l("Manager: everything except credits, invoices and the team"),
    TeamRole.SALES: _l("Sales: the leads given to them, replies and quotations"),
    TeamRole.CATALOGUE: _l("Catalogue: products and photos"),
}


class TeamMember(db.Model):
    """One person on one business's team. A person belongs to one business at most (the unique
    user); a removed member's row stays, with `removed_at`, so that the leads and the audit log
    that name them still say who they were."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    role: Mapped[TeamRole] = mapped_column(string_enum(TeamRole, 16))
    # Marked away (leave, travel): round-robin assignment passes them by until they are back.
    away: Mapped[bool] = mapped_column(default=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when they chose a password from the invitation's link: only then may they act.
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    supplier: Mapped[SupplierProfile] = relationship()

    @property
    def current(self) -> bool:
        return self.joined_at is not None and self.removed_at is None
