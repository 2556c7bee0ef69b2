"""Reading leads: the supplier's filtered list, trust signals, unread counts, the dashboard."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import GstVerification, SupplierProfile, User
from marketplace.catalog.models import Product
from marketplace.db import IST, paginate, utcnow
from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadStatus, LeadType

TRUST_WINDOW = timedelta(days=30)
# A CRM pull (native or IndiaMART's) reads at most this much per call.
MAX_PULL_WINDOW = timedelta(days=7)
# Leads are stamped when written and visible when committed, a moment later: a pull window that
# ends later than this is cut short, so a CRM polling window after window never misses one.
PULL_SETTLE = timedelta(seconds=10)


@dataclass(frozen=True)
class Trust:
    mobile_verified: bool
    email_verified: bool
    gst_verified: bool
    member_since: datetime | None
    enquiries_last_30_days: int


UNKNOWN = Trust(False, False, False, None, 0)


def trust_signals(leads: Iterable[Lead]) -> dict[int, Trust]:
    """The buyer's trust signals for each lead, by lead id, in two queries for a whole page."""
    leads = list(leads)
    buyer_ids = {lead.buyer_id for lead in leads if lead.buyer_id is not None}
    if not buyer_ids:
        return {lead.id: UNKNOWN for lead in leads}
    since = utcnow() - TRUST_WINDOW
    counts = dict(
        db.session.execute(
            select(Lead.buyer_id, func.count())
            .where(
                Lead.buyer_id.in_(buyer_ids),
                Lead.type == LeadType.ENQUIRY,
                Lead.created_at >= since,
            )
            .group_by(Lead.buyer_id)
        ).all()
    )
    verified_businesses = set(
        db.session.scalars(
            select(SupplierProfile.user_id).where(
                SupplierProfile.user_id.in_(buyer_ids),
                SupplierProfile.gst_verification == GstVerification.VERIFIED,
            )
        )
    )
    signals = {}
    for lead in leads:
        buyer = lead.buyer
        signals[lead.id] = (
            UNKNOWN
            if buyer is None
            else Trust(
                mobile_verified=buyer.phone_verified_at is not None,
                email_verified=buyer.email_verified_at is not None,
                gst_verified=buyer.id in verified_businesses,
                member_since=buyer.created_at,
                enquiries_last_30_days=counts.get(buyer.id, 0),
            )
        )
    return signals


@dataclass(frozen=True)
class LeadFilter:
    """A supplier's choice of leads; every field optional. Times are UTC, `end` exclusive."""

    type: LeadType | None = None
    status: LeadStatus | None = None
    product_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    unread: bool = False
    # Spam is a folder: hidden from the list unless asked for by status.
    include_spam: bool = False
    # Only the leads assigned to this person (a sales person sees no others).
    assignee_id: int | None = None


def deactivated_buyers() -> Select[tuple[int]]:
    """Buyers who deactivated their account: their enquiries and requirements are hidden until
    they sign in again (a privacy request; see marketplace.privacy)."""
    return select(User.id).where(User.deactivated_at.is_not(None))


def supplier_leads_query(supplier_id: int, chosen: LeadFilter) -> Select[tuple[Lead]]:
    query = select(Lead).where(
        Lead.supplier_id == supplier_id,
        Lead.buyer_id.is_(None) | Lead.buyer_id.not_in(deactivated_buyers()),
    )
    if chosen.type:
        query = query.where(Lead.type == chosen.type)
    if chosen.status:
        query = query.where(Lead.status == chosen.status)
    elif not chosen.include_spam:
        query = query.where(Lead.status != LeadStatus.SPAM)
    if chosen.product_id:
        query = query.where(Lead.product_id == chosen.product_id)
    if chosen.assignee_id is not None:
        query = query.where(Lead.assignee_id == chosen.assignee_id)
    if chosen.start:
        query = query.where(Lead.created_at >= chosen.start)
    if chosen.end:
        query = query.where(Lead.created_at < chosen.end)
    if chosen.unread:
        query = query.where(
            or_(Lead.supplier_seen_at.is_(None), Lead.buyer_activity_at > Lead.supplier_seen_at)
        )
    return query


