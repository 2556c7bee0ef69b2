"""The access export's sections from the audit log: the person's sign-ins, and every other event
they made or that was about them (their account or their business), in words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from marketplace.accounts.models import SupplierProfile, User
from marketplace.audit import AuditEvent
from marketplace.extensions import db

Rows = list[dict[str, Any]]


def _business_id(user: User) -> str:
    return str(user.supplier.id) if user.supplier else "none"  # "none" matches no event


def _about_the_person(user: User) -> Any:
    return or_(
        AuditEvent.actor_id == user.id,
        (AuditEvent.subject_type == User.__tablename__) & (AuditEvent.subject_id == str(user.id)),
        (AuditEvent.subject_type == SupplierProfile.__tablename__)
        & (AuditEvent.subject_id == _business_id(user)),
    )


def sign_in_history(user: User) -> Rows:
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.like("auth.%"), _about_the_person(user))
        .order_by(AuditEvent.id)
    )
    return [
        {
            "action": e.action,
            "at": e.occurred_at,
            "ip_address": e.ip_address,
            "channel": (e.details or {}).get("channel"),
        }
        for e in rows
    ]


def activity(user: User) -> Rows:
    """Everything else the audit log holds that the person did, or that was done to them."""
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.not_like("auth.%"), _about_the_person(user))
        .order_by(AuditEvent.id)
    )
    return [
        {
            "action": e.action,
            "at": e.occurred_at,
            "by_you": e.actor_id == user.id,
            "about": _subject_words(user, e.subject_type, e.subject_id),
            "ip_address": e.ip_address,
        }
        for e in rows
    ]


_SUBJECTS = {
    "leads": "lead",
    "lead_messages": "message",
    "buy_requirements": "buy requirement",
    "products": "product",
    "privacy_requests": "privacy request",
    "grievances": "complaint",
    "credit_orders": "credit order",
    "invoices": "invoice",
    "api_credentials": "integration key",
    "webhooks": "webhook",
}


def _subject_words(user: User, table: str | None, subject_id: str | None) -> str | None:
    """What an event was about, in words ("your account", "lead 12")."""
    if table == User.__tablename__ and subject_id == str(user.id):
        return "your account"
    if table == SupplierProfile.__tablename__ and subject_id == _business_id(user):
        return "your business"
    if table is None:
        return None
    return f"{_SUBJECTS.get(table, table.replace('_', ' '))} {subject_id}"
