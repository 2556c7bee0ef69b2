"""The breach register: recording a personal data breach, the notices to the Board and to the
people affected, and closing it."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.accounts.queries import find_user_by_email
from marketplace.errors import FieldErrors, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.grievances import moments, policy
from marketplace.grievances.inputs import BreachChange, BreachIn
from marketplace.grievances.models import Breach, BreachStatus
from marketplace.grievances.references import new_reference
from marketplace.legal_clocks import clock
from marketplace.notifications import send_email


def record_breach(officer: User, body: BreachIn, *, now: datetime | None = None) -> Breach:
    policy.require_keep_breach_register(officer)
    now = moments.given_or_now(now)
    if body.occurred_at is not None and body.occurred_at > body.detected_at:
        raise ValidationFailed({"occurred_at": [_("must not be after the breach was detected")]})
    breach = Breach(
        reference=new_reference("BR", now),
        detected_at=body.detected_at,
        nature=body.nature,
        data_affected=body.data_affected or [],
        users_affected=body.users_affected or 0,
        measures=body.measures or "",
        consequences=body.consequences or "",
        user_safety_steps=body.user_safety_steps or "",
        occurred_at=body.occurred_at,
        occurred_where=body.occurred_where or "",
        extent=body.extent or "",
        board_report_due=clock("breach_report").due(body.detected_at),
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

# What the notice to each person affected must say (DPDP Rules 2025 r.7(1)), besides whom to
# contact (the grievance officer, from the configuration): a notice is sent only when all are
# recorded.
NOTICE_FIELDS = {
    "occurred_at": "when the breach occurred",
    "occurred_where": "where it occurred",
    "nature": "what happened",
    "extent": "how far it went",
    "consequences": "its likely consequences for the people affected",
    "measures": "what was done about it",
    "user_safety_steps": "what the people affected can do to protect themselves",
}


def missing_for_notice(breach: Breach, changes: dict[str, object]) -> dict[str, str]:
    """The r.7(1) contents neither recorded nor being set: field -> what it tells people."""
    return {
        field: words
        for field, words in NOTICE_FIELDS.items()
        if not (changes[field] if field in changes else getattr(breach, field))
    }


def _language_of(address: str) -> str | None:
    """The language of the account with this address; None (English) for an address with no
    account, never the officer's, whose request sends the notice."""
    user = find_user_by_email(address)
    return user.language if user is not None else None


def update_breach(
    officer: User, breach_id: int, change: BreachChange, *, now: datetime | None = None
) -> Breach:
    """Record the notices to the Board, change the description, notify the affected users
    (`notify_emails`: the addresses to tell), or close the breach."""
    policy.require_keep_breach_register(officer)
    now = moments.given_or_now(now)
    breach = db.session.get(Breach, breach_id)
    if breach is None:
        raise NotFound(_("No such breach."))
    errors = FieldErrors()
    changes = change.changes()
    for field in _BREACH_NOTICES:
        moment = changes.get(field)
        if moment is not None and moment < breach.detected_at:
            errors.add(field, _("must not be before the breach was detected"))
    occurred = changes.get("occurred_at")
    if occurred is not None and occurred > breach.detected_at:
        errors.add("occurred_at", _("must not be after the breach was detected"))
    status = BreachStatus(change.status) if change.status else None
    emails = change.notify_emails or []
    if status == BreachStatus.CLOSED and not (
        changes.get("board_report_at") or breach.board_report_at
    ):
        errors.add("status", _("record the detailed report to the Board before closing"))
    if emails:
        for field, words in missing_for_notice(breach, changes).items():
            errors.add(
                field,
                _("the notice to the people affected must say %(what)s: fill it in", what=words),
            )
    if not errors and not changes and status is None and not emails:
        errors.add("status", _("send something to change"))
    errors.raise_if_any()

    for field, value in changes.items():
        setattr(breach, field, value)
    if emails:
        for address in sorted(set(emails)):
            send_email(
                address,
                _l("Important: a personal data breach may affect you"),
                "breach_notice",
                language=_language_of(address),
                breach=breach,
                officer_name=current_app.config["GRIEVANCE_OFFICER_NAME"],
                officer_email=current_app.config["GRIEVANCE_OFFICER_EMAIL"],
                officer_phone=current_app.config["GRIEVANCE_OFFICER_PHONE"],
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
