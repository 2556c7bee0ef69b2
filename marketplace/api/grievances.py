"""Grievances and the breach register over JSON. Who may do what is decided in
marketplace.grievances.policy (asked here or by the rules); bodies are read before that, so a
malformed body is a 400 whoever sends it."""

from __future__ import annotations

from flask import Response, jsonify, request

from marketplace.api import (
    authenticated,
    bp,
    current_api_user,
    json_body,
    page_body,
    pagination,
)
from marketplace.db import utcnow
from marketplace.errors import ValidationFailed
from marketplace.extensions import limiter
from marketplace.formatting import iso_utc
from marketplace.grievances import (
    appeals,
    breach_register,
    compliance_report,
    decisions,
    filing,
    filters,
    guest_codes,
    policy,
    queries,
    schemas,
)
from marketplace.web import address_key


def _officer_body(grievance):  # type: ignore[no-untyped-def]
    return schemas.for_officer(
        grievance,
        overdue=queries.is_overdue(grievance, utcnow()),
        appeal_by=appeals.appeal_by(grievance),
    )


def _body_for(user, grievance):  # type: ignore[no-untyped-def]
    if policy.is_officer(user):
        return _officer_body(grievance)
    return schemas.for_complainant(grievance, appeal_by=appeals.appeal_by(grievance))


@bp.post("/grievances")
@limiter.limit("20 per hour", key_func=address_key)
def file_grievance():  # type: ignore[no-untyped-def]
    """Signed in: filed at once (201). Without a token: a guest, who gets a one-time code by
    email to confirm the address (202)."""
    if request.headers.get("Authorization"):
        return _file_signed_in()
    draft = guest_codes.start_guest_grievance(json_body())
    return jsonify({"verification_id": draft.id, "expires_at": iso_utc(draft.expires_at)}), 202


@authenticated(person=True)
def _file_signed_in():  # type: ignore[no-untyped-def]
    data = json_body()
    grievance = filing.file_grievance(current_api_user(), data)
    return jsonify(schemas.created(grievance)), 201


@bp.post("/grievances/guest/<verification_id>/confirm")
@limiter.limit("10 per minute", key_func=address_key)
def confirm_guest_grievance(verification_id: str):  # type: ignore[no-untyped-def]
    grievance = guest_codes.confirm_guest_grievance(verification_id, json_body())
    return jsonify(schemas.created(grievance)), 201


@bp.get("/grievances")
@authenticated(person=True)
def grievances():  # type: ignore[no-untyped-def]
    user = current_api_user()
    chosen = filters.read_filter(request.args)
    page, per_page = pagination()
    rows, total = queries.list_grievances(user, chosen, page=page, per_page=per_page)
    return jsonify(page_body([_body_for(user, row) for row in rows], total, page, per_page))


@bp.get("/grievances/<int:grievance_id>")
@authenticated(person=True)
def grievance(grievance_id: int):  # type: ignore[no-untyped-def]
    user = current_api_user()
    return jsonify(_body_for(user, queries.grievance_for(user, grievance_id)))


@bp.patch("/grievances/<int:grievance_id>")
@authenticated(person=True)
def update_grievance(grievance_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    grievance = decisions.update_grievance(current_api_user(), grievance_id, data)
    return jsonify(_officer_body(grievance))


@bp.post("/grievances/<int:grievance_id>/appeal")
@authenticated(person=True)
def appeal_grievance(grievance_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    grievance = appeals.appeal(current_api_user(), grievance_id, data)
    return jsonify(schemas.for_complainant(grievance, appeal_by=None))


@bp.get("/grievances/report")
@authenticated(person=True)
def grievance_report():  # type: ignore[no-untyped-def]
    policy.require_see_report(current_api_user())
    start, end = compliance_report.read_period(request.args)
    chosen = request.args.get("format", "json")
    if chosen not in ("json", "csv"):
        raise ValidationFailed({"format": ["must be json or csv"]})
    figures = compliance_report.report(start, end)
    if chosen == "csv":
        return Response(
            compliance_report.report_csv(figures),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="grievances-{start}-{end}.csv"'},
        )
    return jsonify(figures)


@bp.post("/breaches")
@authenticated(person=True)
def record_breach():  # type: ignore[no-untyped-def]
    data = json_body()
    breach = breach_register.record_breach(current_api_user(), data)
    return jsonify(schemas.breach(breach)), 201


@bp.get("/breaches")
@authenticated(person=True)
def breaches():  # type: ignore[no-untyped-def]
    user = current_api_user()
    policy.require_keep_breach_register(user)
    page, per_page = pagination()
    rows, total = queries.list_breaches(user, page=page, per_page=per_page)
    return jsonify(page_body([schemas.breach(row) for row in rows], total, page, per_page))


@bp.patch("/breaches/<int:breach_id>")
@authenticated(person=True)
def update_breach(breach_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    breach = breach_register.update_breach(current_api_user(), breach_id, data)
    return jsonify(schemas.breach(breach))
