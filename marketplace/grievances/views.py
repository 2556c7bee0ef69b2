"""Grievance pages: filing a complaint (signed in or as a guest), the complainant's own pages,
the officer's desk (queue, complaint page, report, breach register) and the published notices.

Handlers read the form, call the rule modules (filing, decisions, appeals, breach_register,
...), which hold every rule, ask marketplace.grievances.policy who may do what, and render; a
refused form is rendered again with the rules' messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import IO, Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from marketplace import desk
from marketplace.accounts.models import User
from marketplace.catalog.services import ProductMention, product_mention
from marketplace.db import utcnow
from marketplace.errors import ValidationFailed
from marketplace.extensions import limiter
from marketplace.grievances import (  # noqa: F401 (desk_items puts the desk's own on the queue)
    appeals,
    attachments,
    breach_register,
    compliance_report,
    decisions,
    desk_items,
    filing,
    filters,
    guest_codes,
    inputs,
    notices,
    policy,
    queries,
    schemas,
)
from marketplace.grievances.models import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    Breach,
    Category,
    EventKind,
    Grievance,
    RelatedKind,
    Status,
)
from marketplace.grievances.sub_processors import sub_processors as configured_sub_processors
from marketplace.legal_clocks import CLOCKS
from marketplace.legal_rules import RULES
from marketplace.validation import validated
from marketplace.web import address_key, person, requested_page, signed_in_person

bp = Blueprint("grievances", __name__)
notices_bp = Blueprint("notices", __name__, url_prefix="/notices")

PER_PAGE = 25


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
        "legal": RULES,  # every legal number a page or mail states comes from this table
    }


def _officer() -> User:
    user = signed_in_person()
    policy.require_desk_page(user)
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


def _uploads() -> list[tuple[str, IO[bytes]]]:
    return [
        (upload.filename or "attachment", upload.stream)
        for upload in request.files.getlist("attachments")
        if upload and upload.filename
    ]


def _filed(user: User | None, data: dict[str, Any]) -> ResponseReturnValue:
    """A signed-in person's complaint is filed at once; a guest's waits for the emailed code."""
    if user is None:
        draft = guest_codes.start_guest_grievance(validated(inputs.GuestGrievanceIn, data))
        return redirect(url_for("grievances.confirm_guest", draft_id=draft.id))
    body = validated(inputs.GrievanceIn, data)
    grievance = filing.file_grievance(user, body, attachments=_uploads())
    flash(
        _("Your complaint %(reference)s has been received.", reference=grievance.reference),
        "success",
    )
    return redirect(url_for("grievances.mine_one", grievance_id=grievance.id))


@bp.route("/grievances/new", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=address_key, methods=["POST"])
def file():  # type: ignore[no-untyped-def]
    user = person()
    errors: dict[str, list[str]] = {}
    form = _form()
    if request.method == "POST":
        try:
            return _filed(user, _complaint_data(form))
        except ValidationFailed as refused:
            errors = refused.errors
    return render_template(
        "grievances/file.html",
        form=form,
        errors=errors,
        guest=user is None,
        categories=list(Category),
        clocks=CLOCKS,
    ), 422 if errors else 200


@bp.route("/grievances/confirm/<draft_id>", methods=["GET", "POST"])
@limiter.limit("10 per minute", key_func=address_key, methods=["POST"])
def confirm_guest(draft_id: str):  # type: ignore[no-untyped-def]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            code = validated(inputs.GuestCodeIn, _form())
            grievance = guest_codes.confirm_guest_grievance(draft_id, code)
        except ValidationFailed as refused:  # a wrong code still counts: the request commits
            errors = refused.errors
        else:
            return render_template("grievances/filed_guest.html", grievance=grievance)
    return render_template(
        "grievances/confirm_guest.html", draft_id=draft_id, errors=errors
    ), 422 if errors else 200


@bp.get("/grievances/mine")
def mine():  # type: ignore[no-untyped-def]
    user = signed_in_person()
    page = requested_page()
    rows, total = queries.list_grievances(
        user, filters.GrievanceFilter(), page=page, per_page=PER_PAGE, own=True
    )
    return render_template("grievances/mine.html", rows=rows, total=total, page=page)


@bp.route("/grievances/<int:grievance_id>", methods=["GET"])
def mine_one(grievance_id: int):  # type: ignore[no-untyped-def]
    user = signed_in_person()
    grievance = queries.own_grievance(user, grievance_id)
    return _complainant_page(grievance, {})


def _complainant_page(grievance: Grievance, errors: dict[str, list[str]], status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "grievances/mine_one.html",
        grievance=grievance,
        history=[event for event in grievance.events if event.public],
        product=_product_of(grievance),
        appeal_by=appeals.appeal_by(grievance),
        now=utcnow(),
        errors=errors,
        EventKind=EventKind,
    ), status


@bp.post("/grievances/<int:grievance_id>/appeal")
def appeal(grievance_id: int):  # type: ignore[no-untyped-def]
    user = signed_in_person()
    try:
        appeals.appeal(user, grievance_id, validated(inputs.AppealIn, _form()))
    except ValidationFailed as refused:
        return _complainant_page(queries.own_grievance(user, grievance_id), refused.errors, 422)
    flash(_("Your appeal has been sent to the grievance officer."), "success")
    return redirect(url_for("grievances.mine_one", grievance_id=grievance_id))


@bp.get("/grievances/attachments/<int:attachment_id>")
def attachment(attachment_id: int):  # type: ignore[no-untyped-def]
    attachment = attachments.attachment_for(signed_in_person(), attachment_id)
    response = send_from_directory(attachments.attachment_folder(), attachment.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the officer's desk ------------------------------------------------------------------------


@bp.get("/desk")
def desk_queue():  # type: ignore[no-untyped-def]
    _officer()
    now = utcnow()
    chosen = filters.read_desk_filter(request.args)
    everything = desk.open_items()
    return render_template(
        "grievances/desk.html",
        items=filters.desk_items(everything, chosen, now),
        now=now,
        kinds=filters.desk_kinds(everything),
        kind_labels=desk.KIND_LABELS,
        chosen=chosen,
        counts=filters.urgency_counts(everything, now),
        officers=queries.officers(),
        clocks=CLOCKS,
    )


def _grievance_filter(args: Mapping[str, Any]) -> filters.GrievanceFilter:
    """A filter the page cannot read shows the whole list (the API says what is wrong)."""
    try:
        return validated(inputs.GrievanceFilterIn, dict(args)).chosen()
    except ValidationFailed:
        return filters.GrievanceFilter()


@bp.get("/desk/grievances")
def desk_grievances():  # type: ignore[no-untyped-def]
    user = _officer()
    chosen = _grievance_filter(request.args)
    page = requested_page()
    rows, total = queries.list_grievances(user, chosen, page=page, per_page=PER_PAGE)
    now = utcnow()
    return render_template(
        "grievances/desk_all.html",
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        chosen=chosen,
        overdue={row.id for row in rows if queries.is_overdue(row, now)},
        categories=list(Category),
        statuses=list(Status),
        officers=queries.officers(),
    )


def _product_of(grievance: Grievance) -> ProductMention | None:
    if grievance.related_kind != RelatedKind.PRODUCT or grievance.related_id is None:
        return None
    return product_mention(grievance.related_id)


def _desk_page(
    grievance: Grievance, errors: dict[str, list[str]], form: dict[str, Any], status: int = 200
):  # type: ignore[no-untyped-def]
    now = utcnow()
    return render_template(
        "grievances/desk_grievance.html",
        grievance=grievance,
        product=_product_of(grievance),
        now=now,
        overdue=queries.is_overdue(grievance, now),
        allowed=decisions.TRANSITIONS[grievance.status],
        officers=queries.officers(),
        errors=errors,
        form=form,
        appeal_by=appeals.appeal_by(grievance),
        clocks=CLOCKS,
        EventKind=EventKind,
    ), status


@bp.get("/desk/grievances/<int:grievance_id>")
def desk_grievance(grievance_id: int):  # type: ignore[no-untyped-def]
    user = _officer()
    return _desk_page(queries.grievance_for(user, grievance_id), {}, {})


def _work_data(form: dict[str, Any]) -> dict[str, Any]:
    """The page's form as update_grievance reads it: an empty assignee means nobody."""
    data: dict[str, Any] = {
        key: form[key] for key in ("status", "response", "note") if form.get(key)
    }
    if "assigned_to" in form:
        data["assigned_to"] = form["assigned_to"] or None
    return data


