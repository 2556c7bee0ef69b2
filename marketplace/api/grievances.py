"""Grievances and the breach register over JSON. Who may do what is decided in
marketplace.grievances.policy (asked here or by the rules)."""

from __future__ import annotations

from flask import Response, request

from marketplace.accounts.models import User
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.db import utcnow
from marketplace.extensions import limiter
from marketplace.fields import Page, PageQuery
from marketplace.grievances import (
    appeals,
    breach_register,
    compliance_report,
    decisions,
    filing,
    guest_codes,
    policy,
    queries,
    schemas,
)
from marketplace.grievances.inputs import (
    AppealIn,
    BreachChange,
    BreachIn,
    GrievanceChange,
    GrievanceIn,
    GrievancesQuery,
    GuestCodeIn,
    GuestGrievanceIn,
    ReportQuery,
)
from marketplace.grievances.models import Grievance
from marketplace.openapi import Reply, json_body, operation
from marketplace.validation import validated
from marketplace.web import address_key


def _officer_view(grievance: Grievance) -> schemas.GrievanceForOfficer:
    return schemas.for_officer(
        grievance,
        overdue=queries.is_overdue(grievance, utcnow()),
        appeal_by=appeals.appeal_by(grievance),
    )


def _view_for(user: User, grievance: Grievance) -> schemas.GrievanceView:
    if policy.is_officer(user):
        return _officer_view(grievance)
    return schemas.for_complainant(grievance, appeal_by=appeals.appeal_by(grievance))


# One body for both callers, read by the handler: a signed-in caller's token is checked before
# the body is read; a guest also gives a name and the address the code goes to.
_COMPLAINT_BODY = Reply(GuestGrievanceIn.model_json_schema(mode="validation"))


@bp.post("/grievances")
@limiter.limit("20 per hour", key_func=address_key)
@operation(
    "File a grievance. With a token: filed (201) and the clocks start (acknowledge in 24 hours, "
    "resolve in 15 days, IT Rules 2021 r.3(2)). Without one: a guest, who also sends name and "
    "email and gets a one-time code by email (202)",
    tag="grievances",
    takes=_COMPLAINT_BODY,
    responses={
        201: Reply(schemas.GrievanceCreated, "Filed"),
        202: Reply(schemas.GuestDraft, "A guest: confirm with the code sent by email"),
    },
    problems=(401, 403),
    description="The bearer token is optional: without one the caller is a guest.",
)
def file_grievance():  # type: ignore[no-untyped-def]
    if request.headers.get("Authorization"):
        return _file_signed_in()
    draft = guest_codes.start_guest_grievance(validated(GuestGrievanceIn, json_body()))
    return schemas.guest_draft(draft), 202


@authenticated(person=True)
def _file_signed_in():  # type: ignore[no-untyped-def]
    body = validated(GrievanceIn, json_body())
    return schemas.created(filing.file_grievance(current_api_user(), body)), 201


@bp.post("/grievances/guest/<verification_id>/confirm")
@limiter.limit("10 per minute", key_func=address_key)
@operation(
    "A guest confirms the email with the code it was sent: the grievance is filed",
    tag="grievances",
    body=GuestCodeIn,
    responses={201: Reply(schemas.GrievanceCreated, "Filed")},
    problems=(404, 409),
)
def confirm_guest_grievance(verification_id: str, body: GuestCodeIn):  # type: ignore[no-untyped-def]
    return schemas.created(guest_codes.confirm_guest_grievance(verification_id, body)), 201


@bp.get("/grievances")
@authenticated(person=True)
@operation(
    "Grievances: a person's own; the officer sees all, nearest deadline first",
    tag="grievances",
    query=GrievancesQuery,
    responses={200: schemas.GrievancePage},
)
def grievances(query: GrievancesQuery):  # type: ignore[no-untyped-def]
    user = current_api_user()
    rows, total = queries.list_grievances(
        user, query.chosen(), page=query.page, per_page=query.per_page
    )
    items = [_view_for(user, row) for row in rows]
    return query.answer(items, total)


@bp.get("/grievances/<int:grievance_id>")
@authenticated(person=True)
@operation(
    "One grievance with its history (the complainant sees replies, not notes)",
    tag="grievances",
    responses={200: schemas.GrievanceView},
    problems=(404,),
)
def grievance(grievance_id: int):  # type: ignore[no-untyped-def]
    user = current_api_user()
    return _view_for(user, queries.grievance_for(user, grievance_id))


@bp.patch("/grievances/<int:grievance_id>")
@authenticated(person=True)
@operation(
    "Work a grievance (officer): status, a response to the complainant, an internal note, "
    "assignment",
    tag="grievances",
    body=GrievanceChange,
    responses={200: schemas.GrievanceForOfficer},
    problems=(404,),
)
def update_grievance(grievance_id: int, body: GrievanceChange):  # type: ignore[no-untyped-def]
    return _officer_view(decisions.update_grievance(current_api_user(), grievance_id, body))


@bp.post("/grievances/<int:grievance_id>/appeal")
@authenticated(person=True)
@operation(
    "Appeal a decision (the complainant, within 30 days of it)",
    tag="grievances",
    body=AppealIn,
    responses={200: schemas.GrievanceView},  # the grievance as GET /grievances/{id} shows it
    problems=(404, 409),
)
def appeal_grievance(grievance_id: int, body: AppealIn):  # type: ignore[no-untyped-def]
    user = current_api_user()
    return _view_for(user, appeals.appeal(user, grievance_id, body))


_REPORT = Reply(
    schemas.GrievanceReport,
    "The figures; with format=csv, the same as text/csv (measure,value rows)",
    alternatives={"text/csv": {"type": "string"}},
)


@bp.get("/grievances/report")
@authenticated(person=True)
@operation(
    "The compliance report for a period (officer); format=csv for CSV",
    tag="grievances",
    query=ReportQuery,
    responses={200: _REPORT},
)
def grievance_report(query: ReportQuery):  # type: ignore[no-untyped-def]
    policy.require_see_report(current_api_user())
    start, end = query.bounds()
    figures = compliance_report.report(start, end)
    if query.format != "csv":
        return figures
    return Response(
        compliance_report.report_csv(figures),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="grievances-{start}-{end}.csv"'},
    )


@bp.post("/breaches")
@authenticated(person=True)
@operation(
    "Record a personal-data breach (officer): the detailed report to the Data Protection Board "
    "is due 72 hours after detection (DPDP Rules 2025 r.7)",
    tag="breaches",
    body=BreachIn,
    responses={201: Reply(schemas.Breach, "Recorded")},
)
def record_breach(body: BreachIn):  # type: ignore[no-untyped-def]
    return schemas.breach(breach_register.record_breach(current_api_user(), body)), 201


@bp.get("/breaches")
@authenticated(person=True)
@operation(
    "The breach register (officer)",
    tag="breaches",
    query=PageQuery,
    responses={200: Page[schemas.Breach]},
)
def breaches(query: PageQuery):  # type: ignore[no-untyped-def]
    user = current_api_user()
    rows, total = queries.list_breaches(user, page=query.page, per_page=query.per_page)
    items = [schemas.breach(row) for row in rows]
    return query.answer(items, total)


@bp.patch("/breaches/<int:breach_id>")
@authenticated(person=True)
@operation(
    "Record notices, notify affected users, change or close a breach (officer)",
    tag="breaches",
    body=BreachChange,
    responses={200: schemas.Breach},
    problems=(404,),
)
def update_breach(breach_id: int, body: BreachChange):  # type: ignore[no-untyped-def]
    return schemas.breach(breach_register.update_breach(current_api_user(), breach_id, body))
