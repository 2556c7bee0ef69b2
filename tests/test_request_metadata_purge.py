"""The daily purge empties the internet address and browser of audit events and consent records
one year after they were written (DPDP Rules r.8(3)), and the consent ledger's at once for an
erased person; everything else in both append-only tables stays as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from marketplace.accounts.models import User
from marketplace.audit import AuditEvent
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.privacy import clock as privacy_clock
from marketplace.privacy import tasks
from marketplace.privacy.deletion import open_system_deletion, run_deletion
from marketplace.privacy.models import ConsentRecord, RequestStatus
from marketplace.privacy.request_metadata import purge_request_metadata
from tests import factories

WRITTEN = datetime(2026, 3, 10, 9, 15, 30, tzinfo=UTC)
ADDRESS, BROWSER = "203.0.113.7", "Mozilla/5.0 (Android 14) Chrome/131"


@pytest.fixture()
def now(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The privacy clock, set by the test."""
    moment = {"now": WRITTEN}
    monkeypatch.setattr(privacy_clock, "now", lambda: moment["now"])
    return moment


def _written(user_id: int, at: datetime) -> tuple[int, int]:
    event = AuditEvent(
        action="auth.signed_in", actor_id=user_id, occurred_at=at, ip_address=ADDRESS
    )
    consent = ConsentRecord(
        user_id=user_id,
        purpose="marketing",
        granted=True,
        policy_version="2026-11",
        source="settings",
        ip_address=ADDRESS,
        user_agent=BROWSER,
        recorded_at=at,
    )
    db.session.add_all([event, consent])
    commit()
    return event.id, consent.id


def _metadata(event_id: int, consent_id: int) -> tuple[object, ...]:
    db.session.expire_all()
    event = db.session.get(AuditEvent, event_id)
    consent = db.session.get(ConsentRecord, consent_id)
    return event.ip_address, consent.ip_address, consent.user_agent


def test_addresses_and_browsers_go_one_year_after_they_were_written(ctx, now) -> None:
    person = factories.buyer()
    event_id, consent_id = _written(person.id, WRITTEN)
    newer = _written(person.id, WRITTEN + timedelta(days=30))

    now["now"] = datetime(2027, 3, 10, 9, 15, 30, tzinfo=UTC)  # one year to the second
    assert purge_request_metadata() == {}
    assert _metadata(event_id, consent_id) == (ADDRESS, ADDRESS, BROWSER)

    now["now"] += timedelta(seconds=1)
    assert purge_request_metadata() == {"audit_addresses": 1, "consent_addresses": 1}
    assert _metadata(event_id, consent_id) == (None, None, None)
    assert _metadata(*newer) == (ADDRESS, ADDRESS, BROWSER)  # its year is not over
    # The rest of each row is kept: the log entry and the proof of consent.
    consent = db.session.get(ConsentRecord, consent_id)
    assert (consent.purpose, consent.granted, consent.recorded_at) == ("marketing", True, WRITTEN)
    assert db.session.get(AuditEvent, event_id).action == "auth.signed_in"
    assert purge_request_metadata() == {}  # idempotent
    purged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.request_metadata_purged")
    ).all()
    assert len(purged) == 1 and purged[0].details["consent_addresses"] == 1


def test_an_erased_persons_consent_addresses_go_at_once_their_log_keeps_its_year(ctx, now) -> None:
    person, other = factories.buyer(), factories.buyer()
    event_id, consent_id = _written(person.id, WRITTEN)
    others = _written(other.id, WRITTEN)
    now["now"] = WRITTEN + timedelta(days=40)
    user = db.session.get(User, person.id)
    assert run_deletion(open_system_deletion(user, "asked", approved=True).id) in (
        RequestStatus.COMPLETE,
        RequestStatus.COMPLETE_WITH_RETENTION,
    )
    assert purge_request_metadata() == {"consent_addresses_of_erased": 1}
    # DPDP Rules r.8(3) keeps the log (with its address) for the year; the proof of consent
    # needs no address or browser.
    assert _metadata(event_id, consent_id) == (ADDRESS, None, None)
    assert _metadata(*others) == (ADDRESS, ADDRESS, BROWSER)
    now["now"] = WRITTEN + timedelta(days=366)
    assert purge_request_metadata()["audit_addresses"] == 2
    assert _metadata(event_id, consent_id) == (None, None, None)


def test_the_daily_task_runs_the_purge(ctx, now) -> None:
    person = factories.buyer()
    ids = _written(person.id, WRITTEN)
    now["now"] = WRITTEN + timedelta(days=400)
    assert tasks.purge_archive()["consent_addresses"] == 1
    assert _metadata(*ids) == (None, None, None)


def test_the_ledger_still_refuses_every_other_change(ctx) -> None:
    person = factories.buyer()
    _, consent_id = _written(person.id, utcnow())
    for change in (
        "granted = false",
        "purpose = 'analytics'",
        "ip_address = '198.51.100.1'",
        "recorded_at = recorded_at",  # every column as it was, but the address kept
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            statement = f"UPDATE consent_records SET {change} WHERE id = :id"  # noqa: S608
            db.session.execute(text(statement), {"id": consent_id})
        db.session.rollback()
    db.session.execute(
        text("UPDATE consent_records SET ip_address = NULL, user_agent = NULL WHERE id = :id"),
        {"id": consent_id},
    )
    commit()
    assert db.session.get(ConsentRecord, consent_id).ip_address is None
