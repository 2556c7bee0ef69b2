"""Credits back for bad BuyLeads.

A supplier that unlocked a BuyLead may report it within BUYLEAD_REPORT_DAYS of the unlock (the
number is not reachable, not a buyer, already bought, false details). The report waits on the
grievance officer's desk; the officer upholds or rejects it with a reason, and the supplier is
told. An upheld report gives the unlock's credit back (once: the ledger's reference
`return:buylead:<requirement>` is unique per supplier) and counts against the buyer.

A requirement is closed when BUYLEAD_REPORTS_TO_CLOSE suppliers have had their reports upheld,
and every other unlock of it is refunded too. Upheld reports count, not filed ones: a refund to
everyone is the platform's money and each report is one supplier's word, while a supplier who
unlocks meanwhile loses nothing (it is refunded when the requirement closes).

A buyer with BUYLEAD_FAKE_LIMIT requirements upheld as fake posts no more without a verified
mobile number.

Functions flush but never commit: the request commits once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.credits import ledger
from marketplace.credits.models import CreditKind
from marketplace.db import paginate, utcnow
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.extensions import db
from marketplace.formatting import ist_moment
from marketplace.i18n import in_language
from marketplace.leads import policy, report_policy
from marketplace.leads.models import BuyRequirement, Lead
from marketplace.leads.report_inputs import BuyLeadReportIn, ReportDecisionIn, ReportsQuery
from marketplace.leads.report_models import REASON_LABELS, BuyLeadReport, ReportStatus
from marketplace.notifications import absolute_url, send_email


class ReportWindowClosed(Conflict):
    title = "Too late to report this BuyLead"


class VerifiedMobileNeeded(Forbidden):
    title = "A verified mobile number is needed"


# A decision as a mail's subject names it.
DECISION_WORDS = {ReportStatus.UPHELD: _l("upheld"), ReportStatus.REJECTED: _l("rejected")}
# Why a decided report cannot be decided again.
ALREADY_DECIDED = {
    ReportStatus.UPHELD: _l("This report is already upheld."),
    ReportStatus.REJECTED: _l("This report is already rejected."),
}


def unlock_reference(requirement_id: int) -> str:
    return f"buylead:{requirement_id}"  # the unlock's debit (leads.requirements.unlock)


def return_reference(requirement_id: int) -> str:
    return f"return:buylead:{requirement_id}"


# --- the supplier reports ---------------------------------------------------------------------


def report_deadline(lead: Lead) -> datetime:
    return lead.created_at + timedelta(days=current_app.config["BUYLEAD_REPORT_DAYS"])


def can_report(lead: Lead) -> bool:
    """Within the days after the unlock (the lead is born at the unlock)."""
    return utcnow() <= report_deadline(lead)


def file_report(
    user: User, requirement_id: int, body: BuyLeadReportIn
) -> tuple[BuyLeadReport, bool]:
    """Report an unlocked BuyLead; a second report of the same unlock (a double submit) is the
    first one. Returns the report and whether it is new."""
    supplier = policy.buylead_buyer(user)
    lead = db.session.scalar(
        select(Lead).where(Lead.supplier_id == supplier.id, Lead.requirement_id == requirement_id)
    )
    if lead is None:
        raise NotFound(_("You have not unlocked this BuyLead, so there is nothing to report."))
    existing = _report_of(lead.id)
    if existing is not None:
        return existing, False
    if not can_report(lead):
        days = current_app.config["BUYLEAD_REPORT_DAYS"]
        raise ReportWindowClosed(
            _(
                "A BuyLead can be reported within %(days)s days of unlocking it; this one was "
                "unlocked on %(when)s.",
                days=days,
                when=ist_moment(lead.created_at),
            )
        )
    report = BuyLeadReport(
        requirement_id=requirement_id,
        lead_id=lead.id,
        supplier_id=supplier.id,
        reporter_id=user.id,
        reason=body.reason,
        note=body.note or "",
        created_at=utcnow(),
    )
    try:
        with db.session.begin_nested():  # a concurrent double submit: the first one stands
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        first = _report_of(lead.id)
        assert first is not None
        return first, False
    audit.record("buylead.reported", actor_id=user.id, subject=report, requirement=requirement_id)
    return report, True


def _report_of(lead_id: int) -> BuyLeadReport | None:
    return db.session.scalar(select(BuyLeadReport).where(BuyLeadReport.lead_id == lead_id))


def report_states(user: User, leads: list[Lead]) -> tuple[dict[int, BuyLeadReport], set[int]]:
    """For these unlocked BuyLeads of the caller: its reports, by requirement, and the
    requirements it may still report (unreported, within the days)."""
    supplier = policy.buylead_buyer(user)
    rows = db.session.scalars(
        select(BuyLeadReport).where(
            BuyLeadReport.supplier_id == supplier.id,
            BuyLeadReport.lead_id.in_([lead.id for lead in leads]),
        )
    )
    reports = {row.requirement_id: row for row in rows}
    open_to_report = {
        lead.requirement_id
        for lead in leads
        if lead.requirement_id is not None
        and lead.requirement_id not in reports
        and can_report(lead)
    }
    return reports, open_to_report


def list_reports(user: User, query: ReportsQuery) -> tuple[list[BuyLeadReport], int]:
    """The officer sees every report; a supplier its own."""
    chosen = select(BuyLeadReport)
    if not report_policy.can_decide_reports(user):
        chosen = chosen.where(BuyLeadReport.supplier_id == policy.buylead_buyer(user).id)
    if query.status:
        chosen = chosen.where(BuyLeadReport.status == ReportStatus(query.status))
    ordered = chosen.order_by(BuyLeadReport.created_at.desc(), BuyLeadReport.id.desc())
    return paginate(ordered, page=query.page, per_page=query.per_page)


def report_for_officer(user: User, report_id: int) -> BuyLeadReport:
    report_policy.require_decide_reports(user)
    report = db.session.get(BuyLeadReport, report_id)
    if report is None:
        raise NotFound(_("No such report."))
    return report


# --- the officer decides ----------------------------------------------------------------------


def decide(actor: User, report_id: int, body: ReportDecisionIn) -> BuyLeadReport:
    """Uphold (the credit goes back, the buyer is counted) or reject, with a reason the supplier
    reads. Decided once: the status moves from pending in one conditional UPDATE."""
    report_policy.require_decide_reports(actor)
    upheld = body.decision == "uphold"
    status = ReportStatus.UPHELD if upheld else ReportStatus.REJECTED
    claimed = db.session.execute(
        update(BuyLeadReport)
        .where(BuyLeadReport.id == report_id, BuyLeadReport.status == ReportStatus.PENDING)
        .values(
            status=status, decided_by_id=actor.id, decided_at=utcnow(), decision_reason=body.reason
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    report = db.session.get(BuyLeadReport, report_id, populate_existing=True)
    if report is None:
        raise NotFound(_("No such report."))
    if not claimed:
        raise Conflict(str(ALREADY_DECIDED[report.status]))
    audit.record(
        "buylead_report.decided",
        actor_id=actor.id,
        subject=report,
        decision=str(status),
        reason=body.reason,
    )
    if upheld:
        with in_language(None):  # the ledger keeps its reasons in English
            label = str(REASON_LABELS[report.reason]).lower()
        why = f"BuyLead #{report.requirement_id} reported ({label}), upheld"
        return_credit(report.supplier_id, report.requirement_id, why)
        _close_if_upheld_enough(actor, report.requirement)
    send_email(
        report.supplier.user.email,
        _l("Your report of BuyLead #%(number)s: upheld", number=report.requirement_id)
        if upheld
        else _l("Your report of BuyLead #%(number)s: rejected", number=report.requirement_id),
        "buylead_report_decided",
        language=report.supplier.user.language,
        report=report,
        reason_label=REASON_LABELS[report.reason],
        link=absolute_url("credits.overview"),
    )
    return report


def return_credit(supplier_id: int, requirement_id: int, why: str) -> bool:
    """Give back the credit this supplier spent on this requirement, once; whether it is new."""
    debit = ledger.entry_by_reference(supplier_id, unlock_reference(requirement_id))
    if debit is None or debit.delta >= 0:
        return False  # nothing was spent on it
    # A credit of a week's allocation comes back with that allocation's end: a refund must not
    # turn a credit that would have expired into one that never does.
    if debit.expires_at is not None and debit.expires_at <= utcnow():
        return False  # it would have expired by now anyway
    _entry, new = ledger.grant_once(
        supplier_id,
        -debit.delta,
        kind=CreditKind.RETURNED,
        reason=why,
        reference=return_reference(requirement_id),
        expires_at=debit.expires_at,
    )
    return new


def _close_if_upheld_enough(actor: User, requirement: BuyRequirement) -> None:
    """Enough suppliers upheld: the requirement closes and every unlock of it is refunded."""
    suppliers = db.session.scalar(
        select(func.count(func.distinct(BuyLeadReport.supplier_id))).where(
            BuyLeadReport.requirement_id == requirement.id,
            BuyLeadReport.status == ReportStatus.UPHELD,
        )
    )
    if (suppliers or 0) < current_app.config["BUYLEAD_REPORTS_TO_CLOSE"]:
        return
    if requirement.closed_at is None:
        requirement.closed_at = utcnow()
    why = f"BuyLead #{requirement.id} closed: reported as bad by {suppliers} suppliers"
    refunded = []
    for lead in db.session.scalars(select(Lead).where(Lead.requirement_id == requirement.id)):
        if return_credit(lead.supplier_id, requirement.id, why):
            refunded.append(lead.supplier_id)
            send_email(
                lead.supplier.user.email,
                _l(
                    "BuyLead #%(number)s was closed and your credit returned", number=requirement.id
                ),
                "buylead_closed_refund",
                language=lead.supplier.user.language,
                name=lead.supplier.user.name,
                requirement=requirement,
                link=absolute_url("credits.overview"),
            )
    audit.record(
        "requirement.closed_as_fake", actor_id=actor.id, subject=requirement, refunded=refunded
    )


# --- the buyer's standing ---------------------------------------------------------------------


def fake_requirements(buyer_id: int) -> int:
    """How many of this buyer's requirements had a report upheld."""
    return int(
        db.session.scalar(
            select(func.count(func.distinct(BuyLeadReport.requirement_id)))
            .join(BuyRequirement, BuyRequirement.id == BuyLeadReport.requirement_id)
            .where(BuyRequirement.buyer_id == buyer_id, BuyLeadReport.status == ReportStatus.UPHELD)
        )
        or 0
    )


def require_trusted_buyer(buyer: User) -> None:
    """Refuse a new requirement from a buyer with too many found fake, unless their mobile number
    is verified."""
    if buyer.phone_verified_at is not None:
        return
    if fake_requirements(buyer.id) < current_app.config["BUYLEAD_FAKE_LIMIT"]:
        return
    raise VerifiedMobileNeeded(
        _(
            "Suppliers reported several of your earlier requirements as not genuine, and our "
            "grievance officer agreed, so a new requirement needs a verified mobile number. Your "
            "mobile number is not verified yet: on your account page, under 'Verify your "
            "mobile', ask for a code by SMS and enter it; then you can post your requirement "
            "again."
        )
    )
