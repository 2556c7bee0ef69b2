"""Privacy over JSON: consents, requests (access, correction, deletion, objection,
deactivation), the officer's decisions and the statutory archive."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, send_file
from flask_babel import gettext as _

from marketplace.accounts.policy import OFFICER_ROLES
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.errors import NotFound, ServiceError, ValidationFailed
from marketplace.extensions import limiter
from marketplace.openapi import Reply, operation
from marketplace.privacy import (
    archive,
    child_reports,
    clock,
    decisions,
    filing,
    policy,
    schemas,
    services,
)
from marketplace.privacy.inputs import (
    ArchivesQuery,
    ConsentIn,
    DecisionIn,
    MinorReportIn,
    PrivacyRequestIn,
    PrivacyRequestsQuery,
)
from marketplace.privacy.purposes import PURPOSES
from marketplace.web import address_key


class Gone(ServiceError):
    status = 410
    title = "Gone"


@bp.put("/privacy/consents/<purpose>")
@authenticated(person=True)
@operation(
    "Grant or withdraw an optional purpose, at once (a required one is objected to with a request)",
    tag="privacy",
    body=ConsentIn,
    responses={200: schemas.Consents},
    problems=(404,),
    description="purpose: one of " + ", ".join(purpose.id for purpose in PURPOSES) + ".",
)
def set_consent(purpose: str, body: ConsentIn):  # type: ignore[no-untyped-def]
    services.set_consent(current_api_user(), purpose, body, source="api")
    return schemas.consents_owner(current_api_user().id)


@bp.post("/privacy/requests")
@limiter.limit("20 per hour", key_func=address_key)
@authenticated(person=True)
@operation(
    "Make a privacy request; the password confirms it is you (a wrong one is a 403)",
    tag="privacy",
    body=PrivacyRequestIn,
    responses={202: Reply(schemas.PrivacyRequestCreated, "Received")},
    problems=(409,),
)
def create_privacy_request(body: PrivacyRequestIn):  # type: ignore[no-untyped-def]
    return schemas.request_created(filing.submit_request(current_api_user(), body)), 202


@bp.get("/privacy/requests")
@authenticated(person=True)
@operation(
    "My privacy requests; the grievance officer sees every request (filter by status)",
    tag="privacy",
    query=PrivacyRequestsQuery,
    responses={200: schemas.PrivacyRequestPage},
)
def privacy_requests(query: PrivacyRequestsQuery):  # type: ignore[no-untyped-def]
    user, page, per_page = current_api_user(), query.page, query.per_page
    if policy.can_handle_requests(user):
        rows, total = decisions.officer_requests(
            user, status=query.status, page=page, per_page=per_page
        )
        items = [schemas.request_officer(row) for row in rows]
        return query.answer(items, total)
    if query.status:
        raise ValidationFailed({"status": ["only the grievance officer filters by status"]})
    rows, total = filing.own_requests_page(user, page=page, per_page=per_page)
    return query.answer([schemas.request_owner(row) for row in rows], total)


@bp.get("/privacy/requests/<int:request_id>")
@authenticated(person=True)
@operation(
    "One request with its status history (a finished access request has download_url)",
    tag="privacy",
    responses={200: schemas.PrivacyRequestView},
    problems=(404,),
)
def privacy_request(request_id: int):  # type: ignore[no-untyped-def]
    user = current_api_user()
    if policy.can_handle_requests(user):
        row = decisions.officer_request(user, request_id)
        if row.user_id != user.id:
            return schemas.request_officer(row)
    return schemas.request_owner(filing.own_request(user, request_id))


_ZIP = Reply(
    {"description": "a ZIP archive (binary)"}, "The ZIP of JSON and CSV", media="application/zip"
)


@bp.get("/privacy/requests/<int:request_id>/download")
@authenticated(person=True)
@operation(
    "The access export, a ZIP of JSON and CSV (its maker alone, for 7 days)",
    tag="privacy",
    responses={200: _ZIP},
    problems=(404, 410),
)
def privacy_request_download(request_id: int):  # type: ignore[no-untyped-def]
    row = filing.own_request(current_api_user(), request_id)
    if not row.export_name or row.export_expires_at is None:
        raise NotFound(_("This request has no export to download."))
    if row.export_expires_at <= clock.now():
        raise Gone(_("The export has expired (exports are kept 7 days): ask for a new one."))
    path = Path(current_app.config["PRIVACY_EXPORT_PATH"]) / row.export_name
    if not path.is_file():
        raise Gone(_("The export is no longer available: ask for a new one."))
    name = f"tradesetu-data-{row.id}.zip"
    response = send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/privacy/requests/<int:request_id>/decision")
@authenticated(person=True)  # privacy.policy decides who may decide (the grievance officer)
@operation(
    "Grievance officer: approve or deny (a reason is required to deny)",
    tag="privacy",
    body=DecisionIn,
    responses={200: schemas.PrivacyRequestForOfficer},
    problems=(404, 409),
)
def decide_privacy_request(request_id: int, body: DecisionIn):  # type: ignore[no-untyped-def]
    return schemas.request_officer(decisions.decide(current_api_user(), request_id, body))


@bp.get("/privacy/archives")
@authenticated(*OFFICER_ROLES, person=True)
@operation(
    "Grievance officer: the statutory records kept after a person's erasure",
    tag="privacy",
    query=ArchivesQuery,
    responses={200: list[schemas.ArchivedRecord]},
)
def privacy_archives(query: ArchivesQuery):  # type: ignore[no-untyped-def]
    rows = archive.archives_for(current_api_user(), query.subject)
    return [schemas.archived_officer(row) for row in rows]


@bp.post("/privacy/minor-reports")
@authenticated(person=True)  # privacy.policy lets the grievance officer and admins report
@operation(
    "Grievance officer: an account reported as a child's is suspended at once and a deletion "
    "request opens for confirmation (denying it lifts the suspension)",
    tag="privacy",
    body=MinorReportIn,
    responses={201: Reply(schemas.PrivacyRequestCreated, "Suspended")},
    problems=(404,),
)
def report_minor(body: MinorReportIn):  # type: ignore[no-untyped-def]
    return schemas.request_created(child_reports.report_minor(current_api_user(), body)), 201
