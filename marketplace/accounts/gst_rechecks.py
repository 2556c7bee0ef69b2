"""The monthly re-check: every verified GSTIN is asked about again once its last clear answer is
GST_RECHECK_DAYS old. A check that got no usable answer is retried the next day, and leaves
the badge as it was until the registry answers."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from marketplace.accounts.gst_models import CheckRequester, GstCheck, GstOutcome
from marketplace.accounts.gst_registry import GstRegistry, registry_from_config
from marketplace.accounts.gst_verification import check_gstin
from marketplace.accounts.models import GstVerification, SupplierProfile, User
from marketplace.db import commit, utcnow
from marketplace.extensions import db

RECHECK_BATCH = 200
RETRY_AFTER = timedelta(hours=20)  # a failed check waits about a day (beat runs daily)


def due_for_recheck(now: datetime, limit: int = RECHECK_BATCH) -> list[int]:
    """Verified suppliers whose last clear answer is older than GST_RECHECK_DAYS (or who have
    none: verified by hand), and whom nobody tried in the last RETRY_AFTER; oldest first."""
    answered = (
        select(GstCheck.supplier_id, func.max(GstCheck.checked_at).label("at"))
        .where(GstCheck.outcome != GstOutcome.COULD_NOT_CHECK)
        .group_by(GstCheck.supplier_id)
        .subquery()
    )
    tried = (
        select(GstCheck.supplier_id, func.max(GstCheck.checked_at).label("at"))
        .group_by(GstCheck.supplier_id)
        .subquery()
    )
    stale = now - timedelta(days=current_app.config["GST_RECHECK_DAYS"])
    rows = db.session.scalars(
        select(SupplierProfile.id)
        .outerjoin(answered, answered.c.supplier_id == SupplierProfile.id)
        .outerjoin(tried, tried.c.supplier_id == SupplierProfile.id)
        .join(User, User.id == SupplierProfile.user_id)
        .where(
            SupplierProfile.gst_verification == GstVerification.VERIFIED,
            User.is_active_account.is_(True),
            User.erased_at.is_(None),
            (answered.c.at.is_(None)) | (answered.c.at <= stale),
            (tried.c.at.is_(None)) | (tried.c.at <= now - RETRY_AFTER),
        )
        .order_by(answered.c.at.asc().nulls_first(), SupplierProfile.id)
        .limit(limit)
    )
    return list(rows)


def recheck_due(*, now: datetime | None = None, registry: GstRegistry | None = None) -> int:
    """Check every supplier due, committing each receipt on its own (a registry that fails
    half-way keeps what it answered). Idempotent: a second run the same day finds nobody due."""
    now = now or utcnow()
    registry = registry or registry_from_config(current_app.config)
    checked = 0
    failed: set[int] = set()  # a supplier whose check broke is left for tomorrow's run
    while batch := [
        s for s in due_for_recheck(now, RECHECK_BATCH + len(failed)) if s not in failed
    ]:
        for supplier_id in batch:
            try:
                check_gstin(
                    supplier_id, requested_by=CheckRequester.BEAT, registry=registry, now=now
                )
                commit()
            except Exception:  # one supplier's bug must not stop everyone's monthly check
                db.session.rollback()
                current_app.logger.exception("The GST re-check of supplier %s failed", supplier_id)
                failed.add(supplier_id)
                continue
            checked += 1
    return checked
