"""The privacy notice's versions, in one table. A material change is announced at least 30 days
before it takes effect (shown on the privacy page from `announced_on`); once in effect, a
signed-in person who accepted an earlier version is asked to read and accept it before going on,
and each acceptance is a ledger entry (purpose `privacy_notice`, source `re-consent`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from marketplace.db import IST
from marketplace.extensions import db
from marketplace.legal_rules import rule as legal_rule
from marketplace.privacy import clock
from marketplace.privacy.models import ConsentRecord

ANNOUNCE_DAYS = int(legal_rule("notice_announcement").value)
ACCEPTANCE_PURPOSE = "privacy_notice"


@dataclass(frozen=True)
class Notice:
    version: str
    announced_on: date
    effective_on: date  # from 00:00 India time
    material: bool
    summary: str

    def __post_init__(self) -> None:
        if self.material and self.effective_on - self.announced_on < timedelta(ANNOUNCE_DAYS):
            raise ValueError(
                f"notice {self.version}: a material change is announced {ANNOUNCE_DAYS} days "
                "before it takes effect"
            )


NOTICES: tuple[Notice, ...] = (
    Notice(
        "2026-11",
        date(2026, 10, 1),
        date(2026, 11, 1),
        True,
        "The consent ledger, privacy requests, and the statutory archive kept after an erasure.",
    ),
)


def _today() -> date:
    return clock.now().astimezone(IST).date()


def current_notice() -> Notice | None:
    today = _today()
    in_force = [notice for notice in NOTICES if notice.effective_on <= today]
    return in_force[-1] if in_force else None


def current_version() -> str:
    notice = current_notice()
    return notice.version if notice else current_app.config["PRIVACY_POLICY_VERSION"]


def upcoming_notice() -> Notice | None:
    """A notice announced and not yet in effect: the privacy page shows it."""
    today = _today()
    return next(
        (n for n in NOTICES if n.announced_on <= today < n.effective_on),
        None,
    )


def needs_acceptance(user_id: int) -> Notice | None:
    """The material notice in force that this person, who accepted an earlier one, has not."""
    notice = current_notice()
    if notice is None or not notice.material:
        return None
    versions = set(
        db.session.scalars(
            select(ConsentRecord.policy_version).where(ConsentRecord.user_id == user_id).distinct()
        )
    )
    if not versions or notice.version in versions:
        return None  # staff accounts have no ledger; the rest accepted this version
    return notice


def effective_at(notice: Notice) -> datetime:
    return datetime.combine(notice.effective_on, datetime.min.time(), IST)
