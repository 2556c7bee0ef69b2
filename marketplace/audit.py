"""The audit log: an append-only record of sensitive actions.

Rows are written in the same transaction as the action they describe, so the log never claims an
action that was rolled back, nor misses one that was committed. A flush guard refuses any update
or delete of an existing row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketplace.accounts.models import User
from marketplace.db import UTCDateTime, paginate, utcnow
from marketplace.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_rewrites(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


def record(
    action: str,
    *,
    actor_id: int | None = None,
    subject: Any = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit row to the current transaction. `subject` is any model with an `id`."""
    event_row = AuditEvent(
        action=action,
        actor_id=actor_id,
        subject_type=type(subject).__tablename__ if subject is not None else None,
        subject_id=str(subject.id) if subject is not None else None,
        ip_address=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(event_row)
    return event_row


def recent_events(
    *,
    action: str | None = None,
    actor_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AuditEvent], int]:
    """Newest first; `since` is inclusive and `until` exclusive."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return paginate(query.order_by(AuditEvent.id.desc()), page=page, per_page=per_page)


# --- reading the log as a person: names, choices, details as text --------------------------


def recorded_actions() -> list[str]:
    """Every action the log holds, for the officer's list to choose from."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def actor_names(ids: Any) -> dict[int, str]:
    """'Name <email>' for each user id (erased or unknown ids are left out)."""
    wanted = {actor_id for actor_id in ids if actor_id}
    if not wanted:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {row.id: f"{row.name} <{row.email}>" for row in rows}


def recorded_actors() -> list[tuple[int, str]]:
    """The people who appear in the log as actors, by name."""
    ids = db.session.scalars(select(AuditEvent.actor_id).distinct())
    return sorted(actor_names(ids).items(), key=lambda pair: pair[1].lower())


def details_text(details: Any) -> str:
    """A row's details as 'key: value' lines, nested values flattened with dots."""
    lines: list[str] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            lines.append(f"{prefix}: {', '.join(str(item) for item in value) or '—'}")
        else:
            shown = (
                "—"
                if value is None
                else (_("yes") if value is True else _("no") if value is False else value)
            )
            lines.append(f"{prefix.replace('_', ' ')}: {shown}")

    walk("", details or {})
    return "\n".join(lines)
