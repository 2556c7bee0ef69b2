"""The team page (the business's owner invites, changes and removes members) and the page an
invited person chooses their password on."""

from __future__ import annotations

from flask import Blueprint, flash, has_request_context, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField

from marketplace.accounts import team
from marketplace.accounts.business import Acting, acting_for
from marketplace.accounts.forms import ActionForm, accepted, apply_errors
from marketplace.accounts.models import User
from marketplace.accounts.team_inputs import MemberChange, MemberIn
from marketplace.accounts.team_models import TEAM_ROLE_LABELS
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import limiter
from marketplace.legal_rules import ADULT_AGE
from marketplace.validation import validated

bp = Blueprint("team", __name__, url_prefix="/team")
_ROLE_CHOICES = [(str(role), label) for role, label in TEAM_ROLE_LABELS.items()]


class InviteForm(FlaskForm):
    name = StringField(_l("Name"))
    email = EmailField(
        _l("Email"), description=_l("The invitation goes here; it is their sign-in.")
    )
    role = SelectField(_l("Role"), choices=_ROLE_CHOICES, validate_choice=False)


class MemberForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_ROLE_CHOICES, validate_choice=False)
    away = BooleanField(_l("Away: give new leads to others meanwhile"))


class JoinForm(FlaskForm):
    password = PasswordField(_l("Choose a password"))
    age_confirmed = BooleanField(_l("I am %(age)s years of age or older", age=ADULT_AGE))
    accept_terms = BooleanField(_l("I accept the terms of use and the privacy policy"))


@bp.app_context_processor
def _acting() -> dict[str, Acting | None]:
    """Every page knows the business its reader acts for, and so which links to show."""
    if not has_request_context() or not current_user.is_authenticated:  # a mail, a visitor
        return {"acting": None}
    return {"acting": acting_for(current_user._get_current_object())}


def _owner() -> User:
    user: User = current_user._get_current_object()
    team.team_business(user)  # a 403 for anyone but the business's owner
    return user


def _page(form: InviteForm, status: int = 200):  # type: ignore[no-untyped-def]
    user = _owner()
    rows = team.members(user)
    forms = {
        row.id: MemberForm(prefix=f"m{row.id}", role=str(row.role), away=row.away) for row in rows
    }
    page = render_template(
        "accounts/team.html", members=rows, forms=forms, invite_form=form, action=ActionForm()
    )
    return page, status


@bp.get("/")
@login_required
def team_page():  # type: ignore[no-untyped-def]
    return _page(InviteForm(formdata=None))


@bp.post("/")
@login_required
@limiter.limit("30 per hour")
def invite():  # type: ignore[no-untyped-def]
    user, form = _owner(), InviteForm()
    if not accepted(form):
        return _page(form, 400)
    data = {"email": form.email.data, "name": form.name.data, "role": form.role.data}
    try:
        team.invite(user, validated(MemberIn, data))
    except (ValidationFailed, Conflict) as refused:
        apply_errors(form, refused.errors)
        return _page(form, refused.status)
    flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
    return redirect(url_for("team.team_page"))


@bp.post("/<int:member_id>")
@login_required
def change_member(member_id: int):  # type: ignore[no-untyped-def]
    user, form = _owner(), MemberForm(prefix=f"m{member_id}")
    if accepted(form):
        body = validated(MemberChange, {"role": form.role.data, "away": form.away.data})
        team.change(user, member_id, body)
        flash(_("Saved."), "success")
    else:
        flash(_("This form has expired; please try again."), "error")
    return redirect(url_for("team.team_page"))


@bp.route("/<int:member_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(member_id: int):  # type: ignore[no-untyped-def]
    user, form = _owner(), ActionForm()
    member = next((row for row in team.members(user) if row.id == member_id), None)
    if member is None:
        raise NotFound(_("No such team member."))
    if accepted(form):
        team.remove(user, member_id)
        flash(_("%(name)s was removed from the team.", name=member.user.name), "success")
        return redirect(url_for("team.team_page"))
    return render_template("accounts/team_remove.html", member=member, form=form)


@bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def join(token: str):  # type: ignore[no-untyped-def]
    try:
        member = team.invited_member(token)
    except ValidationFailed as refused:
        return render_template("accounts/link_problem.html", detail=refused.detail), 400
    form, status = JoinForm(), 200
    if accepted(form):
        try:
            _join_with(token, form)
        except ValidationFailed as refused:
            apply_errors(form, refused.errors)
            status = 422
        else:
            flash(_("Welcome to the team. Please sign in with your new password."), "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/team_join.html", form=form, member=member), status


def _join_with(token: str, form: JoinForm) -> None:
    team.join(
        token,
        form.password.data,
        age_confirmed=form.age_confirmed.data,
        accept_terms=form.accept_terms.data,
    )
