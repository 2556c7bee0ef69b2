"""The outcome of checking a supplier's GSTIN with the GST registry (by an admin or a GSP).

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

from marketplace import audit
from marketplace.accounts.models import GstVerification, SupplierProfile, User
from marketplace.db import utcnow
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.signals import supplier_changed


def set_gst_verification(
    supplier_id: int, status: str, *, actor: User | None = None
) -> SupplierProfile:
    """Record the outcome of checking a GSTIN with the GST registry (by an admin or a GSP)."""
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
