"""What a supplier sends to report a bad BuyLead, and what the grievance officer sends to
decide the report."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from marketplace.fields import Choice, PageQuery, Text
from marketplace.leads.report_models import ReportReason, ReportStatus

DECISIONS = ("uphold", "reject")


class BuyLeadReportIn(BaseModel):
    """Why the unlocked contact was no good, with a note for the officer."""

    model_config = ConfigDict(title="BuyLeadReportInput")

    reason: Choice(ReportReason, description="why the BuyLead was bad")
    note: Text(max_length=2000, multiline=True, required=False) = None


class ReportDecisionIn(BaseModel):
    """The officer's decision; the reason is sent to the supplier and kept in the audit log."""

    model_config = ConfigDict(title="BuyLeadReportDecisionInput")

    decision: Choice(DECISIONS, description="uphold: the credit goes back to the supplier")
    reason: Text(min_length=3, max_length=500, multiline=True)


class ReportsQuery(PageQuery):
    status: Choice(ReportStatus, required=False) = None
