"""The eraser for BuyLead reports and preferences (listed in privacy.erasure.ERASER_MODULES).

Reports stay: an upheld one is why a credit came back, and the buyer's record counts it. An
erased buyer's contact details are replaced wherever a supplier's note on a report of their
requirements repeats them (before the leads eraser unlinks the requirements: order 15). An
erased supplier's preferences go; its reports keep their facts, with no link to the person.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update

from marketplace.extensions import db
from marketplace.leads.models import BuyRequirement
from marketplace.leads.preference_models import LeadPreferences
from marketplace.leads.report_models import BuyLeadReport
from marketplace.privacy.erasure import Eraser, Subject, redact_columns, register


def _erase(subject: Subject) -> list[str]:
    user_id = subject.user.id
    about_them = select(BuyRequirement.id).where(BuyRequirement.buyer_id == user_id)
    # The person however written in any report's note or the officer's reason (their name's
    # parts too in reports about their own requirements).
    notes = len(
        redact_columns(
            subject,
            [BuyLeadReport.note, BuyLeadReport.decision_reason],
            BuyLeadReport.requirement_id.in_(about_them),
        )
    )
    db.session.execute(
        update(BuyLeadReport)
        .where(BuyLeadReport.reporter_id == user_id)
        .values(reporter_id=None)
        .execution_options(synchronize_session=False)
    )
    preferences = 0
    if subject.supplier_id is not None:
        preferences = db.session.execute(
            delete(LeadPreferences).where(LeadPreferences.supplier_id == subject.supplier_id)
        ).rowcount  # type: ignore[attr-defined]
    return [
        f"{notes} copies of the contact details in reports of bad BuyLeads replaced",
        f"{preferences} BuyLead preferences deleted",
    ]


register(Eraser("buylead_reports", erase=_erase, order=15))
