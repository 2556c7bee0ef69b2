"""The grievance officer's desk: one queue of everything that runs on a legal clock.

Each domain that puts work in front of the officer (grievances, privacy requests, breaches)
registers a source: a function that returns its open items as `DeskItem`s. The desk page and the
deadline warnings read `open_items()`, so a new kind of request joins the queue, the sort by
nearest deadline and the warnings by registering one function, without the desk knowing it.

    from marketplace import desk

    @desk.register_source
    def _open_privacy_requests() -> Iterable[desk.DeskItem]:
        ...

Sources are called inside an app context with a database session; they must only read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l

Source = Callable[[], Iterable["DeskItem"]]

_SOURCES: list[Source] = []

# What each kind of item is called on the desk (a kind without a name here reads as its code).
KIND_LABELS = {
    "grievance": _l("Complaint"),
    "breach": _l("Data breach"),
    "privacy_request": _l("Privacy request"),
    "buylead_report": _l("BuyLead report"),
    "gst_registration": _l("GST registration"),
    "review_report": _l("Reported review"),
}

# An item whose next deadline is this close is "due soon" on the desk and in warnings.
DUE_SOON_HOURS = 6


@dataclass(frozen=True)
class DeskItem:
    kind: str  # "grievance", "privacy_request", "breach", ...
    id: int
    reference: str
    subject: str
    status: str
    received_at: datetime
    acknowledge_by: datetime | None  # None once acknowledged (or when no such clock applies)
    resolve_by: datetime | None  # None once resolved (or when no such clock applies)
    url: str
    assigned_to: str | None = None  # the officer's name
    status_label: str = ""  # the status in words, as its domain says it
    language: str | None = None  # what a complaint was written in ('en', 'hi'), for the officer

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def next_deadline(self) -> datetime | None:
        deadlines = [due for due in (self.acknowledge_by, self.resolve_by) if due is not None]
        return min(deadlines) if deadlines else None

    @property
    def next_deadline_name(self) -> str | None:
        if self.next_deadline is None:
            return None
        return "acknowledge" if self.next_deadline == self.acknowledge_by else "resolve"

    def urgency(self, now: datetime) -> str:
        """'overdue', 'due_soon' (within DUE_SOON_HOURS) or 'on_track'."""
        due = self.next_deadline
        if due is None:
            return "on_track"
        if due <= now:
            return "overdue"
        if (due - now).total_seconds() <= DUE_SOON_HOURS * 3600:
            return "due_soon"
        return "on_track"


def register_source(fn: Source) -> Source:
    """Add a source of open items (usable as a decorator). Registering one twice is harmless."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def sources() -> list[Source]:
    return list(_SOURCES)


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def open_items() -> list[DeskItem]:
    """Every source's open items, nearest deadline first (items without one last). Sources
    build their links with url_for; a beat task has no request, so it gets one here, once."""
    if has_request_context():
        items = [item for source in _SOURCES for item in source()]
    else:
        with current_app.test_request_context():
            items = [item for source in _SOURCES for item in source()]
    return sorted(items, key=lambda item: (item.next_deadline or _FAR_FUTURE, item.received_at))