def _with_parties(query: Select[tuple[Lead]]) -> Select[tuple[Lead]]:
    return query.options(
        selectinload(Lead.buyer).selectinload(User.supplier),
        selectinload(Lead.supplier),
        selectinload(Lead.product).selectinload(Product.category),
    )


def page_of_leads(
    query: Select[tuple[Lead]],
    *,
    oldest_first: bool,
    page: int,
    per_page: int,
    first_for: int | None = None,
) -> tuple[list[Lead], int]:
    """One page in a stable order: creation time, then id (ties are common under load); with
    `first_for`, that person's own leads before the others."""
    order = (Lead.created_at, Lead.id) if oldest_first else (Lead.created_at.desc(), Lead.id.desc())
    if first_for is not None:
        order = (case((Lead.assignee_id == first_for, 0), else_=1), *order)
    return paginate(_with_parties(query).order_by(*order), page=page, per_page=per_page)


def all_leads(query: Select[tuple[Lead]]) -> Sequence[Lead]:
    return db.session.scalars(
        _with_parties(query).order_by(Lead.created_at.desc(), Lead.id.desc())
    ).all()


def supplier_unread_count(supplier_id: int) -> int:
    query = supplier_leads_query(supplier_id, LeadFilter(unread=True))
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def buyer_unread_count(buyer_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Lead.buyer_id == buyer_id,
                Lead.supplier_activity_at.is_not(None),
                or_(Lead.buyer_seen_at.is_(None), Lead.supplier_activity_at > Lead.buyer_seen_at),
            )
        )
        or 0
    )


def buyer_enquiries(buyer_id: int, *, page: int, per_page: int) -> tuple[list[Lead], int]:
    query = select(Lead).where(Lead.buyer_id == buyer_id, Lead.type == LeadType.ENQUIRY)
    newest_first = query.options(selectinload(Lead.supplier)).order_by(
        Lead.created_at.desc(), Lead.id.desc()
    )
    return paginate(newest_first, page=page, per_page=per_page)


# --- the dashboard -------------------------------------------------------------------------

# The pipeline in order: a lead that reached a later stage passed the earlier ones.
FUNNEL = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUOTED, LeadStatus.WON)


def dashboard(supplier_id: int, *, weeks: int = 12, today: date | None = None) -> dict[str, Any]:
    """Leads per week (Monday to Sunday in India), by source and by product, and the pipeline
    funnel, for the charts."""
    today = today or utcnow().astimezone(IST).date()
    first_monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    since = datetime.combine(first_monday, time.min, IST)
    rows = db.session.execute(
        select(Lead.created_at, Lead.source, Lead.product_name, Lead.status).where(
            Lead.supplier_id == supplier_id, Lead.created_at >= since
        )
    ).all()
    days = [created.astimezone(IST).date() for created, *_ in rows]
    per_week = Counter((day - timedelta(days=day.weekday())).isoformat() for day in days)
    weeks_list = [(first_monday + timedelta(weeks=n)).isoformat() for n in range(weeks)]
    real = [row for row in rows if row.status != LeadStatus.SPAM]
    by_status = Counter(row.status for row in real)
    reached = []
    for position, stage in enumerate(FUNNEL):
        later = FUNNEL[position:] if stage != LeadStatus.NEW else (*FUNNEL, LeadStatus.LOST)
        reached.append({"stage": str(stage), "count": sum(by_status[s] for s in later)})
    return {
        "since": first_monday.isoformat(),
        "weeks": [{"week": week, "count": per_week.get(week, 0)} for week in weeks_list],
        "by_source": [
            {"source": str(source), "count": count}
            for source, count in Counter(row.source for row in real).most_common()
        ],
        "by_product": [
            {"product": name or "(storefront)", "count": count}
            for name, count in Counter(row.product_name for row in real).most_common(10)
        ],
        "funnel": reached,
        "lost": by_status[LeadStatus.LOST],
        "spam": len(rows) - len(real),
        "total": len(rows),
    }
