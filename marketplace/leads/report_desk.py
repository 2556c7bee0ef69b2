"""Reports of bad BuyLeads on the grievance officer's desk (marketplace.desk). No law sets a
clock on them: the desk shows our own promise to decide within DECIDE_WITHIN, so they sort among
the complaints and are warned about like them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import desk
from marketplace.extensions import db
from marketplace.leads.report_models import REASON_LABELS, BuyLeadReport, ReportStatus
from marketplace.leads.report_schemas import reference

DECIDE_WITHIN = timedelta(days=7)


@desk.register_source
def open_buylead_reports() -> Iterable[desk.DeskItem]:
    rows = db.session.scalars(
        select(BuyLeadReport)
        .where(BuyLeadReport.status == ReportStatus.PENDING)
        .order_by(BuyLeadReport.created_at)
    )
    for report in rows:
        yield desk.DeskItem(
            kind="buylead_report",
            id=report.id,
            reference=reference(report),
            subject=_(
                "Bad BuyLead: %(reason)s (%(product)s)",
                reason=REASON_LABELS[report.reason],
                product=report.requirement.product_name[:80],
            ),
            status="pending",
            status_label=_("Waiting for a decision"),
            received_at=report.created_at,
            acknowledge_by=None,
            resolve_by=report.created_at + DECIDE_WITHIN,
            url=url_for("buylead_pages.desk_report", report_id=report.id),
        )
