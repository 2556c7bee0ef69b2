"""The page where the owner or a manager decides who gets a category's or a state's leads."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

from marketplace.accounts.forms import ActionForm, accepted, apply_errors
from marketplace.accounts.india import STATES
from marketplace.accounts.models import User
from marketplace.catalog.categories import categories, category_label
from marketplace.errors import ValidationFailed
from marketplace.leads import assignment_rules, team_figures
from marketplace.validation import validated

bp = Blueprint("lead_rules", __name__, url_prefix="/leads/rules")


class RuleForm(FlaskForm):
    category = SelectField(_l("Leads about"), validate_choice=False)
    state = SelectField(_l("or leads from"), validate_choice=False)
    user_id = SelectField(_l("go to"), validate_choice=False)

    def fill(self, user: User) -> RuleForm:
        leaves = sorted((c for c in categories().values() if c.is_leaf), key=category_label)
        self.category.choices = [
            ("", _("Any category")),
            *((c.slug, category_label(c)) for c in leaves),
        ]
        self.state.choices = [("", _("Any state")), *((s.name, s.name) for s in STATES)]
        business = assignment_rules.business(user)
        self.user_id.choices = team_figures.choices(business)
        return self


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _page(form: RuleForm, status: int = 200):  # type: ignore[no-untyped-def]
    user = _user()
    rules = assignment_rules.rules(user)
    people = {p.user_id: p for p in team_figures.lead_takers(assignment_rules.business(user))}
    names = {c.id: category_label(c) for c in categories().values()}
    return render_template(
        "leads/rules.html",
        rules=rules,
        people=people,
        category_names=names,
        form=form.fill(user),
        action=ActionForm(),
    ), status


@bp.get("/")
@login_required
def rules_page():  # type: ignore[no-untyped-def]
    return _page(RuleForm(formdata=None))


@bp.post("/")
@login_required
def add_rule():  # type: ignore[no-untyped-def]
    form = RuleForm()
    assignment_rules.business(_user())  # a 403 before the form is read
    if not accepted(form):
        return _page(form, 400)
    data = {"category": form.category.data, "state": form.state.data, "user_id": form.user_id.data}
    try:
        assignment_rules.add_rule(_user(), validated(assignment_rules.RuleIn, data))
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return _page(form, 422)
    flash(_("Saved: new leads like these go to that person while they are active."), "success")
    return redirect(url_for("lead_rules.rules_page"))


@bp.post("/<int:rule_id>/delete")
@login_required
def remove_rule(rule_id: int):  # type: ignore[no-untyped-def]
    assignment_rules.business(_user())
    if accepted(ActionForm()):
        assignment_rules.remove_rule(_user(), rule_id)
        flash(_("Removed: those leads take their turn again."), "success")
    return redirect(url_for("lead_rules.rules_page"))
