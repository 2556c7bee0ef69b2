"""The admin's users screen: find an account, read it, give or take a staff role, suspend it
or lift its suspension, each after a page that shows the facts. The rules are the services'
(user_directory, suspension) and the one decision is accounts.policy.require_user_admin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from marketplace.accounts import api_keys, suspension, user_directory
from marketplace.accounts.forms import accepted, apply_errors
from marketplace.accounts.models import User
from marketplace.accounts.policy import GRANTABLE_ROLES, require_user_admin
from marketplace.catalog import services as catalog
from marketplace.errors import Conflict, ValidationFailed
from marketplace.web import requested_page

bp = Blueprint("users", __name__, url_prefix="/admin/users")
PER_PAGE = 25


class RoleForm(FlaskForm):
    role = HiddenField()
    change = HiddenField()


class SuspensionForm(FlaskForm):
    # What the admin chose on the page they read: a second click, or another admin's change
    # meanwhile, then finds it done already instead of undoing it.
    action = HiddenField()
    reason = TextAreaField(
        "Reason",
        description="Kept in the audit log with your name (5 to 300 characters).",
    )


ACTIONS = {"suspend": suspension.suspend, "lift": suspension.lift}
# What lifting the suspension gives back, said on the page before the admin lifts it.
RESTORES = {
    suspension.Before.ACTIVE: "They can sign in again at once and their integration keys "
    "work again",
    suspension.Before.CLOSED_BY_OWNER: "It goes back to closed by its owner, as it was before "
    "the suspension: signing in reopens it",
    suspension.Before.CLOSED_BY_OFFICER: "It stays closed, as the grievance officer closed it "
    "before the suspension",
    suspension.Before.REMOVED_FROM_TEAM: "It stays closed: the person was removed from the "
    "supplier's team",
}
STALE = {
    "suspend": "Nothing changed: this account is suspended already.",
    "lift": "Nothing changed: this account is not suspended (the suspension was lifted already).",
}


def _admin() -> User:
    user: User = current_user._get_current_object()
    require_user_admin(user)
    return user


def _labels() -> dict[str, Any]:
    return {"role_labels": user_directory.ROLE_LABELS, "grantable": GRANTABLE_ROLES}


@bp.get("/")
@login_required
def users_page():  # type: ignore[no-untyped-def]
    page, words, role = requested_page(), request.args.get("q", ""), request.args.get("role", "")
    rows, total = user_directory.find_users(_admin(), words, role, page=page, per_page=PER_PAGE)
    return render_template(
        "accounts/admin_users.html",
        users=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        words=words,
        role=role,
        **_labels(),
    )


def _facts(user: User) -> dict[str, Any]:
    """What the admin weighs before acting: what the account holds and who it works with."""
    listed = catalog.supplier_products(user.supplier.id, per_page=1)[1] if user.supplier else 0
    return {
        "listed": listed,
        "keys": len(api_keys.integration_keys(user)),
        "suspender": user_directory.suspended_by(user),
    }


@bp.get("/<int:user_id>")
@login_required
def user_page(user_id: int):  # type: ignore[no-untyped-def]
    user = user_directory.account(_admin(), user_id)
    return render_template(
        "accounts/admin_user.html", user=user, facts=_facts(user), form=RoleForm(), **_labels()
    )


def _back(user_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("users.user_page", user_id=user_id))


@bp.get("/<int:user_id>/role")
@login_required
def confirm_role(user_id: int):  # type: ignore[no-untyped-def]
    user = user_directory.account(_admin(), user_id)
    form = RoleForm(request.args, meta={"csrf": False})
    if form.role.data not in GRANTABLE_ROLES or form.change.data not in ("grant", "revoke"):
        flash("Choose a role to give or take on the account's page.", "error")
        return _back(user_id)
    return render_template(
        "accounts/admin_user_role.html",
        user=user,
        form=RoleForm(formdata=None, data=form.data),
        facts=_facts(user),
        **_labels(),
    )


@bp.post("/<int:user_id>/role")
@login_required
def change_role(user_id: int):  # type: ignore[no-untyped-def]
    admin, form = _admin(), RoleForm()
    if accepted(form):
        grant = form.change.data == "grant"
        try:
            user = user_directory.change_staff_role(admin, user_id, form.role.data, grant=grant)
            names = ", ".join(user_directory.ROLE_LABELS[r] for r in user.roles)
            flash(f"{user.name} now has the roles: {names}.", "success")
        except (ValidationFailed, Conflict) as refused:
            flash(_plain(refused), "error")
    return _back(user_id)


def _plain(refused: ValidationFailed | Conflict) -> str:
    messages = [m for ms in refused.errors.values() for m in ms]
    return f"Nothing changed: {'; '.join(messages)}." if messages else refused.detail


def _suspension_page(user_id: int, form: SuspensionForm, status: int = 200):  # type: ignore[no-untyped-def]
    user = user_directory.account(_admin(), user_id)
    restores = RESTORES[suspension.restores(user)] if suspension.is_suspended(user) else ""
    page = render_template(
        "accounts/admin_user_suspend.html",
        user=user,
        form=form,
        facts=_facts(user),
        restores=restores,
        **_labels(),
    )
    return page, status


@bp.get("/<int:user_id>/suspension")
@login_required
def confirm_suspension(user_id: int):  # type: ignore[no-untyped-def]
    user = user_directory.account(_admin(), user_id)
    action = "lift" if suspension.is_suspended(user) else "suspend"
    return _suspension_page(user_id, SuspensionForm(formdata=None, action=action))


@bp.post("/<int:user_id>/suspension")
@login_required
def change_suspension(user_id: int):  # type: ignore[no-untyped-def]
    admin, form = _admin(), SuspensionForm()
    if not accepted(form):
        return _suspension_page(user_id, form, 400)
    user, action = user_directory.account(admin, user_id), form.action.data
    if unchanged := _nothing_to_do(user, action):
        flash(unchanged, "info")
        return _back(user_id)
    try:
        ACTIONS[action](admin, user_id, form.reason.data)
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return _suspension_page(user_id, form, 422)
    except Conflict as refused:
        flash(refused.detail, "error")
        return _back(user_id)
    flash(f"The account of {user.name} {_done_words(user, action)}.", "success")
    return _back(user_id)


def _nothing_to_do(user: User, action: str | None) -> str | None:
    """Why the form's action does not apply (a stale page, a second click), or None."""
    if action not in ACTIONS:
        return "Nothing changed: choose to suspend or to lift on the account's page."
    if suspension.is_suspended(user) == (action == "suspend"):
        return STALE[action]
    return None


def _done_words(user: User, action: str) -> str:
    if action == "suspend":
        return "is suspended: no sign-in, no key"
    if user.is_active_account:
        return "is open again"
    if user.deactivated_at is not None:
        return "is no longer suspended; it stays closed by its owner, who reopens it by signing in"
    return "is no longer suspended; it stays closed, as the grievance officer or its team left it"
