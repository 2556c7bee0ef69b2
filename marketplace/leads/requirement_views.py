"""Buy requirements and BuyLeads, as pages: a buyer posts, lists and closes requirements; a
supplier sees the BuyLeads offered to it and unlocks one with credits."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from marketplace.accounts.forms import ActionForm, accepted, apply_errors
from marketplace.catalog.categories import categories, category_label
from marketplace.errors import ServiceError, ValidationFailed
from marketplace.leads import buylead_views, inputs, limits, requirements, schemas
from marketplace.leads.blueprint import PER_PAGE, bp, buyer_key, only_posts, signed_in_user
from marketplace.leads.forms import RequirementForm
from marketplace.validation import validated
from marketplace.web import requested_page


@bp.route("/requirements/new", methods=["GET", "POST"])
@login_required
@only_posts(limits.REQUIREMENT_LIMITS_PER_BUYER, buyer_key)
def new_requirement():  # type: ignore[no-untyped-def]
    form = _requirement_form()
    status = 200
    if accepted(form):
        try:
            posted = validated(inputs.RequirementIn, form.service_data())
            requirement = requirements.post_requirement(signed_in_user(), posted)
        except ValidationFailed as refused:
            apply_errors(form, refused.errors)
            status = 422
        else:
            flash(requirements.posted_message(requirement), "success")
            return redirect(url_for("leads.my_requirements"))
    elif request.method == "POST":
        status = 400
    return render_template("leads/requirement_form.html", form=form), status


def _requirement_form() -> RequirementForm:
    """The form with the leaf categories to choose from; on GET, filled from a search."""
    form = RequirementForm()
    form.category.choices = [SelectChoice("", _("Any category"))] + [
        SelectChoice(info.slug, category_label(info))
        for info in categories().values()
        if info.is_leaf
    ]
    if request.method == "GET":
        form.product_name.data = request.args.get("q", "")[:200]
        form.category.data = request.args.get("category", "")
        form.open_days.data = str(current_app.config["BUYLEAD_OPEN_DAYS"])
    return form


@bp.get("/requirements")
@login_required
def my_requirements():  # type: ignore[no-untyped-def]
    page = requested_page()
    rows, total = requirements.own_requirements(signed_in_user(), page=page, per_page=PER_PAGE)
    return render_template(
        "leads/my_requirements.html",
        requirements=rows,
        unlocked=requirements.unlocked_by([row.id for row in rows]),
        total=total,
        page=page,
        per_page=PER_PAGE,
        status_of=schemas.requirement_status,
        action_form=ActionForm(),
    )


@bp.post("/requirements/<int:requirement_id>/close")
@login_required
def close_requirement(requirement_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    requirements.close_requirement(signed_in_user(), requirement_id)
    flash(_("Closed: no more suppliers can unlock it."), "info")
    return redirect(url_for("leads.my_requirements"))


@bp.get("/buyleads")
@login_required
def buyleads():  # type: ignore[no-untyped-def]
    page = requested_page()
    rows, total = requirements.feed(signed_in_user(), page=page, per_page=PER_PAGE)
    return render_template(
        "leads/buyleads.html",
        total=total,
        page=page,
        per_page=PER_PAGE,
        action_form=ActionForm(),
        **buylead_views.feed_page(signed_in_user(), rows),
    )


@bp.post("/buyleads/<int:requirement_id>/unlock")
@login_required
def unlock_buylead(requirement_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    try:
        lead = requirements.unlock(signed_in_user(), requirement_id)
    except ServiceError as refused:  # no credits, closed, expired, full: said on the feed
        flash(refused.detail, "error")  # the service changed nothing (the debit's savepoint)
        return redirect(url_for("leads.buyleads"))
    flash(_("Unlocked: the buyer's contact is yours. It is in your lead manager too."), "success")
    return redirect(url_for("leads.lead_page", lead_id=lead.id))
