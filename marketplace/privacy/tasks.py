"""Privacy tasks: build an access export, execute an approved deletion, the daily purge of
archived records past their retention date (and of expired exports, and of addresses and
browsers past their year), and the daily sweep of unused accounts."""

from __future__ import annotations

from celery import shared_task
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.notifications import absolute_url, send_email
from marketplace.privacy import clock, export
from marketplace.privacy.archive import purge_archive as purge_archived_records
from marketplace.privacy.deletion import run_deletion
from marketplace.privacy.inactive import sweep_inactive
from marketplace.privacy.models import PrivacyRequest, RequestStatus, RequestType
from marketplace.privacy.request_metadata import purge_request_metadata
from marketplace.privacy.workflow import move
from workers.locks import job_lock


@shared_task(ignore_result=True)
def build_export(request_id: int) -> None:
    row = db.session.get(PrivacyRequest, request_id)
    if row is None or row.type != RequestType.ACCESS or row.status != RequestStatus.IN_PROGRESS:
        return  # built already (a task delivered twice), or never started
    user = db.session.get(User, row.user_id)
    if user is None or user.erased_at is not None:
        return
    export.store(row, export.write_zip(export.collect(user)))
    row.completed_at = clock.now()
    move(row, RequestStatus.COMPLETE, None, "the export is ready for 7 days")
    send_email(
        user.email,
        _l("Your data export is ready"),
        "privacy_export_ready",
        language=user.language,
        user=user,
        row=row,
        url=absolute_url("privacy.settings"),
    )
    commit()


@shared_task(ignore_result=True)
def execute_deletion(request_id: int) -> str | None:
    status = run_deletion(request_id)
    return status.value if status else None


@shared_task(ignore_result=True)
def purge_archive() -> dict[str, int]:
    """Beat runs this daily; the lock keeps two runs apart (the purge is idempotent anyway)."""
    with job_lock("privacy-purge-archive") as held:
        if not held:
            return {}
        return {**purge_archived_records(), **purge_request_metadata()}


@shared_task(ignore_result=True)
def sweep_inactive_accounts() -> dict[str, int]:
    """Beat runs this daily: warn unused accounts, erase those warned 48 hours ago."""
    with job_lock("privacy-sweep-inactive") as held:
        if not held:
            return {}
        return sweep_inactive()
