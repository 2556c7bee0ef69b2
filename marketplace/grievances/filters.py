"""The officer's filters, read from a page's query string: the grievance list's, the desk
queue's and the audit log's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from marketplace.desk import DeskItem
from marketplace.grievances import moments
from marketplace.grievances.models import Category, Status
from marketplace.validation import day_or_none, record_id


@dataclass(frozen=True)
class GrievanceFilter:
    """The grievance list's choices, as marketplace.grievances.inputs.GrievanceFilterIn reads
    them from a query string."""

    status: Status | None = None
    overdue: bool | None = None
    category: Category | None = None
    q: str | None = None
    assigned_to_id: int | None = None


@dataclass(frozen=True)
class DeskFilter:
    """The desk queue's choices; an empty one means any."""

    kind: str = ""
    urgency: str = ""  # "overdue", "due_soon" or "on_track"
    q: str = ""
    assigned: str = ""  # an officer's name, or "unassigned"


def read_desk_filter(args: Mapping[str, Any]) -> DeskFilter:
    """Anything is accepted: a value that matches no item just empties the queue."""
    return DeskFilter(
        kind=args.get("kind") or "",
        urgency=args.get("urgency") or "",
        q=(args.get("q") or "").strip().lower()[:100],
        assigned=args.get("assigned") or "",
    )


def desk_items(items: list[DeskItem], chosen: DeskFilter, now: datetime) -> list[DeskItem]:
    if chosen.kind:
        items = [item for item in items if item.kind == chosen.kind]
    if chosen.urgency:
        items = [item for item in items if item.urgency(now) == chosen.urgency]
    if chosen.q:
        items = [
            item
            for item in items
            if chosen.q in item.reference.lower() or chosen.q in item.subject.lower()
        ]
    if chosen.assigned == "unassigned":
        items = [item for item in items if not item.assigned_to]
    elif chosen.assigned:
        items = [item for item in items if item.assigned_to == chosen.assigned]
    return items


def desk_kinds(items: list[DeskItem]) -> list[str]:
    """The kinds the queue can be narrowed to: those on it, and always the desk's own."""
    return sorted({item.kind for item in items} | {"grievance", "breach"})


def urgency_counts(items: list[DeskItem], now: datetime) -> dict[str, int]:
    return {
        name: sum(1 for item in items if item.urgency(now) == name)
        for name in ("overdue", "due_soon")
    }


def audit_filters(args: Any) -> dict[str, Any]:
    """The officer's audit filters: an action, a person, and days in India (both included).
    A value that cannot be read is ignored, so a hand-edited URL shows the unfiltered log."""
    action = (args.get("action") or "").strip()[:64] or None
    actor = args.get("actor") or ""
    actor_id = record_id(actor)
    latest = moments.today_in_india() + timedelta(days=1)
    since, until = (
        day_or_none(args.get(name), earliest=moments.EARLIEST_DAY, latest=latest)
        for name in ("since", "until")
    )
    return {
        "action": action,
        "actor_id": actor_id,
        "since_day": since,
        "until_day": until,
        "since": moments.ist_day_start(since) if since else None,
        "until": moments.ist_day_start(until + timedelta(days=1)) if until else None,
    }
