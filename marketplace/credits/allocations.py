"""The weekly run: each Monday (in India) a paid plan's credits, which expire at the week's end,
and the record of what last week's allocations left unspent.

Functions flush but never commit: the task (tasks.run_weekly_allocation) commits per batch.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from marketplace.accounts.models import SupplierProfile, User
from marketplace.credits.ledger import grant_once, lock_account, take_back, unspent
from marketplace.credits.models import CreditAccount, CreditEntry, CreditKind
from marketplace.credits.plans import default_plan, plans
from marketplace.db import IST, utcnow
from marketplace.extensions import db
from marketplace.formatting import ist_date

ALLOCATION_BATCH = 200  # suppliers per commit in the weekly run
EXPIRY_LOOKBACK = timedelta(weeks=5)


def week_of(moment: datetime) -> date:
    """The Monday (in India) of the week a moment falls in."""
    local = moment.astimezone(IST).date()
    return local - timedelta(days=local.weekday())


def week_ends(monday: date) -> datetime:
    """The end of a week: the next Monday's midnight in India, in UTC."""
    return datetime.combine(monday + timedelta(days=7), time.min, IST).astimezone(UTC)


def allocate_week(at: datetime | None = None, *, limit: int = ALLOCATION_BATCH) -> int:
    """Grant this week's plan credits to up to `limit` suppliers on a plan with an allocation
    that have not had them yet: once per supplier and week (a unique row per week, so running
    twice grants nothing more). Returns how many got credits; the caller commits and calls
    again until that is fewer than `limit`."""
    now = at or utcnow()
    monday = week_of(now)
    ends = week_ends(monday)
    paying = {plan.id: plan for plan in plans() if plan.weekly_credits > 0}
    if not paying:
        return 0
    plan_of = func.coalesce(CreditAccount.plan, default_plan().id)
    already = (
        select(CreditEntry.id)
        .where(CreditEntry.supplier_id == SupplierProfile.id, CreditEntry.week == monday)
        .exists()
    )
    due = db.session.execute(
        select(SupplierProfile.id, plan_of)
        .join(User, User.id == SupplierProfile.user_id)
        .outerjoin(CreditAccount, CreditAccount.supplier_id == SupplierProfile.id)
        .where(User.is_active_account.is_(True), plan_of.in_(list(paying)), ~already)
        .order_by(SupplierProfile.id)
        .limit(limit)
    ).all()
    granted = 0
    for supplier_id, plan_id in due:
        plan = paying[plan_id]
        _, new = grant_once(
            supplier_id,
            plan.weekly_credits,
            kind=CreditKind.ALLOCATION,
            reason=f"{plan.name} plan: credits for the week of {ist_date(monday)}",
            reference=f"allocation:{monday.isoformat()}",
            expires_at=ends,
            week=monday,
        )
        granted += new
    return granted


def record_expiries(at: datetime | None = None) -> int:
    """Write what was left of each allocation whose week has ended as an `expiry` entry, so the
    ledger says where those credits went. The balance already left them out (see the ledger);
    this only records it, once per lot."""
    now = at or utcnow()
    expiry = aliased(CreditEntry)
    recorded = (
        select(expiry.id)
        .where(expiry.lot_id == CreditEntry.id, expiry.kind == CreditKind.EXPIRY)
        .exists()
    )
    lots = db.session.scalars(
        select(CreditEntry)
        .where(
            CreditEntry.kind == CreditKind.ALLOCATION,
            CreditEntry.expires_at <= now,
            # Only recent weeks: older ones were recorded by earlier runs (and the balance never
            # needed the record), so each run reads a few weeks, not the whole history.
            CreditEntry.expires_at > now - EXPIRY_LOOKBACK,
            unspent() > 0,
            ~recorded,
        )
        .order_by(CreditEntry.id)
        .limit(5000)
    ).all()
    written = 0
    for lot in lots:
        lock_account(lot.supplier_id)
        entry = take_back(
            lot.supplier_id,
            lot,
            kind=CreditKind.EXPIRY,
            reason=f"Unused credits of the week of {ist_date(lot.week)} expired"
            if lot.week
            else "Unused weekly credits expired",
            ref=f"expiry:{lot.id}",
        )
        written += entry is not None
    return written
