"""An owner correcting their own account: name, email, mobile and, for a supplier, the
business and its storefront profile.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

from typing import Any

from marketplace import audit
from marketplace.accounts import identity
from marketplace.accounts.details import (
    check_business_identity,
    check_current_password,
    person_name,
    read_address,
    refuse_duplicates,
)
from marketplace.accounts.email_addresses import request_email_change
from marketplace.accounts.models import (
    BUSINESS_TYPES,
    EMPLOYEE_BANDS,
    TURNOVER_BANDS,
    GstVerification,
    User,
)
from marketplace.crypto import blind_index
from marketplace.db import utcnow
from marketplace.signals import supplier_changed
from marketplace.validation import Input, Invalid

_EDITABLE = {"name", "email", "phone", "current_password"}

_BUSINESS_PROFILE = ("business_type", "year_established", "employees", "turnover_band", "about")

_EDITABLE_SUPPLIER = {"company_name", "gstin", "pan", "address", *_BUSINESS_PROFILE}


def _choice(options: Any) -> Any:
    def check(value: str) -> str:
        if value not in options:
            raise Invalid(f"must be one of: {', '.join(options)}")
        return value

    return check


def _read_business_profile(inp: Input) -> dict[str, Any]:
    """The storefront's profile fields given in `inp`; an empty value clears one."""
    values: dict[str, Any] = {}
    if "business_type" in inp.data:
        values["business_type"] = inp.text(
            "business_type", required=False, max_length=24, check=_choice(BUSINESS_TYPES)
        )
    if "year_established" in inp.data:
        values["year_established"] = inp.integer(
            "year_established", required=False, minimum=1800, maximum=utcnow().year
        )
    if "employees" in inp.data:
        values["employees"] = inp.text(
            "employees", required=False, max_length=16, check=_choice(EMPLOYEE_BANDS)
        )
    if "turnover_band" in inp.data:
        values["turnover_band"] = inp.text(
            "turnover_band", required=False, max_length=32, check=_choice(TURNOVER_BANDS)
        )
    if "about" in inp.data:
        values["about"] = inp.text("about", required=False, max_length=3000, multiline=True)
    return values


def update_profile(user: User, data: Any) -> User:
    """Correct one's own details. Only the fields given change; each is validated again."""
    inp = Input(data)
    allowed = _EDITABLE | (_EDITABLE_SUPPLIER if user.supplier else set())
    for field in inp.data:
        if field not in allowed:
            inp.fail(field, "this field cannot be changed here")
    changes: dict[str, Any] = {}
    for field, check, bounds in (
        ("name", person_name, (2, 100)),
        ("email", identity.check_email, (3, 254)),
        ("phone", identity.check_mobile, (8, 20)),
    ):
        if field in inp.data:
            changes[field] = inp.text(
                field, min_length=bounds[0], max_length=bounds[1], check=check
            )
    supplier = user.supplier
    if supplier is not None:
        if "company_name" in inp.data:
            changes["company_name"] = inp.text("company_name", min_length=2, max_length=200)
        if "gstin" in inp.data:
            changes["gstin"] = inp.text("gstin", max_length=20, check=identity.check_gstin)
        if "pan" in inp.data:
            changes["pan"] = inp.text("pan", max_length=12, check=identity.check_pan)
        if "address" in inp.data:
            changes["address"] = read_address(inp)
        business = _read_business_profile(inp)
        gstin = changes.get("gstin") or supplier.gstin
        address = changes.get("address")
        state = address.state if address else identity.check_state(supplier.state)
        check_business_identity(inp, gstin, changes.get("pan") or gstin[2:12], state)
    new_email = changes.get("email") if changes.get("email") not in (None, user.email) else None
    new_phone = changes.get("phone") if changes.get("phone") not in (None, user.phone) else None
    if new_email or new_phone:  # the ways back into an account: only its owner changes them
        check_current_password(inp, user, "change your email or phone")
    inp.raise_if_invalid()

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
