"""New-enquiry notices: the supplier is mailed and texted about each new enquiry, once. The
leads not yet told are the queue (see `tasks.notify_new_enquiries`); a notice that fails is
put off, longer after each failure."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    and_,
    func,
    or_,
    select,
    update,
)

from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.leads import assignment
from marketplace.leads.models import (
    Lead,
    LeadStatus,
)
from marketplace.leads.schemas import quantity_text
from marketplace.notifications import absolute_url, send_email, send_sms

NOTICE_RETRY_LIMIT = timedelta(hours=1)  # the longest a failed new-enquiry notice waits


def _untold() -> ColumnElement[bool]:
    # Only a lead still new is told: one the supplier has moved on (to spam, contacted, ...)
    # before its notice went out has been seen already.
    return and_(Lead.supplier_notified_at.is_(None), Lead.status == LeadStatus.NEW)


def enquiries_to_notify() -> list[int]:
    """The enquiries whose supplier is still to be told, oldest first."""
    return list(db.session.scalars(select(Lead.id).where(_untold()).order_by(Lead.id)))


def _notice_due() -> ColumnElement[bool]:
    """Untold, and not waiting after a failure."""
    return and_(_untold(), or_(Lead.notice_retry_at.is_(None), Lead.notice_retry_at <= utcnow()))


def notice_due_since() -> datetime | None:
    """Since when the notice that has waited longest has been due: how far the notices are
    behind. A notice put off after a failure is due from its retry time, not from its lead."""
    never_tried = db.session.scalar(
        select(Lead.created_at)
        .where(_notice_due(), Lead.notice_retry_at.is_(None))
        .order_by(Lead.id)
        .limit(1)
    )
    put_off = db.session.scalar(
        select(func.min(Lead.notice_retry_at)).where(
            _notice_due(), Lead.notice_retry_at.is_not(None)
        )
    )
    return min((moment for moment in (never_tried, put_off) if moment), default=None)


def retry_notices_now() -> int:
    """Make every notice put off after a failure due at once (by hand, once the fault is
    mended). Returns how many."""
    return db.session.execute(
        update(Lead)
        .where(_untold(), Lead.notice_retry_at.is_not(None))
        .values(notice_retry_at=None, updated_at=Lead.updated_at)
    ).rowcount  # type: ignore[attr-defined]


def next_enquiry_to_notify(after: int) -> int | None:
    """The oldest enquiry after `after` whose notice is due (its supplier is still to be told,
    and it is not waiting after a failure), locked for this transaction. One that another run
    holds is skipped, so runs side by side share the work."""
    return db.session.scalar(
        select(Lead.id)
        .where(_notice_due(), Lead.id > after)
        .order_by(Lead.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def put_off_notice(lead_id: int) -> datetime | None:
    """After a failed notice: its next try waits as long again as the lead has waited so far
    (at least a second, at most NOTICE_RETRY_LIMIT), so a notice that keeps failing is tried,
    and logged, less and less often, and still goes out once the fault is mended. Returns when
    it is tried again (None when the lead is gone or told)."""
    now = utcnow()
    created_at = db.session.scalar(select(Lead.created_at).where(Lead.id == lead_id, _untold()))
    if created_at is None:
        return None
    retry_at = now + min(max(now - created_at, timedelta(seconds=1)), NOTICE_RETRY_LIMIT)
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead_id)
        .values(notice_retry_at=retry_at, updated_at=Lead.updated_at)
    )
    return retry_at


def notify_supplier_of_enquiry(lead_id: int) -> bool:
    """Mail and text the supplier about a new enquiry, once: the lead is claimed first, so a
    second run, or a run beside this one, sends nothing; nor does one for a lead no longer
    untold (moved to spam meanwhile). Returns whether this run told the supplier."""
    # updated_at stays: this is not a change a CRM should pull again.
    claimed = db.session.execute(
        update(Lead)
        .where(Lead.id == lead_id, _untold())
        .values(supplier_notified_at=utcnow(), updated_at=Lead.updated_at)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    lead = db.session.get_one(Lead, lead_id)
    person = assignment.works_it(lead)
    about = lead.product_name or _l("your products")
    link = absolute_url("leads.lead_page", lead_id=lead.id)
    subject = _l("New enquiry: %(about)s", about=about)
    send_email(person.email, subject, "new_enquiry", language=person.language, lead=lead, link=link)
    if person.phone:
        text = (
            _l(
                "TradeSetu: new enquiry for %(about)s %(quantity)s %(unit)s. Reply: %(link)s",
                about=about,
                quantity=quantity_text(lead.quantity),
                unit=lead.unit,
                link=link,
            )
            if lead.quantity
            else _l("TradeSetu: new enquiry for %(about)s. Reply: %(link)s", about=about, link=link)
        )
        send_sms(person.phone, text, language=person.language)
    return True
