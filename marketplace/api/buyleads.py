"""BuyLead reports and lead preferences over JSON: a supplier reports a bad BuyLead it
unlocked; the grievance officer decides the report."""

from __future__ import annotations

from marketplace.accounts.models import BUSINESS_ROLES
from marketplace.accounts.policy import Scope
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.leads import (
    bad_leads,
    preference_schemas,
    preferences,
    report_policy,
    report_schemas,
)
from marketplace.leads.preference_inputs import PreferencesIn
from marketplace.leads.report_inputs import BuyLeadReportIn, ReportDecisionIn, ReportsQuery
from marketplace.leads.report_models import BuyLeadReport
from marketplace.openapi import Reply, operation


def _officer_view(report: BuyLeadReport) -> report_schemas.ReportForOfficer:
    fakes = bad_leads.fake_requirements(report.requirement.buyer_id or 0)
    return report_schemas.report_for_officer(report, fakes)


@bp.post("/buyleads/<int:requirement_id>/reports")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_WRITE)
@operation(
    "Report a BuyLead I unlocked as bad (within 7 days of the unlock): the grievance officer "
    "decides, and an upheld report returns the credit",
    tag="buyleads",
    body=BuyLeadReportIn,
    responses={
        201: Reply(report_schemas.Report, "Reported"),
        200: Reply(report_schemas.Report, "Already reported: the first report, nothing new"),
    },
    problems=(404, 409),
)
def report_buylead(requirement_id: int, body: BuyLeadReportIn):  # type: ignore[no-untyped-def]
    report, new = bad_leads.file_report(current_api_user(), requirement_id, body)
    return report_schemas.report_for_supplier(report), 201 if new else 200


@bp.get("/buylead-reports")
@authenticated(person=True)  # suppliers see their own; the grievance officer every report
@operation(
    "My reports of bad BuyLeads; the grievance officer sees every report (filter by status)",
    tag="buyleads",
    query=ReportsQuery,
    responses={200: report_schemas.ReportPage},
)
def buylead_reports(query: ReportsQuery):  # type: ignore[no-untyped-def]
    user = current_api_user()
    rows, total = bad_leads.list_reports(user, query)
    if report_policy.can_decide_reports(user):
        return query.answer([_officer_view(row) for row in rows], total)
    return query.answer([report_schemas.report_for_supplier(row) for row in rows], total)


@bp.post("/buylead-reports/<int:report_id>/decision")
@authenticated(person=True)  # leads.report_policy decides who may decide (the officer)
@operation(
    "Grievance officer: uphold (the credit goes back to the supplier) or reject, with a reason",
    tag="buyleads",
    body=ReportDecisionIn,
    responses={200: report_schemas.ReportForOfficer},
    problems=(404, 409),
)
def decide_buylead_report(report_id: int, body: ReportDecisionIn):  # type: ignore[no-untyped-def]
    return _officer_view(bad_leads.decide(current_api_user(), report_id, body))


@bp.get("/buyleads/preferences")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_READ)
@operation(
    "My BuyLead preferences: the requirements I want to be matched to and told of",
    tag="buyleads",
    responses={200: preference_schemas.PreferencesView},
)
def buylead_preferences():  # type: ignore[no-untyped-def]
    return preference_schemas.preferences_view(preferences.own_preferences(current_api_user()))


@bp.put("/buyleads/preferences")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_WRITE)
@operation(
    "Set my BuyLead preferences, all at once (a field left out is cleared; empty lists: any)",
    tag="buyleads",
    body=PreferencesIn,
    responses={200: preference_schemas.PreferencesView},
)
def set_buylead_preferences(body: PreferencesIn):  # type: ignore[no-untyped-def]
    saved = preferences.save_preferences(current_api_user(), body)
    return preference_schemas.preferences_view(saved)
