"""The staff's GST verification screen: the suppliers by where their GSTIN stands (waiting for
the registry, lapsed on the desk, verified, refused), each with its latest receipt, and one
supplier's receipts in full. Checking is gst_verification.check_gstin, as the CLI does."""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from marketplace.accounts import gst_receipts, gst_verification, policy
from marketplace.accounts.gst_models import CheckRequester, GstCheck
from marketplace.accounts.models import GstVerification, SupplierProfile, User
from marketplace.db import paginate
from marketplace.errors import NotFound
from marketplace.extensions import db

MAX_QUERY = 100
DOING = _l("see and run GST verification")


class Standing(enum.StrEnum):
    PENDING = "pending"
    LAPSED = "lapsed"
    VERIFIED = "verified"
    REJECTED = "rejected"
    ALL = "all"


STANDING_LABELS = {
    Standing.PENDING: _l("Waiting for the registry"),
    Standing.LAPSED: _l("Lapsed (on the desk)"),
    Standing.VERIFIED: _l("Verified"),
    Standing.REJECTED: _l("Not confirmed"),
    Standing.ALL: _l("All"),
}
VERIFICATION_LABELS = {
    GstVerification.PENDING: _l("Waiting for the registry"),
    GstVerification.VERIFIED: _l("Verified"),
    GstVerification.REJECTED: _l("Not confirmed by the registry"),
}


def _standing(raw: str | None) -> Standing:
    try:
        return Standing(raw or Standing.PENDING)
    except ValueError:
        return Standing.PENDING


def _open_alerts() -> Select[tuple[int]]:
    return select(GstCheck.supplier_id).where(
        GstCheck.needs_officer.is_(True), GstCheck.closed_at.is_(None)
    )


def suppliers(
    staff: User, standing_as: str | None, text: str | None, *, page: int, per_page: int
) -> tuple[list[SupplierProfile], int, Standing]:
    policy.require_officer(staff, DOING)
    standing = _standing(standing_as)
    query = select(SupplierProfile).order_by(SupplierProfile.id.desc())
    if standing == Standing.LAPSED:
        query = query.where(SupplierProfile.id.in_(_open_alerts()))
    elif standing != Standing.ALL:
        query = query.where(SupplierProfile.gst_verification == GstVerification(standing))
    words = (text or "").strip()[:MAX_QUERY]
    if words:
        query = query.where(
            or_(
                SupplierProfile.company_name.ilike(f"%{words}%"),
                SupplierProfile.gstin == words.upper(),
            )
        )
    rows, total = paginate(query, page=page, per_page=per_page)
    return rows, total, standing


def latest_checks(supplier_ids: list[int]) -> dict[int, GstCheck]:
    """The newest receipt of each supplier, in two queries for a page of them."""
    if not supplier_ids:
        return {}
    newest = (
        select(func.max(GstCheck.id))
        .where(GstCheck.supplier_id.in_(supplier_ids))
        .group_by(GstCheck.supplier_id)
    )
    checks = db.session.scalars(select(GstCheck).where(GstCheck.id.in_(newest)))
    return {check.supplier_id: check for check in checks}


def supplier(staff: User, supplier_id: int) -> SupplierProfile:
    policy.require_officer(staff, DOING)
    found = db.session.get(SupplierProfile, supplier_id)
    if found is None:
        raise NotFound(_("No such supplier."))
    return found


def receipts(supplier_id: int) -> list[GstCheck]:
    return gst_receipts.history(supplier_id, limit=None)


def people(checks: list[GstCheck]) -> dict[int, str]:
    """Who asked for each check, and who closed its alert: their names."""
    ids = {c.requested_by_user_id for c in checks} | {c.closed_by_id for c in checks}
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def check_now(staff: User, supplier_id: int) -> GstCheck:
    """Ask the registry now, on a staff member's word: the receipt names them."""
    found = supplier(staff, supplier_id)
    return gst_verification.check_gstin(found.id, requested_by=CheckRequester.ADMIN, actor=staff)