@bp.post("/desk/grievances/<int:grievance_id>")
def work_grievance(grievance_id: int):  # type: ignore[no-untyped-def]
    user = _officer()
    form = _form()
    try:
        change = validated(inputs.GrievanceChange, _work_data(form))
        decisions.update_grievance(user, grievance_id, change)
    except ValidationFailed as refused:
        return _desk_page(queries.grievance_for(user, grievance_id), refused.errors, form, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("grievances.desk_grievance", grievance_id=grievance_id))


def _report_csv(figures: Mapping[str, Any], start: date, end: date) -> Response:
    return Response(
        compliance_report.report_csv(figures),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="grievances-{start}-{end}.csv"'},
    )


def _period(args: Mapping[str, Any]) -> tuple[date, date, dict[str, list[str]]]:
    """The period asked for; one that cannot be read shows the default beside its messages."""
    try:
        start, end = validated(inputs.ReportPeriod, dict(args)).bounds()
    except ValidationFailed as refused:
        return *inputs.ReportPeriod().bounds(), refused.errors
    return start, end, {}


@bp.get("/desk/report")
def report():  # type: ignore[no-untyped-def]
    policy.require_see_report(_officer())
    start, end, errors = _period(request.args)
    figures = compliance_report.report(start, end)
    if request.args.get("format") == "csv" and not errors:
        return _report_csv(figures, start, end)
    return render_template(
        "grievances/report.html",
        figures=figures,
        chart=compliance_report.chart(figures),
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
    rows, total = queries.list_breaches(user, page=requested_page(), per_page=PER_PAGE)
    return render_template("grievances/breaches.html", rows=rows, total=total, now=utcnow())


@bp.route("/desk/breaches/new", methods=["GET", "POST"])
def new_breach():  # type: ignore[no-untyped-def]
    user = _officer()
    errors: dict[str, list[str]] = {}
    form = _form()
    if request.method == "POST":
        try:
            body = validated(inputs.BreachIn, _breach_data(form))
            breach = breach_register.record_breach(user, body)
        except ValidationFailed as refused:
            errors = refused.errors
        else:
            flash(_breach_recorded_message(breach), "success")
            return redirect(url_for("grievances.breach", breach_id=breach.id))
    return render_template(
        "grievances/breach_form.html", form=form, errors=errors, clocks=CLOCKS
    ), 422 if errors else 200


def _breach_recorded_message(breach: Breach) -> str:
    return _(
        "Breach %(reference)s recorded: the clock of %(period)s is running.",
        reference=breach.reference,
        period=CLOCKS["breach_report"].period,
    )


def _breach_page(user: User, breach_id: int, form: dict[str, Any], errors: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    return render_template(
        "grievances/breach.html",
        breach=queries.breach_for(user, breach_id),
        errors=errors,
        form=form,
        now=utcnow(),
        clocks=CLOCKS,
    ), 422 if errors else 200


@bp.route("/desk/breaches/<int:breach_id>", methods=["GET", "POST"])
def breach(breach_id: int):  # type: ignore[no-untyped-def]
    user = _officer()
    errors: dict[str, list[str]] = {}
    form = _form()
    if request.method == "POST":
        try:
            change = validated(inputs.BreachChange, _breach_data(form))
            breach_register.update_breach(user, breach_id, change)
        except ValidationFailed as refused:
            errors = refused.errors
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("grievances.breach", breach_id=breach_id))
    return _breach_page(user, breach_id, form, errors)


# --- published notices -------------------------------------------------------------------------


@notices_bp.get("/privacy")
def privacy():  # type: ignore[no-untyped-def]
    version, body = notices.notice(notices.PRIVACY_NOTICE)
    return render_template(
        "notices/document.html", title=_("Privacy notice"), version=version, body=body
    )


@notices_bp.get("/terms")
def terms():  # type: ignore[no-untyped-def]
    version, body = notices.notice(notices.TERMS)
    return render_template(
        "notices/document.html", title=_("Terms of use"), version=version, body=body
    )


@notices_bp.get("/grievance-officer")
def grievance_officer():  # type: ignore[no-untyped-def]
    return render_template("notices/grievance_officer.html", clocks=CLOCKS)


@notices_bp.get("/sub-processors")
def sub_processors():  # type: ignore[no-untyped-def]
    rows = configured_sub_processors(current_app.config)
    return render_template("notices/sub_processors.html", rows=rows)


@notices_bp.get("/breaches")
def public_breaches():  # type: ignore[no-untyped-def]
    return render_template("notices/breaches.html", rows=queries.closed_breaches())
