"""What each audience sees of a grievance or a breach: the complainant, the officer, the public."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marketplace.db import IST
from marketplace.formatting import iso_utc
from marketplace.grievances.models import Breach, Grievance, GrievanceEvent


def ist(value: datetime | None, with_zone: bool = True) -> str:
    """A moment as people in India read it: '23 Nov 2026, 6:45 pm IST'."""
    if value is None:
        return "—"
    local = value.astimezone(IST)
    hour = local.strftime("%I").lstrip("0") or "12"
    text = f"{local.day} {local:%b %Y}, {hour}:{local:%M} {local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )
    return f"{text} IST" if with_zone else text


def created(grievance: Grievance) -> dict[str, Any]:
    return {
        "id": grievance.id,
        "reference": grievance.reference,
        "status": str(grievance.status),
        "acknowledge_by": iso_utc(grievance.acknowledge_by),
        "resolve_by": iso_utc(grievance.resolve_by),
    }


def _event(event: GrievanceEvent, *, officer: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": str(event.kind),
        "at": iso_utc(event.created_at),
        "status_from": event.status_from,
        "status_to": event.status_to,
        "text": event.text or "",
    }
    if officer:
        body["by"] = event.actor.name if event.actor else None
        body["public"] = event.public
    return body


def for_complainant(grievance: Grievance, *, appeal_by: datetime | None = None) -> dict[str, Any]:
    return {
        **created(grievance),
        "category": str(grievance.category),
        "subject": grievance.subject,
        "description": grievance.description,
        "received_at": iso_utc(grievance.received_at),
        "acknowledged_at": iso_utc(grievance.acknowledged_at),
        "resolved_at": iso_utc(grievance.resolved_at),
        "response": grievance.response,
        "appeal_by": iso_utc(appeal_by),
        "related": (
            {f"{grievance.related_kind}_id": grievance.related_id}
            if grievance.related_kind
            else None
        ),
        "history": [_event(event, officer=False) for event in grievance.events if event.public],
    }


def for_officer(
    grievance: Grievance, *, overdue: bool, appeal_by: datetime | None = None
) -> dict[str, Any]:
    return {
        **for_complainant(grievance, appeal_by=appeal_by),
        "complainant": {
            "id": grievance.complainant_id,
            "name": grievance.complainant_name,
            "email": grievance.complainant_email,
        },
        "assigned_to": (
            {"id": grievance.assigned_to.id, "name": grievance.assigned_to.name}
            if grievance.assigned_to
            else None
        ),
        "overdue": overdue,
        "history": [_event(event, officer=True) for event in grievance.events],
    }


def breach(row: Breach) -> dict[str, Any]:
    return {
        "id": row.id,
        "reference": row.reference,
        "detected_at": iso_utc(row.detected_at),
        "nature": row.nature,
        "data_affected": list(row.data_affected or []),
        "users_affected": row.users_affected,
        "measures": row.measures,
        "consequences": row.consequences,
        "user_safety_steps": row.user_safety_steps,
        "board_report_due": iso_utc(row.board_report_due),
        "board_intimated_at": iso_utc(row.board_intimated_at),
        "board_report_at": iso_utc(row.board_report_at),
        "users_notified_at": iso_utc(row.users_notified_at),
        "users_notified": row.users_notified,
        "status": str(row.status),
        "closed_at": iso_utc(row.closed_at),
    }
