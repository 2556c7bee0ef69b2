"""Reading GST check receipts, and saying them in plain words: the badge's line ("GSTIN active,
legal name, state and PIN match, checked 03 Dec 2026"), the receipt page, the public profile.

What a receipt shows anyone is the registry's facts about the business (names, status, type,
registration date, principal place) and the outcome; never who asked by name, nor officers'
notes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from marketplace.accounts.gst_models import CheckRequester, GstCheck, GstOutcome
from marketplace.accounts.models import SupplierProfile, User
from marketplace.extensions import db
from marketplace.formatting import ist_date

OUTCOME_LABELS: dict[GstOutcome, str] = {
    GstOutcome.VERIFIED: "Verified",
    GstOutcome.MISMATCH: "Details do not match",
    GstOutcome.NOT_ACTIVE: "Registration not active",
    GstOutcome.NOT_FOUND: "GSTIN not found in the registry",
    GstOutcome.COULD_NOT_CHECK: "Could not check",
}
FIELD_LABELS = {"name": "business name", "state": "state", "pincode": "PIN code"}
PROBLEM_LABELS = {
    "timeout": "the GST registry did not answer in time",
    "unreachable": "the GST registry could not be reached",
    "http_error": "the GST registry answered with an error",
    "malformed": "the GST registry's answer could not be read",
    "not_in_sandbox": "the test registry does not know this GSTIN",
}
REQUESTER_LABELS = {
    CheckRequester.ADMIN: "a TradeSetu administrator",
    CheckRequester.BEAT: "the monthly automatic check",
    CheckRequester.DEMO: "the demo data",
}
HISTORY_LENGTH = 12


def history(supplier_id: int, limit: int | None = HISTORY_LENGTH) -> list[GstCheck]:
    """The supplier's checks, newest first (every one with no limit)."""
    statement = (
        select(GstCheck)
        .where(GstCheck.supplier_id == supplier_id)
        .order_by(GstCheck.checked_at.desc(), GstCheck.id.desc())
    )
    return list(db.session.scalars(statement.limit(limit) if limit else statement))


def badge_receipt(supplier: SupplierProfile) -> GstCheck | None:
    """The check behind a verified badge: the latest that gave a clear answer, if verified."""
    if not supplier.gst_verified:
        return None
    latest = db.session.scalar(
        select(GstCheck)
        .where(
            GstCheck.supplier_id == supplier.id,
            GstCheck.outcome != GstOutcome.COULD_NOT_CHECK,
        )
        .order_by(GstCheck.checked_at.desc(), GstCheck.id.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.outcome == GstOutcome.VERIFIED else None


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def badge_text(check: GstCheck) -> str:
    """'GSTIN active, legal name, state and PIN match, checked 03 Dec 2026'."""
    matched = [f"{check.name_matched or 'legal'} name", "state", "PIN"]
    return f"GSTIN active, {_joined(matched)} match, checked {ist_date(check.checked_at)}"


def outcome_text(check: GstCheck) -> str:
    """One plain sentence on what the check found."""
    if check.outcome == GstOutcome.VERIFIED:
        return badge_text(check) + "."
    if check.outcome == GstOutcome.MISMATCH:
        fields = _joined([FIELD_LABELS.get(f, f) for f in check.mismatches])
        return f"The GSTIN is active, but the {fields} registered here differ from the registry."
    if check.outcome == GstOutcome.NOT_ACTIVE:
        return f"The GST registry shows this registration as {check.registry_status_text}."
    if check.outcome == GstOutcome.NOT_FOUND:
        return "The GST registry does not know this GSTIN."
    reason = PROBLEM_LABELS.get(check.problem or "", "the GST registry gave no usable answer")
    return f"Not checked: {reason}. Nothing was changed; it will be tried again."


def export_rows(user: User) -> list[dict[str, Any]]:
    """The receipts of the person's business, for their access export (privacy.export_sections):
    what the registry said and the outcome; not who asked, nor an officer's note."""
    if user.supplier is None:
        return []
    return [
        {
            "checked_at": check.checked_at,
            "gstin": check.gstin,
            "outcome": str(check.outcome),
            "summary": outcome_text(check),
            "mismatches": " ".join(check.mismatches or []),
            "registry_legal_name": check.legal_name,
            "registry_trade_name": check.trade_name,
            "registry_status": check.registry_status_text,
            "taxpayer_type": check.taxpayer_type,
            "registered_on": check.registered_on,
            "principal_address": check.principal_address,
            "compared_name": check.compared_name,
            "compared_state": check.compared_state,
            "compared_pincode": check.compared_pincode,
            "requested_by": str(check.requested_by),
        }
        for check in history(user.supplier.id, limit=None)
    ]


def erase_receipts(supplier_id: int) -> int:
    """A supplier's erasure takes its receipts (a proprietor's legal name is a person's name)."""
    result = db.session.execute(delete(GstCheck).where(GstCheck.supplier_id == supplier_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
