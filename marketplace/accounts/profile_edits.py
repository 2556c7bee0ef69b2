"""An owner correcting their own account: name, email, mobile and, for a supplier, the
business and its storefront profile.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from marketplace import audit
from marketplace.accounts import identity, phone_verification
from marketplace.accounts.details import (
    check_business_identity,
    check_current_password,
    refuse_duplicates,
)
from marketplace.accounts.email_addresses import request_email_change
from marketplace.accounts.inputs import BUSINESS_PROFILE_FIELDS, SUPPLIER_FIELDS, ProfileChange
from marketplace.accounts.models import GstVerification, User
from marketplace.crypto import blind_index
from marketplace.errors import FieldErrors, ValidationFailed
from marketplace.signals import supplier_changed

_PERSON_FIELDS = ("name", "email", "phone")


def update_profile(user: User, change: ProfileChange) -> User:
    """Correct one's own details. Only the fields given change; each was checked as at
    registration, and here against the account: a business's fields are a supplier's, the GSTIN
    must match the address (given or on file), and a new email or phone needs the password."""
    given = change.given()
    supplier = user.supplier
    errors = FieldErrors()
    for field in sorted(given & SUPPLIER_FIELDS if supplier is None else set()):
        errors.add(field, _("this field cannot be changed here"))
    changes: dict[str, Any] = {
        field: getattr(change, field)
        for field in (*_PERSON_FIELDS, "company_name", "gstin", "pan", "address")
        if field in given
    }
    business = {
        field: getattr(change, field) for field in BUSINESS_PROFILE_FIELDS if field in given
    }
    if supplier is not None:
        gstin = changes.get("gstin") or supplier.gstin
        address = changes.get("address")
        state = address.state if address else identity.check_state(supplier.state)
        check_business_identity(errors, gstin, changes.get("pan") or gstin[2:12], state)
    new_email = changes.get("email") if changes.get("email") not in (None, user.email) else None
    new_phone = changes.get("phone") if changes.get("phone") not in (None, user.phone) else None
    if new_email or new_phone:  # the ways back into an account: only its owner changes them
        check_current_password(errors, change.current_password, user, "change your email or phone")
    if errors:
        raise ValidationFailed(errors.errors)

    refuse_duplicates(
        email=new_email,
        phone=new_phone,
        gstin=changes.get("gstin") if supplier and changes.get("gstin") != supplier.gstin else None,
        except_user=user,
    )
    changed = sorted(
        field for field, value in changes.items() if value is not None and field != "email"
    )
    if supplier is not None:
        changed = sorted({*changed, *(f for f, v in business.items() if v != getattr(supplier, f))})
        for field, value in business.items():
            setattr(supplier, field, value)
    if changes.get("name"):
        user.name = changes["name"]
    if new_phone:
        user.phone = new_phone
        user.phone_digest = blind_index(new_phone)
        user.phone_verified_at = None  # proved for the old number only
        phone_verification.forget_codes(user)
    if new_email and new_email != user.pending_email:
        request_email_change(user, new_email)
    if supplier is not None:
        if changes.get("company_name"):
            supplier.company_name = changes["company_name"]
        if changes.get("gstin") and changes["gstin"] != supplier.gstin:
            supplier.gstin = changes["gstin"]
            supplier.gst_state_code = changes["gstin"][:2]
            supplier.pan = changes["gstin"][2:12]
            supplier.gst_verification = GstVerification.PENDING
            supplier.gst_verified_at = None
        if changes.get("address"):
            address = changes["address"]
            supplier.address_line1 = address.line1
            supplier.city = address.city
            supplier.state = address.state.name
            supplier.pincode = address.pincode
    if changed:
        audit.record("account.updated", actor_id=user.id, subject=user, fields=changed)
        if supplier is not None:
            supplier_changed.send(supplier.id)
    return user
