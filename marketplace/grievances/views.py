"""Grievance pages: filing a complaint (signed in or as a guest), the complainant's own pages,
the officer's desk (queue, complaint page, report, breach register) and the published notices.

Handlers read the form, call the services (which hold every rule, permissions included) and
render; a refused form is rendered again with the services' messages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from marketplace import desk
from marketplace.accounts.models import User
from marketplace.db import IST, utcnow
from marketplace.errors import ValidationFailed
from marketplace.extensions import limiter
from marketplace.grievances import notices, policy, schemas, services
from marketplace.grievances.models import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    Category,
    EventKind,
    Grievance,
    Status,
)
from marketplace.grievances.policy import Action
from marketplace.legal_clocks import CLOCKS
from marketplace.validation import Input, read_date, record_id
from marketplace.web import address_key, requested_page

bp = Blueprint("grievances", __name__)
notices_bp = Blueprint("notices", __name__, url_prefix="/notices")

PER_PAGE = 25


@bp.app_template_filter("ist")
def _ist(value: datetime | None) -> str:
    return schemas.ist(value)


@bp.app_context_processor
def _grievance_globals() -> dict[str, Any]:
    config = current_app.config
    return {
        "grievance_officer": {
            "name": config["GRIEVANCE_OFFICER_NAME"],
            "email": config["GRIEVANCE_OFFICER_EMAIL"],
            "phone": config["GRIEVANCE_OFFICER_PHONE"],
            "address": config["GRIEVANCE_OFFICER_ADDRESS"],
        },
        "category_labels": {str(k): v for k, v in CATEGORY_LABELS.items()},
        "status_labels": {str(k): v for k, v in STATUS_LABELS.items()},
    }


def _user() -> User | None:
    if current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    return None


def _signed_in() -> User:
    user = _user()
    if user is None:
        abort(redirect(url_for("accounts.sign_in", next=request.full_path)))
    return user


def _officer() -> User:
    user = _signed_in()
    if not policy.can(user, Action.WORK_DESK):
        abort(403)
    return user


def _form() -> dict[str, Any]:
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


# --- filing ------------------------------------------------------------------------------------


def _complaint_data(form: dict[str, Any]) -> dict[str, Any]:
    data = {key: form.get(key) for key in ("category", "subject", "description", "name", "email")}
    kind = form.get("related_kind")
    if kind in ("product", "lead", "order") and form.get("related_id"):
        data["related"] = {f"{kind}_id": form.get("related_id")}
    return {key: value for key, value in data.items() if value not in (None, "")}


@bp.route("/grievances/new", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=address_key, methods=["POST"])
def file():  # type: ignore[no-untyped-def]
    user = _user()
    errors: dict[str, list[str]] = {}
    form = _form()
    if request.method == "POST":
        data = _complaint_data(form)
        try:
            if user is not None:
                files = [
                    (upload.filename or "attachment", upload.stream)
                    for upload in request.files.getlist("attachments")
                    if upload and upload.filename
                ]
                grievance = services.file_grievance(user, data, attachments=files)
                flash(f"Your complaint {grievance.reference} has been received.", "success")
                return redirect(url_for("grievances.mine_one", grievance_id=grievance.id))
            draft = services.start_guest_grievance(data)
            return redirect(url_for("grievances.confirm_guest", draft_id=draft.id))
        except ValidationFailed as refused:
            errors = refused.errors
    status = 422 if errors else 200
    return render_template(
        "grievances/file.html",
        form=form,
        errors=errors,
        guest=user is None,
        categories=list(Category),
        clocks=CLOCKS,
    ), status


@bp.route("/grievances/confirm/<draft_id>", methods=["GET", "POST"])
@limiter.limit("10 per minute", key_func=address_key, methods=["POST"])
def confirm_guest(draft_id: str):  # type: ignore[no-untyped-def]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            grievance = services.confirm_guest_grievance(draft_id, _form())
        except ValidationFailed as refused:  # a wrong code still counts: the request commits
            errors = refused.errors
        else:
            return render_template("grievances/filed_guest.html", grievance=grievance)
    return render_template(
        "grievances/confirm_guest.html", draft_id=draft_id, errors=errors
    ), 422 if errors else 200


@bp.get("/grievances/mine")
def mine():  # type: ignore[no-untyped-def]
    user = _signed_in()
    page = requested_page()
    rows, total = services.list_grievances(
        user, services.GrievanceFilter(), page=page, per_page=PER_PAGE, own=True
    )
    return render_template("grievances/mine.html", rows=rows, total=total, page=page)


@bp.route("/grievances/<int:grievance_id>", methods=["GET"])
def mine_one(grievance_id: int):  # type: ignore[no-untyped-def]
    user = _signed_in()
    grievance = services.own_grievance(user, grievance_id)
    return _complainant_page(grievance, {})


def _complainant_page(grievance: Grievance, errors: dict[str, list[str]], status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "grievances/mine_one.html",
        grievance=grievance,
        history=[event for event in grievance.events if event.public],
        appeal_by=services.appeal_by(grievance),
        now=utcnow(),
        errors=errors,
        EventKind=EventKind,
    ), status


@bp.post("/grievances/<int:grievance_id>/appeal")
def appeal(grievance_id: int):  # type: ignore[no-untyped-def]
    user = _signed_in()
    try:
        services.appeal(user, grievance_id, _form())
    except ValidationFailed as refused:
        return _complainant_page(services.own_grievance(user, grievance_id), refused.errors, 422)
    flash("Your appeal has been sent to the grievance officer.", "success")
    return redirect(url_for("grievances.mine_one", grievance_id=grievance_id))


@bp.get("/grievances/attachments/<int:attachment_id>")
def attachment(attachment_id: int):  # type: ignore[no-untyped-def]
    attachment = services.attachment_for(_signed_in(), attachment_id)
    response = send_from_directory(services.attachment_folder(), attachment.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the officer's desk ------------------------------------------------------------------------


@bp.get("/desk")
def desk_queue():  # type: ignore[no-untyped-def]
    _officer()
    now = utcnow()
    kind = request.args.get("kind") or ""
    urgency = request.args.get("urgency") or ""
    q = (request.args.get("q") or "").strip().lower()[:100]
    assigned = request.args.get("assigned") or ""
    everything = desk.open_items()
    items = everything
    kinds = sorted({item.kind for item in everything} | {"grievance", "breach"})
    if kind:
        items = [item for item in items if item.kind == kind]
    if urgency:
        items = [item for item in items if item.urgency(now) == urgency]
    if q:
        items = [item for item in items if q in item.reference.lower() or q in item.subject.lower()]
    if assigned == "unassigned":
        items = [item for item in items if not item.assigned_to]
    elif assigned:
        items = [item for item in items if item.assigned_to == assigned]
    counts = {
        name: sum(1 for item in everything if item.urgency(now) == name)
        for name in ("overdue", "due_soon")
    }
    return render_template(
        "grievances/desk.html",
        items=items,
        now=now,
        kinds=kinds,
        chosen={"kind": kind, "urgency": urgency, "q": q, "assigned": assigned},
        counts=counts,
        officers=services.officers(),
        clocks=CLOCKS,
    )


@bp.get("/desk/grievances")
def desk_grievances():  # type: ignore[no-untyped-def]
    user = _officer()
    try:
        chosen = services.read_filter(request.args)
    except ValidationFailed:
        chosen = services.GrievanceFilter()
    page = requested_page()
    rows, total = services.list_grievances(user, chosen, page=page, per_page=PER_PAGE)
    now = utcnow()
    return render_template(
        "grievances/desk_all.html",
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        chosen=chosen,
        overdue={row.id for row in rows if services.is_overdue(row, now)},
        categories=list(Category),
        statuses=list(Status),
        officers=services.officers(),
    )


def _desk_page(
    grievance: Grievance, errors: dict[str, list[str]], form: dict[str, Any], status: int = 200
):  # type: ignore[no-untyped-def]
    now = utcnow()
    return render_template(
        "grievances/desk_grievance.html",
        grievance=grievance,
        now=now,
        overdue=services.is_overdue(grievance, now),
        allowed=services.TRANSITIONS[grievance.status],
        officers=services.officers(),
        errors=errors,
        form=form,
        appeal_by=services.appeal_by(grievance),
        clocks=CLOCKS,
        EventKind=EventKind,
    ), status


@bp.get("/desk/grievances/<int:grievance_id>")
def desk_grievance(grievance_id: int):  # type: ignore[no-untyped-def]
    user = _officer()
    return _desk_page(services.grievance_for(user, grievance_id), {}, {})


@bp.post("/desk/grievances/<int:grievance_id>")
def work_grievance(grievance_id: int):  # type: ignore[no-untyped-def]
    user = _officer()
    form = _form()
    data: dict[str, Any] = {
        key: form[key] for key in ("status", "response", "note") if form.get(key)
    }
    if "assigned_to" in form:
        data["assigned_to"] = form["assigned_to"] or None
    try:
        services.update_grievance(user, grievance_id, data)
    except ValidationFailed as refused:
        return _desk_page(services.grievance_for(user, grievance_id), refused.errors, form, 422)
    flash("Saved.", "success")
    return redirect(url_for("grievances.desk_grievance", grievance_id=grievance_id))


@bp.get("/desk/report")
def report():  # type: ignore[no-untyped-def]
    user = _officer()
    policy.require(user, Action.REPORT)
    errors: dict[str, list[str]] = {}
    try:
        start, end = services.read_period(request.args)
    except ValidationFailed as refused:
        errors = refused.errors
        start, end = services.read_period({})
    figures = services.report(start, end)
    if request.args.get("format") == "csv" and not errors:
        return Response(
            services.report_csv(figures),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="grievances-{start}-{end}.csv"'},
        )
    chart = {
        "categories": [
            {"label": CATEGORY_LABELS[Category(key)], "count": count}
            for key, count in figures["by_category"].items()
        ],
        "clocks": [
            {"label": "Acknowledged on time", "count": figures["acknowledged_on_time"]},
            {"label": "Resolved on time", "count": figures["resolved_on_time"]},
            {"label": "Received", "count": figures["received"]},
        ],
    }
    return render_template(
        "grievances/report.html",
        figures=figures,
        chart=chart,
        start=start,
        end=end,
        errors=errors,
        clocks=CLOCKS,
    ), 422 if errors else 200


# --- breaches ----------------------------------------------------------------------------------


def _breach_data(form: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in form.items() if value not in (None, "")}


@bp.get("/desk/breaches")
def breaches():  # type: ignore[no-untyped-def]
    user = _officer()
    rows, total = services.list_breaches(user, page=requested_page(), per_page=PER_PAGE)
    return render_template("grievances/breaches.html", rows=rows, total=total, now=utcnow())


@bp.route("/desk/breaches/new", methods=["GET", "POST"])
def new_breach():  # type: ignore[no-untyped-def]
    user = _officer()
    errors: dict[str, list[str]] = {}
    form = _form()
    if request.method == "POST":
        try:
            breach = services.record_breach(user, _breach_data(form))
        except ValidationFailed as refused:
            errors = refused.errors
        else:
            flash(f"Breach {breach.reference} recorded: the 72-hour clock is running.", "success")
            return redirect(url_for("grievances.breach", breach_id=breach.id))
    return render_template(
        "grievances/breach_form.html", form=form, errors=errors, clocks=CLOCKS
    ), 422 if errors else 200


@bp.route("/desk/breaches/<int:breach_id>", methods=["GET", "POST"])
def breach(breach_id: int):  # type: ignore[no-untyped-def]
    user = _officer()
    errors: dict[str, list[str]] = {}
    form = _form()
    if request.method == "POST":
        try:
            services.update_breach(user, breach_id, _breach_data(form))
        except ValidationFailed as refused:
            errors = refused.errors
        else:
            flash("Saved.", "success")
            return redirect(url_for("grievances.breach", breach_id=breach_id))
    row = services.breach_for(user, breach_id)
    return render_template(
        "grievances/breach.html",
        breach=row,
        errors=errors,
        form=form,
        now=utcnow(),
        clocks=CLOCKS,
    ), 422 if errors else 200


# --- the audit log's filters (the page itself lives with accounts) ---------------------------


def audit_filters(args: Any) -> dict[str, Any]:
    """The officer's audit filters: an action, a person, and days in India (both included).
    A value that cannot be read is ignored, so a hand-edited URL shows the unfiltered log."""
    action = (args.get("action") or "").strip()[:64] or None
    actor = args.get("actor") or ""
    actor_id = record_id(actor)
    inp = Input({name: args.get(name) or None for name in ("since", "until")})
    latest = utcnow().astimezone(IST).date() + timedelta(days=1)
    since, until = (
        read_date(inp, name, earliest=services.EARLIEST_DAY, latest=latest)
        for name in ("since", "until")
    )  # a refused day is left out (inp's errors are not shown)
    return {
        "action": action,
        "actor_id": actor_id,
        "since_day": since,
        "until_day": until,
        "since": services.ist_day_start(since) if since else None,
        "until": services.ist_day_start(until + timedelta(days=1)) if until else None,
    }


# --- published notices -------------------------------------------------------------------------


@notices_bp.get("/privacy")
def privacy():  # type: ignore[no-untyped-def]
    version, body = notices.notice(notices.PRIVACY_NOTICE)
    return render_template(
        "notices/document.html", title="Privacy notice", version=version, body=body
    )


@notices_bp.get("/terms")
def terms():  # type: ignore[no-untyped-def]
    version, body = notices.notice(notices.TERMS)
    return render_template(
        "notices/document.html", title="Terms of use", version=version, body=body
    )


@notices_bp.get("/grievance-officer")
def grievance_officer():  # type: ignore[no-untyped-def]
    return render_template("notices/grievance_officer.html", clocks=CLOCKS)


@notices_bp.get("/sub-processors")
def sub_processors():  # type: ignore[no-untyped-def]
    return render_template("notices/sub_processors.html", rows=notices.SUB_PROCESSORS)


@notices_bp.get("/breaches")
def public_breaches():  # type: ignore[no-untyped-def]
    return render_template("notices/breaches.html", rows=services.closed_breaches())
