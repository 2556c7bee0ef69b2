"""The daily purge of request metadata: the internet address and browser recorded with each
audit event and consent record are emptied one year after they were written (DPDP Rules 2025
r.8(3): logs of processing are kept one year, and no longer than their purpose needs), and
the consent ledger's as soon as the person is erased.

Why the two differ for an erased person:
- an audit event is a log of processing, which r.8(3) makes us keep for one year whoever it
  concerns: its address stays until then;
- a consent record is the proof of consent (DPDP Act 2023 s.6(10)) and stays, but the proof is
  the purpose, the choice, the notice's version and the time; no law asks to keep the address
  and browser it came from (the same request's address is in the audit log for its year), so
  they go at the first purge after the erasure.

Both tables are append-only; this is the one change they allow (the consent ledger's trigger
permits exactly this: address and browser emptied, every other column as it was)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select, update

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.audit import AuditEvent
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.legal_rules import rule as legal_rule
from marketplace.privacy import clock
from marketplace.privacy.models import ConsentRecord

log = logging.getLogger(__name__)


def _consent_metadata_held() -> object:
    return or_(ConsentRecord.ip_address.is_not(None), ConsentRecord.user_agent.is_not(None))


def purge_request_metadata(*, now: datetime | None = None) -> dict[str, int]:
    """Empty the addresses and browsers past their time; report how many rows, per reason.
    Idempotent. Commits."""
    now = now or clock.now()
    written_before = legal_rule("processing_log").before(now)
    counts = {
        "audit_addresses": db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.occurred_at < written_before, AuditEvent.ip_address.is_not(None))
            .values(ip_address=None)
            .execution_options(synchronize_session=False)
        ).rowcount,
        "consent_addresses": db.session.execute(
            update(ConsentRecord)
            .where(ConsentRecord.recorded_at < written_before, _consent_metadata_held())
            .values(ip_address=None, user_agent=None)
            .execution_options(synchronize_session=False)
        ).rowcount,
        "consent_addresses_of_erased": db.session.execute(
            update(ConsentRecord)
            .where(
                ConsentRecord.user_id.in_(select(User.id).where(User.erased_at.is_not(None))),
                _consent_metadata_held(),
            )
            .values(ip_address=None, user_agent=None)
            .execution_options(synchronize_session=False)
        ).rowcount,
    }
    purged = {reason: count for reason, count in counts.items() if count}
    if purged:
        audit.record("privacy.request_metadata_purged", written_before=now.isoformat(), **purged)
    commit()
    log.info("privacy purge of addresses and browsers: %s", purged or "nothing past its date")
    return purged
