"""The admin's listings moderation: find a listing, hide it with a reason (after a page that
shows what is hidden and why it may be), show it again. The same service and policy as the
API and the product page (services.set_hidden, policy.require_hide_listings)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from marketplace.accounts.forms import ActionForm, accepted, apply_errors
from marketplace.accounts.models import User
from marketplace.catalog import moderation, policy, services
from marketplace.catalog.inputs import VisibilityIn
from marketplace.errors import ValidationFailed
from marketplace.validation import validated
from marketplace.web import requested_page

bp = Blueprint("moderation", __name__, url_prefix="/admin/listings")
PER_PAGE = 25


class HideListingForm(FlaskForm):
    reason = TextAreaField(
        "Why it is hidden",
        description="The supplier reads this, and it is kept in the audit log: name the rule "
        "the listing breaks (5 to 300 characters).",
    )


def _admin() -> User:
    user: User = current_user._get_current_object()
    policy.require_hide_listings(user)
    return user


@bp.get("/")
@login_required
def listings_page():  # type: ignore[no-untyped-def]
    page, words = requested_page(), request.args.get("q", "")
    rows, total, shown = moderation.listings(
        _admin(), words, request.args.get("show"), page=page, per_page=PER_PAGE
    )
    return render_template(
        "catalog/moderation.html",
        listings=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        words=words,
        shown=shown,
        shown_labels=moderation.SHOWN_LABELS,
        action=ActionForm(),
    )


def _confirm(product_id: int, form: HideListingForm, status: int = 200):  # type: ignore[no-untyped-def]
    item = moderation.listing(_admin(), product_id)
    return render_template("catalog/moderation_hide.html", listing=item, form=form), status


@bp.get("/<int:product_id>/hide")
@login_required
def confirm_hide(product_id: int):  # type: ignore[no-untyped-def]
    return _confirm(product_id, HideListingForm(formdata=None))


@bp.post("/<int:product_id>/hide")
@login_required
def hide(product_id: int):  # type: ignore[no-untyped-def]
    admin, form = _admin(), HideListingForm()
    if not accepted(form):
        return _confirm(product_id, form, 400)
    try:
        body = validated(VisibilityIn, {"hidden": True, "reason": form.reason.data})
        item = services.set_hidden(admin, product_id, body)
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return _confirm(product_id, form, 422)
    flash(_("“%(product)s” is hidden from buyers.", product=item.name), "success")
    return redirect(url_for("moderation.listings_page", show="hidden"))


@bp.post("/<int:product_id>/show")
@login_required
def show(product_id: int):  # type: ignore[no-untyped-def]
    admin = _admin()
    if accepted(ActionForm()):
        item = services.set_hidden(admin, product_id, validated(VisibilityIn, {"hidden": False}))
        flash(_("“%(product)s” is shown to buyers again.", product=item.name), "success")
    return redirect(url_for("moderation.listings_page"))
