"""The supplier's lead pipeline: the lead manager's filters and list, moving a lead through its
statuses, notes, follow-up dates and their reminders. Flushes, never commits; the
lead.updated webhook deliveries are written in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    select,
)

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.leads import assignment, policy, queries, webhook_outbox
from marketplace.leads.inputs import LeadChange, LeadQuery, today_in_india
from marketplace.leads.models import (
    Lead,
    LeadNote,
    LeadStatus,
    WebhookEvent,
)
from marketplace.leads.response_times import record_first_response
from marketplace.notifications import absolute_url, send_email
from marketplace.validation import refuse_field

REMINDER_BATCH = 500


def lead_filter(query: LeadQuery, *, pull: bool) -> queries.LeadFilter:
    """The lead list's filters. For the CRM pull (`pull`) the window is at most seven days and
    always closed: it defaults to the last seven days, ends no later than a few seconds ago,
    and a CRM polls on from where the previous window ended."""
    start, end = query.start_time, query.end_time
    if pull:
        settled = utcnow() - queries.PULL_SETTLE
        if end is None:
            end = min(start + queries.MAX_PULL_WINDOW, settled) if start else settled
        end = min(end, settled)
        if start is None:
            start = end - queries.MAX_PULL_WINDOW
        if end - start > queries.MAX_PULL_WINDOW:
            refuse_field("end_time", _("the window from start_time to end_time is at most 7 days"))
    if start and end and end <= start:
        refuse_field("end_time", _("must be later than start_time"))
    return queries.LeadFilter(
        type=query.type,
        status=query.status,
        product_id=query.product_id,
        start=start,
        end=end,
        unread=query.unread,
    )


def list_leads(
    user: User, chosen: queries.LeadFilter, *, oldest_first: bool, page: int, per_page: int
) -> tuple[list[Lead], int]:
    """The caller's leads (a sales person's: those assigned to them); on a page (newest first)
    the caller's own leads come first."""
    scope = policy.lead_scope(user)
    chosen = replace(chosen, assignee_id=scope.only_assignee_id)
    query = queries.supplier_leads_query(scope.supplier.id, chosen)
    first_for = None if oldest_first else scope.user_id
    return queries.page_of_leads(
        query, oldest_first=oldest_first, page=page, per_page=per_page, first_for=first_for
    )


def update_lead(user: User, lead_id: int, change: LeadChange) -> Lead:
    """Move a lead through the pipeline, add a note, set or clear the follow-up date."""
    lead = policy.supplier_lead(user, lead_id)
    status, note, follow_up = change.status, change.note, change.follow_up_on
    changes: dict[str, Any] = {}
    if status and status != lead.status:
        changes["status"] = [str(lead.status), str(status)]
        lead.status = status
        if status == LeadStatus.SPAM:
            audit.record("lead.marked_spam", actor_id=user.id, subject=lead)
            record_first_response(lead)
    if note:
        lead.notes.append(LeadNote(author_id=user.id, text=note))
        changes["note"] = True
    if "follow_up_on" in change.model_fields_set and follow_up != lead.follow_up_on:
        lead.follow_up_on = follow_up
        changes["follow_up_on"] = follow_up.isoformat() if follow_up else None
    if change.assignee_id is not None and change.assignee_id != lead.assignee_id:
        assignment.reassign(user, lead.id, change.assignee_id)
        changes["assignee_id"] = change.assignee_id
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
        person = assignment.works_it(lead)
        send_email(
            person.email,
            _l("Follow up today: %(name)s", name=lead.buyer.name)
            if lead.buyer
            else _l("Follow up today: a lead"),
            "follow_up",
            language=person.language,
            lead=lead,
            link=absolute_url("leads.lead_page", lead_id=lead.id),
        )
        lead.follow_up_reminded_on = lead.follow_up_on
    return len(due)
