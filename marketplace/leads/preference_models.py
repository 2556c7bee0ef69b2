"""A supplier's BuyLead preferences: which buy requirements it wants to be matched to and told
of (categories, states and cities each included or excluded, a minimum order value, the kind of
buyer). One row per supplier; no row means every requirement the search matches."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import UTCDateTime, utcnow
from marketplace.extensions import db

BUYER_KINDS = ("any", "gst_registered")


class LeadPreferences(db.Model):
    __tablename__ = "lead_preferences"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), primary_key=True)
    # Category slugs (a category includes its sub-categories), state names (as accounts.india
    # names them), city names (compared without regard to case). An empty include list is "any".
    categories_included: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories_excluded: Mapped[list[str]] = mapped_column(JSON, default=list)
    states_included: Mapped[list[str]] = mapped_column(JSON, default=list)
    states_excluded: Mapped[list[str]] = mapped_column(JSON, default=list)
    cities_included: Mapped[list[str]] = mapped_column(JSON, default=list)
    cities_excluded: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The order value is the requirement's budget; a requirement without one passes the minimum
    # unless `include_without_budget` is off.
    min_order_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    include_without_budget: Mapped[bool] = mapped_column(default=True)
    buyer_kind: Mapped[str] = mapped_column(String(16), default="any")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
