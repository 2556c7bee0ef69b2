"""How suppliers answer enquiries, in public: over the last 30 days, the share of enquiries
answered within 24 hours and the median time to the first answer.

An answer is the supplier's first message, its first quotation, or marking the lead spam
(`Lead.first_response_at`, stamped by `record_first_response`); silence is no answer. Counted are
the enquiries of the window whose outcome is known: answered, or a day old without an answer (an
enquiry of the last hour is not yet a failure). BuyLeads are the supplier's own choice, and a
blocked buyer's enquiries go to spam unseen: neither is an enquiry waiting for an answer. The
median counts silence as "never", so it is the time within which half the enquiries are
answered, and there is none when fewer than half are. Below MIN_ENQUIRIES nothing is shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, case, exists, extract, func, not_, or_, select, true

from marketplace.accounts.models import SupplierProfile
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadStatus, LeadType
from marketplace.signals import supplier_changed

WINDOW = timedelta(days=30)
ANSWER_WITHIN = timedelta(hours=24)
MIN_ENQUIRIES = 3  # fewer say nothing about a supplier
_NEVER = 10**12  # seconds: silence sorts after every answer
_LONGEST = int(WINDOW.total_seconds() // 60)  # minutes: no answer in the window takes longer


@dataclass(frozen=True)
class ResponseFigures:
    enquiries: int  # counted in the window (answered, or unanswered for a day)
    answered: int  # at any time
    answered_within_day: int
    median_minutes: int | None  # to the first answer, silence counting as never

    @property
    def known(self) -> bool:
        return self.enquiries >= MIN_ENQUIRIES

    @property
    def rarely_answers(self) -> bool:
        """Leaves most enquiries unanswered: matched to BuyLeads after those who answer."""
        return self.known and 2 * self.answered < self.enquiries

    @property
    def rate(self) -> float | None:
        """The share answered within 24 hours, 0 to 1; None with too little data."""
        return round(self.answered_within_day / self.enquiries, 2) if self.known else None

    @property
    def percent(self) -> int | None:
        return round(100 * self.answered_within_day / self.enquiries) if self.known else None

    @property
    def median(self) -> int | None:
        return self.median_minutes if self.known else None


NO_FIGURES = ResponseFigures(0, 0, 0, None)


def record_first_response(lead: Lead) -> None:
    """The supplier answered this lead (a message, a quotation, a spam verdict): the first
    answer is the one the figures time."""
    if lead.first_response_at is None:
        lead.first_response_at = utcnow()


def response_figures(
    supplier_ids: Iterable[int] | None, *, now: datetime | None = None
) -> dict[int, ResponseFigures]:
    """Each supplier's figures (NO_FIGURES without enquiries), in one query for all of them:
    a page of search results asks for twenty suppliers at once. `None`: every supplier with
    enquiries in the window (a rebuild of the search index)."""
    ids = None if supplier_ids is None else sorted(set(supplier_ids))
    if ids == []:
        return {}
    now = now or utcnow()
    answered = and_(Lead.first_response_at.is_not(None), Lead.first_response_at <= now)
    wait = case(
        (answered, extract("epoch", Lead.first_response_at) - extract("epoch", Lead.created_at)),
        else_=_NEVER,
    )
    counted = (
        select(
            Lead.supplier_id,
            wait.label("wait"),
            case((answered, 1), else_=0).label("answered"),
            func.row_number()
            .over(partition_by=Lead.supplier_id, order_by=(wait, Lead.id))
            .label("position"),
            func.count().over(partition_by=Lead.supplier_id).label("total"),
        )
        .where(
            Lead.supplier_id.in_(ids) if ids is not None else true(),
            Lead.type == LeadType.ENQUIRY,
            Lead.created_at >= now - WINDOW,
            Lead.created_at <= now,
            or_(answered, Lead.created_at <= now - ANSWER_WITHIN),
            # Spam nobody marked was born there: a blocked buyer's, never shown to the supplier.
            not_(and_(Lead.status == LeadStatus.SPAM, Lead.first_response_at.is_(None))),
        )
        .subquery()
    )
    # The middle row, or the two middle rows, of each supplier's waits in order.
    middle = or_(
        counted.c.position == (counted.c.total + 1) // 2,
        counted.c.position == (counted.c.total + 2) // 2,
    )
    rows = db.session.execute(
        select(
            counted.c.supplier_id,
            func.max(counted.c.total),
            func.sum(counted.c.answered),
            func.sum(case((counted.c.wait <= ANSWER_WITHIN.total_seconds(), 1), else_=0)),
            func.avg(case((middle, counted.c.wait))),
            func.max(case((middle, counted.c.wait))),
        ).group_by(counted.c.supplier_id)
    ).all()
    figures = dict.fromkeys(ids or (), NO_FIGURES)
    for supplier_id, total, answered, within_day, middle_wait, latest_middle in rows:
        median = None
        if latest_middle is not None and float(latest_middle) < _NEVER:
            median = max(1, math.ceil(float(middle_wait) / 60))
        figures[supplier_id] = ResponseFigures(
            int(total), int(answered or 0), int(within_day or 0), median
        )
    return figures


def supplier_response_figures(supplier_id: int) -> ResponseFigures:
    return response_figures([supplier_id])[supplier_id]


def _duration(minutes: int) -> str:
    if minutes <= 60:
        return _("an hour")
    if minutes < 24 * 60:
        return _("%(hours)s h", hours=math.ceil(minutes / 60))
    days = math.ceil(minutes / (24 * 60))
    return ngettext("%(num)d day", "%(num)d days", days)


def describe(figures: ResponseFigures) -> str | None:
    """'Replies to 87% of enquiries within 24 h · usually within 3 h'; None with too little
    data (a new supplier is not shown as a slow one)."""
    if not figures.known:
        return None
    if figures.median is None:
        return _("Replies to %(percent)s%% of enquiries within 24 h", percent=figures.percent)
    return _(
        "Replies to %(percent)s%% of enquiries within 24 h · usually within %(wait)s",
        percent=figures.percent,
        wait=_duration(figures.median),
    )


# Search ranks by one number per supplier (higher answers better): a known median first
# (shorter is better, then the share within a day), then suppliers with too little data, then
# those who leave most enquiries unanswered (by their share).
_UNKNOWN_RANK = 100
_MEDIAN_RANKS = 1000


def search_rank(figures: ResponseFigures) -> int:
    if not figures.known:
        return _UNKNOWN_RANK
    percent = figures.percent or 0
    if figures.median is None:
        return percent
    return _MEDIAN_RANKS + (_LONGEST - min(figures.median, _LONGEST)) * 101 + percent


def suppliers_with_recent_enquiries(*, now: datetime | None = None) -> list[int]:
    """The suppliers whose figures may have moved in the last day: those with an enquiry in the
    window or just out of it (asked supplier by supplier, through the leads' index on supplier
    and time, rather than by reading a month of every supplier's leads)."""
    since = (now or utcnow()) - WINDOW - timedelta(days=1)
    recent = exists().where(
        Lead.supplier_id == SupplierProfile.id,
        Lead.created_at >= since,
        Lead.type == LeadType.ENQUIRY,
    )
    return list(
        db.session.scalars(select(SupplierProfile.id).where(recent).order_by(SupplierProfile.id))
    )


def refresh_search_ranks() -> int:
    """Re-index the products of every supplier whose figures may have moved. Daily rather than
    at each answer: a first answer comes for most leads, a supplier may list thousands of
    products, and a tie-breaker needs no fresher figures (the pages read them live)."""
    suppliers = suppliers_with_recent_enquiries()
    for supplier_id in suppliers:
        supplier_changed.send(supplier_id)
    return len(suppliers)
