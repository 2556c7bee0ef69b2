"""The statutory archive kept after an erasure: the officer's reading of it, and its purge.

Functions flush but never commit, unless they say so.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.db import after_commit, commit
from marketplace.extensions import db
from marketplace.privacy import clock, policy
from marketplace.privacy.erasure import erasers
from marketplace.privacy.models import ArchivedRecord, PrivacyRequest

log = logging.getLogger(__name__)


def archives_for(actor: User, subject_id: int) -> list[ArchivedRecord]:
    policy.require_handle_requests(actor)
    return list(
        db.session.scalars(
            select(ArchivedRecord)
            .where(ArchivedRecord.subject_id == subject_id)
            .order_by(ArchivedRecord.id)
        )
    )


def purge_archive() -> dict[str, int]:
    """Remove archived records past retain_until and exports past their 7 days; report what
    went, per record type. Commits."""
    now = clock.now()
    purged: dict[str, int] = {}
    references = []
    for record in db.session.scalars(
        select(ArchivedRecord).where(ArchivedRecord.retain_until < now)
    ):
        purged[record.record_type] = purged.get(record.record_type, 0) + 1
        references.append(record.reference)
        db.session.delete(record)
    for eraser in erasers():
        if removed := eraser.purge(references):
            purged[f"{eraser.name}_originals"] = removed
    files = []
    for row in db.session.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.export_name.is_not(None), PrivacyRequest.export_expires_at < now
        )
    ):
        files.append(Path(current_app.config["PRIVACY_EXPORT_PATH"]) / row.export_name)
        row.export_name = None
        purged["access_export"] = purged.get("access_export", 0) + 1
    if purged:
        audit.record("privacy.archive_purged", **purged)

    def _unlink() -> None:
        for path in files:
            path.unlink(missing_ok=True)

    after_commit(_unlink)
    commit()
    log.info("privacy purge: %s", purged or "nothing past its date")
    return purged
