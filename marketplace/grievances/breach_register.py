"""The breach register: recording a personal data breach, the notices to the Board and to the
people affected, and closing it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app

from marketplace import audit
from marketplace.accounts import identity
from marketplace.accounts.models import User
from marketplace.db import IST
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.grievances import moments, policy
from marketplace.grievances.fields import choice
from marketplace.grievances.models import Breach, BreachStatus
from marketplace.grievances.references import new_reference
from marketplace.legal_clocks import clock
from marketplace.notifications import send_email
from marketplace.validation import Input, Invalid


def _read_moment(inp: Input, field: str, *, required: bool, now: datetime) -> datetime | None:
    raw = inp.data.get(field)
    if raw in (None, ""):
        if required:
            inp.fail(field, "this field is required")
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        inp.fail(field, "must be a date and time, e.g. 2026-11-22T10:15:00Z")
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        inp.fail(field, "must be a date and time, e.g. 2026-11-22T10:15:00Z")
        return None
    if moment.year < moments.EARLIEST_DAY.year:  # checked first: year 1 cannot be moved to UTC
        inp.fail(field, "must be after 2000")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=IST)  # a time typed on the page is India's
    if moment.date() > now.date() + timedelta(days=1):  # before converting: year 9999 cannot
        inp.fail(field, "must not be in the future")
        return None
    moment = moment.astimezone(UTC)
    if moment > now + timedelta(minutes=5):
        inp.fail(field, "must not be in the future")
        return None
    return moment


def _read_list(inp: Input, field: str, *, required: bool) -> list[str] | None:
    raw = inp.data.get(field)
    if isinstance(raw, str):  # a textarea: one per line or comma-separated
        raw = [part for part in raw.replace(",", "\n").splitlines() if part.strip()]
    if raw in (None, []):
        if required:
            inp.fail(field, "name at least one kind of data")
        return None if raw is None else []
    if not isinstance(raw, list) or len(raw) > 50:
        inp.fail(field, "must be a list of at most 50 strings")
        return None
    values = []
    for item in raw:
        item_input = Input({"value": item}, prefix="")
        value = item_input.text("value", max_length=100)
        if value is None:
            inp.fail(field, "each entry must be text of at most 100 characters")
            return None
        values.append(value)
    return values


def record_breach(officer: User, data: Any, *, now: datetime | None = None) -> Breach:
    policy.require_keep_breach_register(officer)
    now = moments.given_or_now(now)
    inp = Input(data)
    detected_at = _read_moment(inp, "detected_at", required=True, now=now)
    nature = inp.text("nature", min_length=10, max_length=8000, multiline=True)
    data_affected = _read_list(inp, "data_affected", required=True)
    users_affected = inp.integer("users_affected", minimum=0, maximum=10**9)
    measures = inp.text("measures", required=False, max_length=8000, multiline=True)
    consequences = inp.text("consequences", required=False, max_length=8000, multiline=True)
    safety = inp.text("user_safety_steps", required=False, max_length=8000, multiline=True)
    inp.raise_if_invalid()
    assert detected_at is not None
    breach = Breach(
        reference=new_reference("BR", now),
        detected_at=detected_at,
        nature=nature,
        data_affected=data_affected or [],
        users_affected=users_affected or 0,
        measures=measures or "",
        consequences=consequences or "",
        user_safety_steps=safety or "",
        board_report_due=clock("breach_report").due(detected_at),
        recorded_by_id=officer.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(breach)
    db.session.flush()
    audit.record(
        "breach.recorded",
        actor_id=officer.id,
        subject=breach,
        reference=breach.reference,
        users_affected=breach.users_affected,
    )
    return breach


_BREACH_NOTICES = ("board_intimated_at", "board_report_at")


def update_breach(
    officer: User, breach_id: int, data: Any, *, now: datetime | None = None
) -> Breach:
    """Record the notices to the Board, change the description, notify the affected users
    (`notify_emails`: the addresses to tell), or close the breach."""
    policy.require_keep_breach_register(officer)
    now = moments.given_or_now(now)
    breach = db.session.get(Breach, breach_id)
    if breach is None:
        raise NotFound("No such breach.")
    inp = Input(data)
    changes: dict[str, Any] = {}
    for field in _BREACH_NOTICES:
        if field in inp.data:
            moment = _read_moment(inp, field, required=True, now=now)
            if moment is not None and moment < breach.detected_at:
                inp.fail(field, "must not be before the breach was detected")
            changes[field] = moment
    for field in ("nature", "measures", "consequences", "user_safety_steps"):
        if field in inp.data:
            changes[field] = (
                inp.text(
                    field,
                    required=field == "nature",
                    min_length=10 if field == "nature" else 1,  # as when recorded
                    max_length=8000,
                    multiline=True,
                )
                or ""
            )
    if "data_affected" in inp.data:
        changes["data_affected"] = _read_list(inp, "data_affected", required=True)
    if "users_affected" in inp.data:
        changes["users_affected"] = inp.integer("users_affected", minimum=0, maximum=10**9)
    status = choice(inp, "status", BreachStatus, required=False)
    emails: list[str] = []
    if "notify_emails" in inp.data:
        raw = inp.data.get("notify_emails")
        if isinstance(raw, str):
            raw = [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]
        if not isinstance(raw, list) or not raw or len(raw) > 10_000:
            inp.fail("notify_emails", "must be a list of email addresses")
        else:
            for entry in raw:
                try:
                    if not isinstance(entry, str):
                        raise Invalid("")
                    emails.append(identity.check_email(entry.strip()))
                except Invalid:
                    inp.fail("notify_emails", f"not an email address: {str(entry)[:60]}")
                    break
    if status == BreachStatus.CLOSED and not (
        changes.get("board_report_at") or breach.board_report_at
    ):
        inp.fail("status", "record the detailed report to the Board before closing")
    if not inp.errors and not changes and status is None and not emails:
        inp.fail("status", "send something to change")
    inp.raise_if_invalid()

    for field, value in changes.items():
        setattr(breach, field, value)
    if emails:
        for address in sorted(set(emails)):
            send_email(
                address,
                "Important: a personal data breach may affect you",
                "breach_notice",
                breach=breach,
                officer_name=current_app.config["GRIEVANCE_OFFICER_NAME"],
                officer_email=current_app.config["GRIEVANCE_OFFICER_EMAIL"],
            )
        breach.users_notified += len(set(emails))
        breach.users_notified_at = now
    if status is not None and status != breach.status:
        breach.status = status
        breach.closed_at = now if status == BreachStatus.CLOSED else None
    breach.updated_at = now
    audit.record(
        "breach.updated",
        actor_id=officer.id,
        subject=breach,
        reference=breach.reference,
        changed=sorted([*changes, *(["status"] if status else [])]),
        users_notified=len(set(emails)),
    )
    db.session.flush()
    return breach
