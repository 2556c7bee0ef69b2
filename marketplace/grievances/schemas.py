"""What each audience sees of a grievance or a breach: the complainant, the officer, the public."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict  # pydantic reads typing's own only from 3.12

from marketplace.fields import MaybeTimestamp, Timestamp
from marketplace.grievances.models import Breach as BreachRow
from marketplace.grievances.models import BreachStatus, Category, EventKind, GuestGrievance, Status
from marketplace.grievances.models import Grievance as GrievanceRow
from marketplace.grievances.models import GrievanceEvent as GrievanceEventRow

_STATUSES = [str(status) for status in Status]
_CATEGORIES = [str(category) for category in Category]


class GrievanceCreated(TypedDict):
    id: int
    reference: str
    status: Annotated[str, Field(json_schema_extra={"enum": _STATUSES})]
    acknowledge_by: Timestamp
    resolve_by: Timestamp


class GuestDraft(TypedDict):
    """A guest's complaint, waiting for the code mailed to them."""

    verification_id: str
    expires_at: Timestamp


def guest_draft(draft: GuestGrievance) -> GuestDraft:
    return {"verification_id": draft.id, "expires_at": draft.expires_at}


class GrievanceEvent(TypedDict):
    """One step of a complaint's history, as the complainant sees it."""

    kind: Annotated[str, Field(json_schema_extra={"enum": [str(kind) for kind in EventKind]})]
    at: Timestamp
    status_from: str | None
    status_to: str | None
    text: str


class GrievanceEventForOfficer(GrievanceEvent):
    """A step as the officers see it: who took it, and whether the complainant sees it."""

    by: str | None
    public: Annotated[bool, Field(description="false: an officers' note")]


class Grievance(GrievanceCreated):
    """A complaint as its complainant sees it: the replies, never the officers' notes."""

    category: Annotated[str, Field(json_schema_extra={"enum": _CATEGORIES})]
    subject: str
    description: str
    received_at: Timestamp
    acknowledged_at: MaybeTimestamp
    resolved_at: MaybeTimestamp
    response: str | None
    appeal_by: Annotated[
        MaybeTimestamp, Field(description="the last moment to appeal a decision (30 days)")
    ]
    related: dict[str, int | None] | None
    history: list[GrievanceEvent]


class Complainant(TypedDict):
    id: int | None
    name: str
    email: str


class Officer(TypedDict):
    id: int
    name: str


class GrievanceForOfficer(Grievance):
    """A complaint as the officers see it: who complained, who works on it, the whole history."""

    complainant: Complainant
    assigned_to: Officer | None
    overdue: bool
    history: list[GrievanceEventForOfficer]  # type: ignore[misc]  (every step, notes too)


# What a person reads of a complaint: the officers' view or the complainant's.
GrievanceView = GrievanceForOfficer | Grievance


class GrievancePage(TypedDict):
    """One page of grievances, each as its reader may see it: `?page=1&per_page=20` (named here:
    fields.Page of a union would be named for no one type)."""

    items: list[GrievanceView]
    total: int
    page: int
    per_page: int


def created(grievance: GrievanceRow) -> GrievanceCreated:
    return {
        "id": grievance.id,
        "reference": grievance.reference,
        "status": str(grievance.status),
        "acknowledge_by": grievance.acknowledge_by,
        "resolve_by": grievance.resolve_by,
    }


def _event(event: GrievanceEventRow) -> GrievanceEvent:
    return {
        "kind": str(event.kind),
        "at": event.created_at,
        "status_from": event.status_from,
        "status_to": event.status_to,
        "text": event.text or "",
    }


def _event_for_officer(event: GrievanceEventRow) -> GrievanceEventForOfficer:
    return {
        **_event(event),
        "by": event.actor.name if event.actor else None,
        "public": event.public,
    }


def for_complainant(grievance: GrievanceRow, *, appeal_by: datetime | None = None) -> Grievance:
    return {
        **created(grievance),
        "category": str(grievance.category),
        "subject": grievance.subject,
        "description": grievance.description,
        "received_at": grievance.received_at,
        "acknowledged_at": grievance.acknowledged_at,
        "resolved_at": grievance.resolved_at,
        "response": grievance.response,
        "appeal_by": appeal_by,
        "related": (
            {f"{grievance.related_kind}_id": grievance.related_id}
            if grievance.related_kind
            else None
        ),
        "history": [_event(event) for event in grievance.events if event.public],
    }


def for_officer(
    grievance: GrievanceRow, *, overdue: bool, appeal_by: datetime | None = None
) -> GrievanceForOfficer:
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
        "history": [_event_for_officer(event) for event in grievance.events],
    }


class Breach(TypedDict):
    id: int
    reference: str
    detected_at: Timestamp
    nature: str
    data_affected: list[str]
    users_affected: int
    measures: str
    consequences: str
    user_safety_steps: str
    occurred_at: MaybeTimestamp
    occurred_where: str
    extent: str
    board_report_due: Annotated[Timestamp, Field(description="72 hours after detected_at")]
    board_intimated_at: MaybeTimestamp
    board_report_at: MaybeTimestamp
    users_notified_at: MaybeTimestamp
    users_notified: int
    status: Annotated[str, Field(json_schema_extra={"enum": [str(s) for s in BreachStatus]})]
    closed_at: MaybeTimestamp


def breach(row: BreachRow) -> Breach:
    return {
        "id": row.id,
        "reference": row.reference,
        "detected_at": row.detected_at,
        "nature": row.nature,
        "data_affected": list(row.data_affected or []),
        "users_affected": row.users_affected,
        "measures": row.measures,
        "consequences": row.consequences,
        "user_safety_steps": row.user_safety_steps,
        "occurred_at": row.occurred_at,
        "occurred_where": row.occurred_where,
        "extent": row.extent,
        "board_report_due": row.board_report_due,
        "board_intimated_at": row.board_intimated_at,
        "board_report_at": row.board_report_at,
        "users_notified_at": row.users_notified_at,
        "users_notified": row.users_notified,
        "status": str(row.status),
        "closed_at": row.closed_at,
    }


_COUNTS = dict[str, int]

# The compliance report ("from" is a Python keyword, hence the functional form).
GrievanceReport = TypedDict(
    "GrievanceReport",
    {
        "from": Annotated[str, Field(json_schema_extra={"format": "date"})],
        "to": Annotated[str, Field(json_schema_extra={"format": "date"})],
        "received": int,
        "acknowledged_on_time": int,
        "resolved": int,
        "resolved_on_time": int,
        "appealed": int,
        "content_removals": Annotated[
            int, Field(description="complaints asking to remove content (72-hour clock)")
        ],
        "content_removals_on_time": Annotated[
            int, Field(description="of those, acted on within their 72 hours")
        ],
        "by_category": _COUNTS,
        "by_status": _COUNTS,
        "median_hours_to_resolve": float | None,
        "privacy_requests_by_type": Annotated[
            _COUNTS, Field(description="privacy requests received in the period, by type")
        ],
    },
)
