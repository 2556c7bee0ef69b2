"""The supplier's lead pipeline: the lead manager's filters and list, moving a lead through its
statuses, notes, follow-up dates and their reminders. Flushes, never commits; the
lead.updated webhook deliveries are written in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    select,
)

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.db import IST, utcnow
from marketplace.extensions import db
from marketplace.leads import policy, queries, webhook_outbox
from marketplace.leads.models import (
    Lead,
    LeadNote,
    LeadStatus,
    LeadType,
    WebhookEvent,
)
from marketplace.notifications import absolute_url, send_email
from marketplace.validation import MAX_ID, Input, Invalid, read_date

FOLLOW_UP_HORIZON = timedelta(days=365)

REMINDER_BATCH = 500


def today_in_india() -> date:
    return utcnow().astimezone(IST).date()


def _moment(inp: Input, field: str, *, end: bool) -> datetime | None:
    """An ISO 8601 time with its zone, or a date (a whole day in India: from its midnight, or
    up to the next midnight for the end of a range)."""
    raw = inp.data.get(field)
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        inp.fail(field, "must be an ISO 8601 time such as 2026-11-22T10:15:00Z, or a date")
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time.min, IST).astimezone(UTC)
        value = datetime.fromisoformat(raw.replace(" ", "+", 1) if raw.count(" ") == 1 else raw)
        if value.tzinfo is None:
            inp.fail(field, "must say its time zone, e.g. 2026-11-22T10:15:00Z or +05:30")
            return None
        return value.astimezone(UTC)
    except ValueError:
        inp.fail(field, "must be an ISO 8601 time such as 2026-11-22T10:15:00Z, or a date")
    except OverflowError:  # 9999-12-31 and the day after, or before year 1 once in UTC
        inp.fail(field, "is out of range")
    return None


def read_lead_filter(args: Mapping[str, Any], *, pull: bool) -> queries.LeadFilter:
    """The lead list's filters, from a query string. For the CRM pull (`pull`) the window is
    at most seven days and always closed: it defaults to the last seven days, ends no later
    than a few seconds ago, and a CRM polls on from where the previous window ended."""
    inp = Input(args)
    kind = inp.text("type", required=False, check=lambda v: LeadType(_choice(v, LeadType)))
    status = inp.text("status", required=False, check=lambda v: LeadStatus(_choice(v, LeadStatus)))
    product_id = inp.integer("product_id", required=False, minimum=1, maximum=MAX_ID)
    start = _moment(inp, "start_time", end=False)
    end = _moment(inp, "end_time", end=True)
    unread = inp.boolean("unread")
    if pull and "start_time" not in inp.errors and "end_time" not in inp.errors:
        settled = utcnow() - queries.PULL_SETTLE
        if end is None:
            end = min(start + queries.MAX_PULL_WINDOW, settled) if start else settled
        end = min(end, settled)
        if start is None:
            start = end - queries.MAX_PULL_WINDOW
        if end - start > queries.MAX_PULL_WINDOW:
            inp.fail("end_time", "the window from start_time to end_time is at most 7 days")
    if start and end and end <= start and "end_time" not in inp.errors:
        inp.fail("end_time", "must be later than start_time")
    inp.raise_if_invalid()
    return queries.LeadFilter(
        type=kind, status=status, product_id=product_id, start=start, end=end, unread=unread
    )


def _choice(value: str, choices: type[Any]) -> str:
    if value not in {str(member) for member in choices}:
        raise Invalid("must be one of: " + ", ".join(str(member) for member in choices))
    return value


def list_leads(
    user: User, chosen: queries.LeadFilter, *, oldest_first: bool, page: int, per_page: int
) -> tuple[list[Lead], int]:
    supplier = policy.lead_receiver(user)
    query = queries.supplier_leads_query(supplier.id, chosen)
    return queries.page_of_leads(query, oldest_first=oldest_first, page=page, per_page=per_page)


_LEAD_FIELDS = {"status", "note", "follow_up_on"}


def update_lead(user: User, lead_id: int, data: Any) -> Lead:
    """Move a lead through the pipeline, add a note, set or clear the follow-up date."""
    lead = policy.supplier_lead(user, lead_id)
    inp = Input(data)
    for field in set(inp.data) - _LEAD_FIELDS:
        inp.fail(field, "is not a field of a lead that can be changed")
    status = inp.text("status", required=False, check=lambda v: LeadStatus(_choice(v, LeadStatus)))
    note = inp.text("note", required=False, max_length=2000, multiline=True)
    today = today_in_india()
    follow_up = read_date(inp, "follow_up_on", earliest=today, latest=today + FOLLOW_UP_HORIZON)
    if not inp.errors and not (status or note or "follow_up_on" in inp.data):
        inp.fail("body", "send at least one of: status, note, follow_up_on")
    inp.raise_if_invalid()
    changes: dict[str, Any] = {}
    if status and status != lead.status:
        changes["status"] = [str(lead.status), str(status)]
        lead.status = status
        if status == LeadStatus.SPAM:
            audit.record("lead.marked_spam", actor_id=user.id, subject=lead)
    if note:
        lead.notes.append(LeadNote(author_id=user.id, text=note))
        changes["note"] = True
    if "follow_up_on" in inp.data and follow_up != lead.follow_up_on:
        lead.follow_up_on = follow_up
        changes["follow_up_on"] = follow_up.isoformat() if follow_up else None
    if changes:
        lead.updated_at = utcnow()
        db.session.flush()
        webhook_outbox.emit(WebhookEvent.LEAD_UPDATED, lead)
    return lead


def remind_follow_ups() -> int:
    """Email each supplier about the follow-ups due today (or missed), once per lead and date."""
    today = today_in_india()
    due = db.session.scalars(
        select(Lead)
        .where(
            Lead.follow_up_on <= today,
            (Lead.follow_up_reminded_on.is_(None))
            | (Lead.follow_up_reminded_on != Lead.follow_up_on),
            Lead.status.not_in((LeadStatus.WON, LeadStatus.LOST, LeadStatus.SPAM)),
        )
        .order_by(Lead.id)
        .limit(REMINDER_BATCH)
    ).all()
    for lead in due:
        send_email(
            lead.supplier.user.email,
            f"Follow up today: {lead.buyer.name if lead.buyer else 'a lead'}",
            "follow_up",
            lead=lead,
            link=absolute_url("leads.lead_page", lead_id=lead.id),
        )
        lead.follow_up_reminded_on = lead.follow_up_on
    return len(due)
