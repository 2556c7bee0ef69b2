"""Privacy pages: the person's settings (consents, requests, exports) and, when the grievance
desk does not list them, a minimal officer queue of privacy requests."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.errors import ServiceError
from marketplace.legal_clocks import clock as legal_clock
from marketplace.legal_rules import Kind, of_kind
from marketplace.privacy import (  # noqa: F401 (desk_source registers on import)
    clock,
    consent_managers,
    decisions,
    desk_source,
    erasure_preview,
    filing,
    notice,
    policy,
    purposes,
    services,
    words,
)
from marketplace.privacy.inputs import ConsentIn, DecisionIn, PrivacyRequestIn
from marketplace.privacy.models import PrivacyRequest, RequestStatus
from marketplace.privacy.workflow import CORRECTABLE_FIELDS
from marketplace.validation import validated
from marketplace.web import local_target, no_store

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
bp.add_app_template_global(words.kind_label, "privacy_kind")
bp.add_app_template_global(words.status_label, "privacy_status")
bp.add_app_template_global(words.field_label, "privacy_field")
bp.add_app_template_global(words.retention_label)
bp.add_app_template_global(words.reference_label)

# Pages a person who must accept a new notice can still reach.
_NOTICE_FREE = {
    "privacy.notice_page",
    "privacy.accept_notice",
    "accounts.sign_out",
    "static",
    "newsletters.unsubscribe_page",  # stopping mail never waits on reading a notice
}


@bp.before_app_request
def _ask_for_the_new_notice():  # type: ignore[no-untyped-def]
    """A material change in effect: a signed-in person reads and accepts it before going on
    (pages only; the API is for integrations, which cannot read a notice)."""
    endpoint = request.endpoint or ""
    if (
        endpoint in _NOTICE_FREE
        or endpoint.startswith("api.")
        or request.method != "GET"
        or not current_user.is_authenticated
    ):
        return None
    if notice.needs_acceptance(current_user.id) is None:
        return None
    return redirect(url_for("privacy.notice_page", next=request.full_path.rstrip("?")))


@bp.get("/notice")
@login_required
def notice_page():  # type: ignore[no-untyped-def]
    return render_template(
        "privacy/notice.html",
        current=notice.current_notice(),
        pending=notice.needs_acceptance(current_user.id),
        upcoming=notice.upcoming_notice(),
        next_page=local_target(request.args.get("next"), url_for("privacy.settings")),
    )


@bp.post("/notice")
@login_required
def accept_notice():  # type: ignore[no-untyped-def]
    accepted = services.accept_notice(current_user.id)
    if accepted:
        flash(
            _(
                "Thank you: you accepted the privacy notice of %(version)s.",
                version=accepted.version,
            ),
            "success",
        )
    return redirect(local_target(request.form.get("next"), url_for("privacy.settings")))


def _settings_page(status: int = 200):  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    body = render_template(
        "privacy/settings.html",
        consents=services.current_consents(user.id),
        manager_choices=consent_managers.choices_through_managers(user.id),
        requests=filing.own_requests(user),
        correctable=list(CORRECTABLE_FIELDS),
        required=[purposes.BY_ID[pid] for pid in purposes.REQUIRED],
        upcoming=notice.upcoming_notice(),
        current=notice.current_notice(),
        now=clock.now(),
    )
    return no_store(current_app.make_response((body, status)))


def _refusal_text(refused: ServiceError) -> str:
    """A refusal as one line: each field's messages, or the refusal's own detail."""
    details = "; ".join(f"{k}: {', '.join(v)}" for k, v in refused.errors.items())
    return details or refused.detail


@bp.get("/")
@login_required
def settings():  # type: ignore[no-untyped-def]
    return _settings_page()


@bp.post("/consents/<purpose>")
@login_required
def change_consent(purpose: str):  # type: ignore[no-untyped-def]
    """One click: grant or withdraw, effective at once."""
    granted = request.form.get("granted") == "true"
    try:
        choice = validated(ConsentIn, {"granted": granted})
        services.set_consent(current_user._get_current_object(), purpose, choice, source="settings")
    except ServiceError as refused:
        flash(refused.errors.get("granted", [refused.detail])[0], "error")
        return _settings_page(refused.status)
    label = purposes.BY_ID[purpose].label
    if granted:
        flash(_("%(purpose)s: granted.", purpose=label), "success")
    else:
        flash(_("%(purpose)s: withdrawn.", purpose=label), "success")
    return redirect(url_for("privacy.settings"))


@bp.post("/requests")
@login_required
def make_request():  # type: ignore[no-untyped-def]
    data = {key: value for key, value in request.form.items() if key != "csrf_token" and value}
    try:
        body = validated(PrivacyRequestIn, data)
        row = filing.submit_request(current_user._get_current_object(), body)
    except ServiceError as refused:  # rendered, not raised: the request commits what it recorded
        flash(_refusal_text(refused), "error")
        return _settings_page(refused.status)
    flash(
        _(
            "Request #%(number)s received: %(status)s.",
            number=row.id,
            status=str(words.status_label(row.status)).lower(),
        ),
        "success",
    )
    if row.type.value == "deactivation":
        return redirect(url_for("accounts.sign_in"))
    return redirect(url_for("privacy.settings"))


@bp.get("/requests/<int:request_id>/download")
@login_required
def download(request_id: int):  # type: ignore[no-untyped-def]
    row = filing.own_request(current_user._get_current_object(), request_id)
    if not row.export_name or row.export_expires_at is None:
        abort(404)
    if row.export_expires_at <= clock.now():
        abort(410)
    path = Path(current_app.config["PRIVACY_EXPORT_PATH"]) / row.export_name
    if not path.is_file():
        abort(410)
    return no_store(
        send_file(
            path,
            mimetype="application/zip",
            as_attachment=True,
            download_name=f"tradesetu-data-{row.id}.zip",
        )
    )


# --- the officer's queue ----------------------------------------------------------------------


@bp.get("/officer")
@login_required
def officer():  # type: ignore[no-untyped-def]
    policy.require_handle_requests_page(current_user)
    status = request.args.get("status") or RequestStatus.PENDING.value
    try:
        rows, total = decisions.officer_requests(current_user, status=status, per_page=100)
    except ServiceError:
        abort(404)
    return render_template(
        "privacy/officer.html",
        rows=rows,
        people=decisions.requesters(rows),
        total=total,
        status=status,
        statuses=[s.value for s in RequestStatus],
        rules=of_kind(Kind.RETENTION),
        clock=legal_clock("privacy_request"),
        now=clock.now(),
    )


@bp.post("/officer/requests/<int:request_id>/decision")
@login_required
def officer_decide(request_id: int):  # type: ignore[no-untyped-def]
    policy.require_handle_requests_page(current_user)
    data = {"decision": request.form.get("decision"), "reason": request.form.get("reason")}
    if data["decision"] == "approve" and request.form.get("confirmed") != "yes":
        erasure = erasure_preview.preview_erasure(current_user, request_id)
        if erasure is not None:  # an erasure cannot be undone: the facts first, then confirm
            return render_template("privacy/confirm_erasure.html", erasure=erasure, data=data)
    try:
        body = validated(DecisionIn, data)
        row = decisions.decide(current_user._get_current_object(), request_id, body)
    except ServiceError as refused:
        flash(_refusal_text(refused), "error")
        return redirect(url_for("privacy.officer"))
    # An approved deletion's task runs (inline, without a broker) once the request commits.
    flash(_decided_message(row), "success")
    return redirect(url_for("privacy.officer"))


def _decided_message(row: PrivacyRequest) -> str:
    return _(
        "Request #%(number)s is now %(status)s.",
        number=row.id,
        status=str(words.status_label(row.status)).lower(),
    )
