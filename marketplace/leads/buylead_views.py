"""BuyLead pages beside the feed: reporting a bad BuyLead, the grievance officer's page that
decides a report (reached from the desk's queue), and the supplier's BuyLead preferences."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from marketplace.accounts.forms import accepted, apply_errors
from marketplace.accounts.models import User
from marketplace.catalog.categories import categories, category_label
from marketplace.errors import ServiceError, ValidationFailed
from marketplace.leads import (  # noqa: F401 (report_desk puts reports on the desk)
    bad_leads,
    policy,
    preferences,
    report_desk,
    report_policy,
    requirements,
    schemas,
)
from marketplace.leads.buylead_forms import DecisionForm, PreferencesForm, ReportForm
from marketplace.leads.preference_inputs import PreferencesIn
from marketplace.leads.report_inputs import BuyLeadReportIn, ReportDecisionIn
from marketplace.leads.report_models import REASON_LABELS, ReportStatus
from marketplace.validation import validated

bp = Blueprint("buylead_pages", __name__)
bp.add_app_template_global(REASON_LABELS, "report_labels")
# What the officer is told once a report is decided.
DECIDED = {
    ReportStatus.UPHELD: _l("Report upheld; the supplier has been told."),
    ReportStatus.REJECTED: _l("Report rejected; the supplier has been told."),
}


def _user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def feed_page(user: User, rows: list[requirements.BuyLead]) -> dict[str, Any]:
    """What the BuyLead list (leads.views) shows beside each BuyLead: why it is shown, and the
    report form or the report's state for the unlocked ones."""
    reports, reportable = bad_leads.report_states(user, [row.lead for row in rows if row.lead])
    prefs = preferences.own_preferences(user)
    return {
        "buyleads": [
            schemas.buylead_for_supplier(
                row.requirement, row.lead, preferences.why_shown(prefs, row.requirement)
            )
            for row in rows
        ],
        "reports": reports,
        "reportable": reportable,
        "report_form": ReportForm(),
    }


@bp.post("/buyleads/<int:requirement_id>/report")
@login_required
def report_buylead(requirement_id: int):  # type: ignore[no-untyped-def]
    form = ReportForm()
    if not accepted(form):
        flash(_("This form has expired; please send it again."), "error")
        return redirect(url_for("leads.buyleads"))
    try:
        body = validated(BuyLeadReportIn, form.service_data())
        _report, new = bad_leads.file_report(_user(), requirement_id, body)
    except ValidationFailed as refused:
        flash(_report_refusal_message(refused.errors.get("note")), "error")
    except ServiceError as refused:  # too late, not unlocked, not a supplier
        flash(refused.detail, "error")
    else:
        flash(*_reported(new))
    return redirect(url_for("leads.buyleads"))


def _report_refusal_message(note_problems: list[str] | None) -> str:
    if note_problems:
        return _("The note %(problem)s.", problem=note_problems[0])
    return _("Please choose what was wrong.")


def _reported(new: bool) -> tuple[str, str]:
    if not new:
        return _("You have already reported this BuyLead."), "info"
    return (
        _(
            "Reported. The grievance officer will decide; if the report is upheld, your credit "
            "comes back."
        ),
        "success",
    )


def _desk_page(report_id: int, form: DecisionForm, status: int = 200):  # type: ignore[no-untyped-def]
    report = bad_leads.report_for_officer(_user(), report_id)
    buyer = report.requirement.buyer
    return render_template(
        "leads/desk_report.html",
        report=report,
        reason_label=REASON_LABELS[report.reason],
        fake_requirements=bad_leads.fake_requirements(buyer.id) if buyer else 0,
        form=form,
    ), status


@bp.get("/desk/buylead-reports/<int:report_id>")
@login_required
def desk_report(report_id: int):  # type: ignore[no-untyped-def]
    report_policy.require_decide_reports_page(_user())
    return _desk_page(report_id, DecisionForm())


@bp.post("/desk/buylead-reports/<int:report_id>")
@login_required
def decide_report(report_id: int):  # type: ignore[no-untyped-def]
    report_policy.require_decide_reports_page(_user())
    form = DecisionForm()
    if not accepted(form):
        return _desk_page(report_id, form, 400)
    try:
        body = validated(ReportDecisionIn, form.service_data())
        report = bad_leads.decide(_user(), report_id, body)
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return _desk_page(report_id, form, 422)
    except ServiceError as refused:  # already decided
        flash(refused.detail, "error")
        return redirect(url_for("buylead_pages.desk_report", report_id=report_id))
    flash(str(DECIDED[report.status]), "success")
    return redirect(url_for("grievances.desk_queue"))


# --- the supplier's BuyLead preferences -------------------------------------------------------


def _preferences_form() -> PreferencesForm:
    form = PreferencesForm()
    choices = [
        SelectChoice(
            info.slug,
            category_label(info)
            if info.is_leaf
            else _("%(category)s (all of it)", category=category_label(info)),
        )
        for info in categories().values()
    ]
    form.categories_included.choices = choices
    form.categories_excluded.choices = choices
    return form


@bp.route("/buyleads/preferences", methods=["GET", "POST"])
@login_required
def buylead_preferences():  # type: ignore[no-untyped-def]
    form, status = _preferences_form(), 200
    policy.buylead_chooser(_user())  # a 403 page for anyone but the owner and managers
    saved = preferences.own_preferences(_user())
    if accepted(form):
        try:
            body = validated(PreferencesIn, form.service_data())
            preferences.save_preferences(_user(), body)
        except ValidationFailed as refused:
            apply_errors(form, refused.errors)
            status = 422
        else:
            flash(_("Saved. New BuyLeads will follow these preferences."), "success")
            return redirect(url_for("buylead_pages.buylead_preferences"))
    elif request.method == "POST":
        status = 400
    else:
        form.fill(saved)
    return render_template("leads/preferences.html", form=form), status
