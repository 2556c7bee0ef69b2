"""Reading and checking the details an account is made of (names, addresses, GSTIN and PAN,
passwords, consents), by the same rules wherever they are given, and refusing details that
already belong to another account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from marketplace.accounts import identity
from marketplace.accounts.india import State
from marketplace.accounts.models import SupplierProfile, User
from marketplace.accounts.passwords import password_matches
from marketplace.crypto import blind_index
from marketplace.errors import Conflict, FieldErrors
from marketplace.extensions import db
from marketplace.privacy import purposes
from marketplace.validation import Input, Invalid


def person_name(value: str) -> str:
    if not any(char.isalpha() for char in value):
        raise Invalid("must contain letters")
    return value


def read_consents(inp: Input) -> dict[str, bool]:
    raw = inp.data.get("consents")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        inp.fail("consents", "must be an object of purpose ids to true or false")
        return {}
    choices: dict[str, bool] = {}
    for purpose_id, granted in raw.items():
        field = f"consents.{purpose_id}"
        if purpose_id not in purposes.BY_ID:
            inp.errors.add(field, f"unknown purpose; purposes are {', '.join(purposes.BY_ID)}")
        elif not isinstance(granted, bool):
            inp.errors.add(field, "must be true or false")
        elif purpose_id in purposes.REQUIRED and not granted:
            inp.errors.add(field, "needed to run your account; it is accepted with the terms")
        elif purpose_id in purposes.OPTIONAL:
            choices[purpose_id] = granted
    return choices


@dataclass
class Address:
    line1: str
    city: str
    state: State
    pincode: str


def read_address(inp: Input, *, required: bool = True) -> Address | None:
    address = inp.nested("address", required=required)
    if address is None:
        return None
    line1 = address.text("line1", min_length=3, max_length=200)
    city = address.text("city", min_length=2, max_length=100, check=person_name)
    state = address.text("state", max_length=64, check=identity.check_state)
    pincode = address.text("pincode", max_length=10, check=identity.check_pincode)
    if state and pincode:
        try:
            identity.check_pincode_in_state(pincode, state)
        except Invalid as error:
            address.fail("pincode", str(error))
    if None in (line1, city, state, pincode):
        return None
    return Address(line1, city, state, pincode)


def check_business_identity(
    inp: Input, gstin: str | None, pan: str | None, state: State | None
) -> None:
    """The PAN inside the GSTIN must be the PAN given, and the GSTIN's state the address's."""
    if gstin and pan and gstin[2:12] != pan:
        inp.fail("pan", "does not match the PAN inside the GSTIN (its characters 3 to 12)")
    if gstin and state:
        gst_state = identity.gstin_state(gstin)
        if gst_state != state:
            inp.fail(
                "address.state",
                f"the GSTIN is registered in {gst_state.name} (state code {gstin[:2]}), "
                f"not in {state.name}",
            )


def personal_details(*values: str | None) -> list[str]:
    return [value for value in values if value]


def read_password(inp: Input, field: str, personal: list[str]) -> str | None:
    raw = inp.data.get(field)
    if raw is None or raw == "":
        inp.fail(field, "this field is required")
        return None
    if not isinstance(raw, str):
        inp.fail(field, "must be a string")
        return None
    try:
        return identity.check_password(raw, personal=personal)
    except Invalid as error:
        inp.fail(field, str(error))
        return None


def refuse_duplicates(
    *,
    email: str | None = None,
    phone: str | None = None,
    gstin: str | None = None,
    except_user: User | None = None,
) -> None:
    errors = FieldErrors()
    checks = (
        ("email", email, select(User.id).where(User.email == email)),
        ("phone", phone, select(User.id).where(User.phone_digest == blind_index(phone or ""))),
        (
            "gstin",
            gstin,
            select(SupplierProfile.user_id).where(SupplierProfile.gstin == gstin),
        ),
    )
    for field, value, query in checks:
        if value is None:
            continue
        owner = db.session.scalar(query)
        if owner is not None and (except_user is None or owner != except_user.id):
            errors.add(field, "already registered to another account")
    if errors:
        raise Conflict(
            "An account with these details already exists. Sign in, or reset your password.",
            errors.errors,
        )


def check_current_password(inp: Input, user: User, purpose: str) -> None:
    current = inp.data.get("current_password")
    if current is None or current == "":
        inp.fail("current_password", f"your current password is needed to {purpose}")
    elif not isinstance(current, str) or not password_matches(current, user.password_hash):
        inp.fail("current_password", "not your current password")
