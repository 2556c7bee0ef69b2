"""Privacy over JSON: consents, requests (access, correction, deletion, objection,
deactivation), the officer's decisions and the statutory archive."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify, request, send_file

from marketplace.accounts.policy import OFFICER_ROLES
from marketplace.api import authenticated, bp, current_api_user, json_body, page_body, pagination
from marketplace.errors import NotFound, ServiceError, ValidationFailed
from marketplace.extensions import limiter
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
from marketplace.validation import record_id
from marketplace.web import address_key


class Gone(ServiceError):
    status = 410
    title = "Gone"


@bp.put("/privacy/consents/<purpose>")
@authenticated(person=True)
def set_consent(purpose: str):  # type: ignore[no-untyped-def]
    services.set_consent(current_api_user(), purpose, json_body(), source="api")
    return jsonify(schemas.consents_owner(current_api_user().id))


@bp.post("/privacy/requests")
@limiter.limit("20 per hour", key_func=address_key)
@authenticated(person=True)
def create_privacy_request():  # type: ignore[no-untyped-def]
    row = filing.submit_request(current_api_user(), json_body())
    return jsonify(schemas.request_created(row)), 202


@bp.get("/privacy/requests")
@authenticated(person=True)
def privacy_requests():  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    user = current_api_user()
    if policy.can_handle_requests(user):
        rows, total = decisions.officer_requests(
            user, status=request.args.get("status") or None, page=page, per_page=per_page
        )
        return jsonify(page_body([schemas.request_officer(r) for r in rows], total, page, per_page))
    if request.args.get("status"):
        raise ValidationFailed({"status": ["only the grievance officer filters by status"]})
    own = filing.own_requests(user)
    chosen = own[(page - 1) * per_page : page * per_page]
    return jsonify(page_body([schemas.request_owner(r) for r in chosen], len(own), page, per_page))


@bp.get("/privacy/requests/<int:request_id>")
@authenticated(person=True)
def privacy_request(request_id: int):  # type: ignore[no-untyped-def]
    user = current_api_user()
    if policy.can_handle_requests(user):
        row = decisions.officer_request(user, request_id)
        if row.user_id != user.id:
            return jsonify(schemas.request_officer(row))
    return jsonify(schemas.request_owner(filing.own_request(user, request_id)))


@bp.get("/privacy/requests/<int:request_id>/download")
@authenticated(person=True)
def privacy_request_download(request_id: int):  # type: ignore[no-untyped-def]
    """The export ZIP: its maker alone, for 7 days."""
    row = filing.own_request(current_api_user(), request_id)
    if not row.export_name or row.export_expires_at is None:
        raise NotFound("This request has no export to download.")
    if row.export_expires_at <= clock.now():
        raise Gone("The export has expired (exports are kept 7 days): ask for a new one.")
    path = Path(current_app.config["PRIVACY_EXPORT_PATH"]) / row.export_name
    if not path.is_file():
        raise Gone("The export is no longer available: ask for a new one.")
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"tradesetu-data-{row.id}.zip",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/privacy/requests/<int:request_id>/decision")
@authenticated(person=True)  # privacy.policy decides who may decide (the grievance officer)
def decide_privacy_request(request_id: int):  # type: ignore[no-untyped-def]
    row = decisions.decide(current_api_user(), request_id, json_body())
    return jsonify(schemas.request_officer(row))


@bp.get("/privacy/archives")
@authenticated(*OFFICER_ROLES, person=True)
def privacy_archives():  # type: ignore[no-untyped-def]
    subject = record_id(request.args.get("subject", ""))
    if subject is None:
        raise ValidationFailed({"subject": ["must be a user id"]})
    rows = archive.archives_for(current_api_user(), subject)
    return jsonify([schemas.archived_officer(row) for row in rows])


@bp.post("/privacy/minor-reports")
@authenticated(person=True)  # privacy.policy lets the grievance officer and admins report
def report_minor():  # type: ignore[no-untyped-def]
    """An account reported as a child's: suspended at once, a deletion request opened."""
    row = child_reports.report_minor(current_api_user(), json_body())
    return jsonify(schemas.request_created(row)), 201
