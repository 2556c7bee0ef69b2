"""The staff's GST verification screen: the suppliers by where their GSTIN stands, one
supplier's receipts (what the registry answered, who asked and when), and a check run from the
page. The officer and an admin alike (accounts.policy.require_officer)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.accounts import gst_receipts, gst_screen
from marketplace.accounts.forms import ActionForm, accepted
from marketplace.accounts.gst_models import GstOutcome
from marketplace.accounts.models import User
from marketplace.extensions import limiter
from marketplace.web import requested_page

bp = Blueprint("gst_admin", __name__, url_prefix="/admin/gst")
PER_PAGE = 25


def _staff_key() -> str:
    # Per person, not per address: the registry's quota is the portal's, whoever asks.
    return f"gst-check:{current_user.get_id()}"


def _staff() -> User:
    user: User = current_user._get_current_object()
    return user


def _labels() -> dict[str, Any]:
    return {
        "outcome_labels": gst_receipts.OUTCOME_LABELS,
        "requester_labels": gst_receipts.REQUESTER_LABELS,
        "outcome_text": gst_receipts.outcome_text,
        "verification_labels": gst_screen.VERIFICATION_LABELS,
        "GstOutcome": GstOutcome,
    }


@bp.get("/")
@login_required
def suppliers_page():  # type: ignore[no-untyped-def]
    page, words = requested_page(), request.args.get("q", "")
    rows, total, standing = gst_screen.suppliers(
        _staff(), request.args.get("show"), words, page=page, per_page=PER_PAGE
    )
    latest = gst_screen.latest_checks([row.id for row in rows])
    return render_template(
        "accounts/gst_suppliers.html",
        suppliers=rows,
        latest=latest,
        total=total,
        page=page,
        per_page=PER_PAGE,
        words=words,
        standing=standing,
        standing_labels=gst_screen.STANDING_LABELS,
        **_labels(),
    )


@bp.get("/<int:supplier_id>")
@login_required
def supplier_page(supplier_id: int):  # type: ignore[no-untyped-def]
    supplier = gst_screen.supplier(_staff(), supplier_id)
    checks = gst_screen.receipts(supplier.id)
    return render_template(
        "accounts/gst_supplier.html",
        supplier=supplier,
        checks=checks,
        people=gst_screen.people(checks),
        action=ActionForm(),
        **_labels(),
    )


@bp.post("/<int:supplier_id>/check")
@login_required
@limiter.limit("5 per minute; 60 per hour", key_func=_staff_key)
def check(supplier_id: int):  # type: ignore[no-untyped-def]
    staff = _staff()
    gst_screen.supplier(staff, supplier_id)  # a 403 before the form is read
    if accepted(ActionForm()):
        done = gst_screen.check_now(staff, supplier_id)
        flash(f"{gst_receipts.OUTCOME_LABELS[done.outcome]}: {gst_receipts.outcome_text(done)}")
    return redirect(url_for("gst_admin.supplier_page", supplier_id=supplier_id))
