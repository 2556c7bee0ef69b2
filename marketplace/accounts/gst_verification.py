"""A supplier's GST verification, driven by checks with the GST registry (marketplace.accounts.
gst_registry): each check leaves a receipt (GstCheck) and moves the badge only on a clear answer.

- active, and name, state and PIN agree: verified (the badge);
- active but a field differs, not active (suspended, cancelled), or unknown to the registry:
  rejected (no badge); a badge removed this way is mailed to the supplier, and a lapsed
  registration goes on the grievance officer's desk (marketplace.accounts.gst_desk);
- no usable answer (timeout, HTTP error, malformed answer): recorded, and nothing changes.

Functions flush but never commit: the request, CLI command or task that called them commits once.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace import audit
from marketplace.accounts import gst_receipts
from marketplace.accounts.gst_matching import compare
from marketplace.accounts.gst_models import CheckRequester, GstCheck, GstOutcome, RegistryStatus
from marketplace.accounts.gst_registry import (
    GstRegistry,
    NotRegistered,
    Registration,
    RegistryUnavailable,
    registry_from_config,
)
from marketplace.accounts.models import GstVerification, SupplierProfile, User
from marketplace.db import utcnow
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.i18n import in_language
from marketplace.notifications import absolute_url, send_email
from marketplace.signals import supplier_changed

# The status each outcome leaves the supplier with (None: as it was).
_STATUS_AFTER: dict[GstOutcome, GstVerification | None] = {
    GstOutcome.VERIFIED: GstVerification.VERIFIED,
    GstOutcome.MISMATCH: GstVerification.REJECTED,
    GstOutcome.NOT_ACTIVE: GstVerification.REJECTED,
    GstOutcome.NOT_FOUND: GstVerification.REJECTED,
    GstOutcome.COULD_NOT_CHECK: None,
}
# A registration that lapsed (or vanished) under a badge is the officer's to look into.
_OFFICER_OUTCOMES = (GstOutcome.NOT_ACTIVE, GstOutcome.NOT_FOUND)


def set_gst_verification(
    supplier_id: int, status: str, *, actor: User | None = None
) -> SupplierProfile:
    """Set the status by hand (an operator's override, when the registry cannot be asked)."""
    supplier = db.session.get(SupplierProfile, supplier_id)
    if supplier is None:
        raise NotFound("No such supplier.")
    try:
        supplier.gst_verification = GstVerification(status)
    except ValueError:
        raise ValidationFailed(
            {"status": [f"must be one of {', '.join(GstVerification)}"]}
        ) from None
    supplier.gst_verified_at = utcnow() if status == GstVerification.VERIFIED else None
    audit.record(
        "supplier.gst_verification",
        actor_id=actor.id if actor else None,
        subject=supplier,
        status=status,
    )
    supplier_changed.send(supplier.id)
    return supplier


def _clipped(text: str | None, length: int) -> str | None:
    """The registry's words as stored: its answer is compared in full, kept within columns."""
    return text[:length] if text is not None else None


def _record_answer(check: GstCheck, registration: Registration) -> None:
    check.registry_status = registration.status
    check.registry_status_text = _clipped(registration.status_text, 64)
    check.legal_name = _clipped(registration.legal_name, 200)
    check.trade_name = _clipped(registration.trade_name, 200)
    check.taxpayer_type = _clipped(registration.taxpayer_type, 64)
    check.registered_on = registration.registered_on
    check.cancelled_on = registration.cancelled_on
    check.principal_address = _clipped(registration.principal_address, 2000)
    check.registry_state = _clipped(registration.state, 64)
    check.registry_pincode = _clipped(registration.pincode, 6)
    if registration.status != RegistryStatus.ACTIVE:
        check.outcome = GstOutcome.NOT_ACTIVE
        return
    found = compare(check.compared_name, check.compared_state, check.compared_pincode, registration)
    check.outcome = GstOutcome.MISMATCH if found.mismatches else GstOutcome.VERIFIED
    check.mismatches = list(found.mismatches)
    check.name_matched = found.name_matched


def _ask(check: GstCheck, registry: GstRegistry) -> None:
    try:
        _record_answer(check, registry.lookup(check.gstin))
    except NotRegistered:
        check.outcome = GstOutcome.NOT_FOUND
    except RegistryUnavailable as failure:
        check.outcome = GstOutcome.COULD_NOT_CHECK
        check.problem = failure.reason[:32]
        current_app.logger.warning("GST registry gave no usable answer for a check: %s", failure)


def check_gstin(
    supplier_id: int,
    *,
    requested_by: CheckRequester,
    actor: User | None = None,
    registry: GstRegistry | None = None,
    now: datetime | None = None,
) -> GstCheck:
    """Ask the registry about the supplier's GSTIN, keep the receipt, and move the badge."""
    supplier = db.session.get(SupplierProfile, supplier_id)
    if supplier is None:
        raise NotFound("No such supplier.")
    check = GstCheck(
        supplier=supplier,
        gstin=supplier.gstin,
        mismatches=[],
        compared_name=supplier.company_name,
        compared_state=supplier.state,
        compared_pincode=supplier.pincode,
        status_before=supplier.gst_verification,
        status_after=supplier.gst_verification,
        requested_by=requested_by,
        requested_by_user_id=actor.id if actor else None,
        checked_at=now or utcnow(),
    )
    _ask(check, registry or registry_from_config(current_app.config))
    after = _STATUS_AFTER[check.outcome]
    if after is not None and after != supplier.gst_verification:
        set_gst_verification(supplier.id, after, actor=actor)
        check.status_after = after
    check.needs_officer = check.removed_badge and check.outcome in _OFFICER_OUTCOMES
    db.session.add(check)
    db.session.flush()
    audit.record(
        "supplier.gst_check",
        actor_id=actor.id if actor else None,
        subject=supplier,
        outcome=str(check.outcome),
        check_id=check.id,
        requested_by=str(requested_by),
    )
    if check.removed_badge:
        _tell_supplier(check)
    return check


def _tell_supplier(check: GstCheck) -> None:
    user = check.supplier.user
    if user.erased_at is not None or not user.is_active_account:
        return
    with in_language(user.language):  # the sentence on what was found: the supplier's too
        outcome = gst_receipts.outcome_text(check)
    send_email(
        user.email,
        _l("Your GST verified badge was removed"),
        "gst_badge_removed",
        language=user.language,
        name=user.name,
        check=check,
        outcome=outcome,
        receipt_url=absolute_url("gst.receipt", supplier_id=check.supplier_id),
    )
