"""A supplier's BuyLead reports and preferences in its access export
(marketplace.privacy.export_sections lists these sections)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.leads.preference_models import LeadPreferences
from marketplace.leads.report_models import BuyLeadReport

Rows = list[dict[str, Any]]
_LISTS = [f"{n}_{w}" for n in ("categories", "states", "cities") for w in ("included", "excluded")]


def _supplier_id(user: User) -> int:
    return user.supplier.id if user.supplier else -1  # -1: no row matches


def report_rows(user: User) -> Rows:
    rows = db.session.scalars(
        select(BuyLeadReport)
        .where(
            or_(
                BuyLeadReport.supplier_id == _supplier_id(user),
                BuyLeadReport.reporter_id == user.id,
            )
        )
        .order_by(BuyLeadReport.id)
    )
    return [
        {
            "buy_requirement": r.requirement_id,
            "reason": r.reason.value,
            "note": r.note,
            "status": r.status.value,
            "decision_reason": r.decision_reason,
            "reported_at": r.created_at,
            "decided_at": r.decided_at,
        }
        for r in rows
    ]


def preference_rows(user: User) -> Rows:
    row = db.session.get(LeadPreferences, _supplier_id(user))
    if row is None:
        return []
    return [
        {
            **{name: ", ".join(getattr(row, name) or []) for name in _LISTS},
            "min_order_value": row.min_order_value,
            "include_without_budget": row.include_without_budget,
            "buyer_kind": row.buyer_kind,
            "updated_at": row.updated_at,
        }
    ]
