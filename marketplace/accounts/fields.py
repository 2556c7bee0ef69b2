"""India's identifiers as declared types, read by the checks in `identity` (python-stdnum,
phonenumbers, email-validator), for the models of every domain that takes them."""

from __future__ import annotations

from typing import Any

from marketplace.accounts.identity import (
    check_email,
    check_gstin,
    check_mobile,
    check_pan,
    check_pincode,
    check_state,
)
from marketplace.accounts.india import STATES, State
from marketplace.fields import checked
from marketplace.validation import Invalid


def _string(check: Any) -> Any:
    """`check` on a string (the checks take str; a number or a list is refused first)."""

    def read(raw: Any) -> Any:
        if not isinstance(raw, str):
            raise Invalid("must be a string")
        return check(raw.strip())

    return read


def Gstin(*, required: bool = True) -> Any:
    """A GSTIN: 15 characters, a real state code, the holder's PAN and the check character;
    spaces and dashes are dropped and it is upper-cased."""
    schema = {"type": "string", "description": "15 characters, e.g. 27AAPFU0939F1ZV"}
    return checked(_string(check_gstin), schema, required=required)


def Pan(*, required: bool = True) -> Any:
    schema = {"type": "string", "description": "10 characters, e.g. AAPFU0939F"}
    return checked(_string(check_pan), schema, required=required)


def IndianMobile(*, required: bool = True) -> Any:
    """An Indian mobile number in any common writing (+91 98765 43210, 09876543210), read as
    E.164 (+919876543210)."""
    schema = {"type": "string", "description": "an Indian mobile number; +91 optional"}
    return checked(_string(check_mobile), schema, required=required)


def Email(*, required: bool = True) -> Any:
    schema = {"type": "string", "format": "email", "maxLength": 254}
    return checked(_string(check_email), schema, required=required)


def Pincode(*, required: bool = True) -> Any:
    schema = {"type": "string", "pattern": "^[1-9][0-9]{5}$"}
    return checked(_string(check_pincode), schema, required=required)


def IndianState(*, required: bool = True) -> Any:
    """A state or union territory by its name, ISO code (MH) or GST code (27): a `State`."""
    schema = {
        "type": "string",
        "description": "Name, ISO code (MH) or GST code (27)",
        "examples": [state.name for state in STATES[:3]],
    }
    return checked(_string(check_state), schema, python=State, required=required)
