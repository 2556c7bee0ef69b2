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
from flask_login import current_user, login_required

from marketplace.accounts.models import Role
from marketplace.db import commit
from marketplace.errors import ServiceError
from marketplace.legal_clocks import clock as legal_clock
from marketplace.privacy import (  # noqa: F401 (desk_source registers on import)
    clock,
    desk_source,
    notice,
    purposes,
    requests,
)
from marketplace.privacy.models import RequestStatus
from marketplace.privacy.retention import RULES
from marketplace.privacy.services import current_consents, set_consent
from marketplace.web import local_target, no_store

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

# Pages a person who must accept a new notice can still reach.
_NOTICE_FREE = {"privacy.notice_page", "privacy.accept_notice", "accounts.sign_out", "static"}


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
    accepted = notice.accept(current_user.id)
    commit()
    if accepted:
        flash(f"Thank you: you accepted the privacy notice of {accepted.version}.", "success")
    return redirect(local_target(request.form.get("next"), url_for("privacy.settings")))


def _settings_page(status: int = 200):  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    body = render_template(
        "privacy/settings.html",
        consents=current_consents(user.id),
        requests=requests.own_requests(user),
        correctable=list(requests.CORRECTABLE_FIELDS),
        required=[purposes.BY_ID[pid] for pid in purposes.REQUIRED],
        upcoming=notice.upcoming_notice(),
        current=notice.current_notice(),
        now=clock.now(),
    )
    return no_store(current_app.make_response((body, status)))


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
        set_consent(
            current_user._get_current_object(), purpose, {"granted": granted}, source="settings"
        )
    except ServiceError as refused:
        flash(refused.errors.get("granted", [refused.detail])[0], "error")
        return _settings_page(refused.status)
    commit()
    label = purposes.BY_ID[purpose].label
    flash(f"{label}: {'granted' if granted else 'withdrawn'}.", "success")
    return redirect(url_for("privacy.settings"))


@bp.post("/requests")
@login_required
def make_request():  # type: ignore[no-untyped-def]
    data = {key: value for key, value in request.form.items() if key != "csrf_token" and value}
    try:
        row = requests.submit_request(current_user._get_current_object(), data)
    except ServiceError as refused:
        if refused.keep_writes:
            commit()
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in refused.errors.items())
        flash(details or refused.detail, "error")
        return _settings_page(refused.status)
    message = f"Request #{row.id} received ({row.status.value.replace('_', ' ')})."
    commit()
    flash(message, "success")
    if row.type.value == "deactivation":
        return redirect(url_for("accounts.sign_in"))
    return redirect(url_for("privacy.settings"))


@bp.get("/requests/<int:request_id>/download")
@login_required
def download(request_id: int):  # type: ignore[no-untyped-def]
    row = requests.own_request(current_user._get_current_object(), request_id)
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


def _officer_only() -> None:
    if not current_user.has_role(Role.GRIEVANCE_OFFICER, Role.ADMIN):
        abort(403)


@bp.get("/officer")
@login_required
def officer():  # type: ignore[no-untyped-def]
    _officer_only()
    status = request.args.get("status") or RequestStatus.PENDING.value
    try:
        rows, total = requests.officer_requests(current_user, status=status, per_page=100)
    except ServiceError:
        abort(404)
    return render_template(
        "privacy/officer.html",
        rows=rows,
        total=total,
        status=status,
        statuses=[s.value for s in RequestStatus],
        rules=RULES.values(),
        clock=legal_clock("privacy_request"),
        now=clock.now(),
    )


@bp.post("/officer/requests/<int:request_id>/decision")
@login_required
def officer_decide(request_id: int):  # type: ignore[no-untyped-def]
    _officer_only()
    data = {"decision": request.form.get("decision"), "reason": request.form.get("reason")}
    try:
        row = requests.decide(current_user._get_current_object(), request_id, data)
    except ServiceError as refused:
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in refused.errors.items())
        flash(details or refused.detail, "error")
        return redirect(url_for("privacy.officer"))
    message = f"Request #{row.id} is now {row.status.value.replace('_', ' ')}."
    commit()  # an approved deletion's task may run (inline) right after this
    flash(message, "success")
    return redirect(url_for("privacy.officer"))
