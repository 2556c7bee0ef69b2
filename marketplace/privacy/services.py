"""The consent ledger: entries are only ever appended; the current state is derived."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.privacy import purposes
from marketplace.privacy.models import ConsentRecord


@dataclass(frozen=True)
class ConsentState:
    purpose: purposes.Purpose
    granted: bool
    updated_at: datetime | None


def record_consents(user_id: int, choices: Mapping[str, bool], *, source: str) -> None:
    """Append one ledger entry per purpose in `choices` (ids already validated)."""
    version = current_app.config["PRIVACY_POLICY_VERSION"]
    for purpose_id, granted in choices.items():
        db.session.add(
            ConsentRecord(
                user_id=user_id,
                purpose=purpose_id,
                granted=granted,
                policy_version=version,
                source=source,
            )
        )


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
