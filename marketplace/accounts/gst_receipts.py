"""Reading GST check receipts, and saying them in plain words: the badge's line ("GSTIN active,
legal name, state and PIN match, checked 03 Dec 2026"), the receipt page, the public profile.

What a receipt shows anyone is the registry's facts about the business (names, status, type,
registration date, principal place) and the outcome; never who asked by name, nor officers'
notes."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from marketplace.accounts.gst_models import CheckRequester, GstCheck, GstOutcome
from marketplace.accounts.models import SupplierProfile, User
from marketplace.extensions import db
from marketplace.formatting import ist_date

OUTCOME_LABELS: dict[GstOutcome, LazyString] = {
    GstOutcome.VERIFIED: _l("Verified"),
    GstOutcome.MISMATCH: _l("Details do not match"),
    GstOutcome.NOT_ACTIVE: _l("Registration not active"),
    GstOutcome.NOT_FOUND: _l("GSTIN not found in the registry"),
    GstOutcome.COULD_NOT_CHECK: _l("Could not check"),
}
FIELD_LABELS = {"name": _l("business name"), "state": _l("state"), "pincode": _l("PIN code")}
PROBLEM_LABELS = {
    "timeout": _l("the GST registry did not answer in time"),
    "unreachable": _l("the GST registry could not be reached"),
    "http_error": _l("the GST registry answered with an error"),
    "malformed": _l("the GST registry's answer could not be read"),
    "not_in_sandbox": _l("the test registry does not know this GSTIN"),
}
REQUESTER_LABELS = {
    CheckRequester.ADMIN: _l("a TradeSetu administrator"),
    CheckRequester.BEAT: _l("the monthly automatic check"),
    CheckRequester.DEMO: _l("the demo data"),
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
    if len(words) == 1:
        return str(words[0])
    return _("%(first)s and %(last)s", first=", ".join(map(str, words[:-1])), last=words[-1])


def badge_text(check: GstCheck) -> str:
    """'GSTIN active, legal name, state and PIN match, checked 03 Dec 2026'."""
    day = ist_date(check.checked_at)
    if check.name_matched == "trade":
        return _("GSTIN active, trade name, state and PIN match, checked %(day)s", day=day)
    return _("GSTIN active, legal name, state and PIN match, checked %(day)s", day=day)


def outcome_text(check: GstCheck) -> str:
    """One plain sentence on what the check found."""
    if check.outcome == GstOutcome.VERIFIED:
        return _("%(badge)s.", badge=badge_text(check))
    if check.outcome == GstOutcome.MISMATCH:
        fields = _joined([FIELD_LABELS.get(f, f) for f in check.mismatches])
        return _(
            "The GSTIN is active, but the %(fields)s registered here differ from the registry.",
            fields=fields,
        )
    if check.outcome == GstOutcome.NOT_ACTIVE:
        return _(
            "The GST registry shows this registration as %(status)s.",
            status=check.registry_status_text,
        )
    if check.outcome == GstOutcome.NOT_FOUND:
        return _("The GST registry does not know this GSTIN.")
    reason = PROBLEM_LABELS.get(check.problem or "") or _("the GST registry gave no usable answer")
    return _("Not checked: %(reason)s. Nothing was changed; it will be tried again.", reason=reason)


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
