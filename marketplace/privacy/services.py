"""The consent ledger: entries are only ever appended; the current state is derived."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.privacy import purposes
from marketplace.privacy.inputs import ConsentIn
from marketplace.privacy.models import ConsentRecord
from marketplace.privacy.notice import ACCEPTANCE_PURPOSE, Notice, current_version, needs_acceptance


@dataclass(frozen=True)
class ConsentState:
    purpose: purposes.Purpose
    granted: bool
    updated_at: datetime | None


def _request_metadata() -> dict[str, str | None]:
    if not has_request_context():
        return {"ip_address": None, "user_agent": None}
    return {
        "ip_address": request.remote_addr,
        "user_agent": (request.headers.get("User-Agent") or "")[:200] or None,
    }


def record_consents(
    user_id: int,
    choices: Mapping[str, bool],
    *,
    source: str,
    consent_manager_id: int | None = None,
) -> None:
    """Append one ledger entry per purpose in `choices` (ids already validated), marked with the
    consent manager the person made them through, if any."""
    version = current_version()
    for purpose_id, granted in choices.items():
        db.session.add(
            ConsentRecord(
                user_id=user_id,
                purpose=purpose_id,
                granted=granted,
                policy_version=version,
                source=source,
                consent_manager_id=consent_manager_id,
                **_request_metadata(),
            )
        )


def accept_notice(user_id: int) -> Notice | None:
    """Accept the material notice in force, when this person has yet to: one ledger entry."""
    notice = needs_acceptance(user_id)
    if notice is not None:
        record_consents(user_id, {ACCEPTANCE_PURPOSE: True}, source="re-consent")
    return notice


def initial_consents(optional_choices: Mapping[str, bool]) -> dict[str, bool]:
    """Registration's ledger: the required purposes (accepted with the terms) and every optional
    purpose, off unless the person opted in."""
    choices = dict.fromkeys(purposes.REQUIRED, True)
    choices.update({pid: bool(optional_choices.get(pid, False)) for pid in purposes.OPTIONAL})
    return choices


def current_consents(user_id: int) -> list[ConsentState]:
    latest = (
        select(func.max(ConsentRecord.id))
        .where(ConsentRecord.user_id == user_id)
        .group_by(ConsentRecord.purpose)
    )
    rows = {
        row.purpose: row
        for row in db.session.scalars(select(ConsentRecord).where(ConsentRecord.id.in_(latest)))
    }
    return [
        ConsentState(
            purpose=purpose,
            granted=rows[purpose.id].granted if purpose.id in rows else False,
            updated_at=rows[purpose.id].recorded_at if purpose.id in rows else None,
        )
        for purpose in purposes.PURPOSES
    ]


CHANNELS = ("email", "sms", "whatsapp")


def set_consent(
    user: User,
    purpose_id: str,
    choice: ConsentIn,
    *,
    source: str,
    consent_manager_id: int | None = None,
) -> ConsentState:
    """Grant or withdraw one optional purpose, at once: one ledger entry, as few steps to
    withdraw as to grant. A required purpose is objected to through a privacy request. A choice
    made through a consent manager is the person's own, recorded with the manager's id."""
    purpose = purposes.BY_ID.get(purpose_id)
    if purpose is None:
        raise NotFound(_("No purpose '%(purpose)s'.", purpose=purpose_id[:40]))
    granted: bool = choice.granted
    if purpose.required and not granted:
        raise ValidationFailed(
            {
                "granted": [
                    _(
                        "this purpose is needed to run the account: object to it with a privacy "
                        "request (type 'objection'), which the grievance officer decides"
                    )
                ]
            }
        )
    record_consents(
        user.id, {purpose.id: granted}, source=source, consent_manager_id=consent_manager_id
    )
    db.session.flush()
    manager = {"consent_manager_id": consent_manager_id} if consent_manager_id else {}
    audit.record(
        "privacy.consent_granted" if granted else "privacy.consent_withdrawn",
        actor_id=user.id,
        subject=user,
        purpose=purpose.id,
        **manager,
    )
    return next(state for state in current_consents(user.id) if state.purpose.id == purpose.id)


def may_process(user_id: int, purpose: str, channel: str | None = None) -> bool:
    """Ask this before any processing for an optional purpose (and, for a message, the channel):
    True only while the person's latest choice for both is a grant and the account is active.
    Required purposes (the service itself: a lead, a reply, a security notice) always may."""
    if purpose not in purposes.BY_ID:
        raise ValueError(f"unknown purpose {purpose!r}")
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        return False
    if purposes.BY_ID[purpose].required:
        return True
    if not user.is_active_account:
        return False
    state = {row.purpose.id: row.granted for row in current_consents(user_id)}
    if not state.get(purpose, False):
        return False
    return channel is None or state.get(f"channel_{channel}", False)
