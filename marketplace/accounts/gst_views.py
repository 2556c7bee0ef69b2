"""GST verification pages: the public receipt of a supplier's checks with the GST registry (the
badge links here), and the officer's page for a lapsed registration on the desk."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from marketplace.accounts import gst_desk, gst_receipts
from marketplace.accounts.gst_models import GstOutcome
from marketplace.accounts.models import SupplierProfile
from marketplace.accounts.policy import require_officer
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db

bp = Blueprint("gst", __name__)

bp.add_app_template_global(gst_receipts.badge_receipt, "gst_badge_receipt")
bp.add_app_template_global(gst_receipts.badge_text, "gst_badge_text")


def _labels() -> dict[str, object]:
    return {
        "outcome_labels": gst_receipts.OUTCOME_LABELS,
        "requester_labels": gst_receipts.REQUESTER_LABELS,
        "outcome_text": gst_receipts.outcome_text,
        "GstOutcome": GstOutcome,
    }


@bp.get("/suppliers/<int:supplier_id>/gst-receipt")
def receipt(supplier_id: int):  # type: ignore[no-untyped-def]
    supplier = db.session.get(SupplierProfile, supplier_id)
    if supplier is None or not supplier.user.is_active_account:
        raise NotFound(_("No such supplier."))
    checks = gst_receipts.history(supplier.id)
    return render_template(
        "accounts/gst_receipt.html",
        supplier=supplier,
        checks=checks,
        badge=gst_receipts.badge_receipt(supplier),
        **_labels(),
    )


def _officer() -> None:
    require_officer(current_user, _l("work the GST registration desk"))


@bp.get("/desk/gst-registrations/<int:check_id>")
@login_required
def desk_alert(check_id: int):  # type: ignore[no-untyped-def]
    _officer()
    return _alert_page(check_id, {}, "")


def _alert_page(check_id: int, errors: dict[str, list[str]], note: str, status: int = 200):  # type: ignore[no-untyped-def]
    check = gst_desk.alert_for(check_id)
    return render_template(
        "accounts/gst_alert.html", check=check, errors=errors, note=note, **_labels()
    ), status


@bp.post("/desk/gst-registrations/<int:check_id>")
@login_required
def close_alert(check_id: int):  # type: ignore[no-untyped-def]
    _officer()
    note = request.form.get("note", "")
    try:
        gst_desk.close_alert(check_id, current_user, note)
    except ValidationFailed as refused:
        return _alert_page(check_id, refused.errors, note, 422)
    flash(
        _("Closed. The supplier stays without the badge until a check confirms the GSTIN."),
        "success",
    )
    return redirect(url_for("grievances.desk_queue"))
