"""Checks for the identifiers people and businesses register with.

Each function takes a value typed by a person, returns it normalised, or raises Invalid with a
message that says exactly what is wrong, so that the person can fix it.
"""

from __future__ import annotations

import re

import phonenumbers
import zxcvbn
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.in_ import pan as stdnum_pan

from marketplace.accounts.india import State, find_state, state_for_gst_code
from marketplace.accounts.passwords import is_published_password
from marketplace.validation import Invalid

_GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PAN_SHAPE = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")
_PINCODE = re.compile(r"^[1-9][0-9]{5}$")
_PAN_HOLDER_TYPES = "ABCFGHJLPTK"

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline attack"
# zxcvbn refuses to judge more than 72 characters (it raises). The first 72 of a longer password
# are judged: a passphrase whose first 72 characters are weak is weak however it goes on.
_ZXCVBN_MAX_LENGTH = 72


def normalise_gstin(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def check_pan(value: str) -> str:
    number = normalise_gstin(value)
    if len(number) != 10:
        raise Invalid(_("a PAN has 10 characters; this one has %(count)s", count=len(number)))
    if not _PAN_SHAPE.match(number):
        raise Invalid(_("a PAN is 5 letters, 4 digits and 1 letter, e.g. AAPFU0939F"))
    if number[3] not in _PAN_HOLDER_TYPES:
        raise Invalid(
            _(
                "the 4th character of a PAN is the holder type (%(types)s); '%(given)s' is not one",
                types=", ".join(_PAN_HOLDER_TYPES),
                given=number[3],
            )
        )
    try:
        return stdnum_pan.validate(number)
    except StdnumError:
        raise Invalid(_("the serial digits of a PAN cannot be 0000")) from None


def check_gstin(value: str) -> str:
    """Length, state code, embedded PAN, the fixed 'Z', and the Luhn mod 36 check character."""
    number = normalise_gstin(value)
    if len(number) != 15:
        raise Invalid(_("a GSTIN has 15 characters; this one has %(count)s", count=len(number)))
    if not number[:2].isdigit():
        raise Invalid(_("a GSTIN starts with the 2-digit state code, e.g. 27 for Maharashtra"))
    if state_for_gst_code(number[:2]) is None:
        raise Invalid(_("'%(code)s' is not a GST state code", code=number[:2]))
    try:
        check_pan(number[2:12])
    except Invalid as error:
        raise Invalid(
            _("characters 3 to 12 must be the holder's PAN: %(problem)s", problem=error)
        ) from None
    if number[12] == "0" or not number[12].isalnum():
        raise Invalid(_("the 13th character (the registration number) must be 1-9 or A-Z"))
    if number[13] != "Z":
        raise Invalid(_("the 14th character of a GSTIN is always 'Z'"))
    try:
        luhn.validate(number, _GSTIN_ALPHABET)
    except StdnumError:
        raise Invalid(
            _("the check character (the last one) does not match: please look for a typo")
        ) from None
    return number


def gstin_check_character(first_fourteen: str) -> str:
    """The check character that completes a GSTIN (used to make demo and test data)."""
    return luhn.calc_check_digit(first_fourteen, _GSTIN_ALPHABET)


def gstin_state(gstin: str) -> State:
    state = state_for_gst_code(gstin[:2])
    assert state is not None, "call check_gstin first"
    return state


def check_state(value: str) -> State:
    state = find_state(value)
    if state is None:
        raise Invalid(_("not an Indian state or union territory"))
    return state


def check_pincode(value: str) -> str:
    digits = value.replace(" ", "")
    if not _PINCODE.match(digits):
        raise Invalid(_("a PIN code is 6 digits and does not start with 0"))
    return digits


def check_pincode_in_state(pincode: str, state: State) -> None:
    if pincode[0] not in state.pincode_zones:
        zones = " or ".join(state.pincode_zones)
        raise Invalid(
            _(
                "PIN code %(pincode)s is not in %(state)s, whose PIN codes start with %(zones)s",
                pincode=pincode,
                state=state.name,
                zones=zones,
            )
        )


def check_email(value: str) -> str:
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(str(error)) from None
    return result.normalized.lower()


def check_mobile(value: str) -> str:
    """An Indian mobile number, returned in E.164 (+919876543210)."""
    example = _("enter a 10-digit Indian mobile number, e.g. +91 98765 43210")
    try:
        number = phonenumbers.parse(value, "IN")
    except phonenumbers.NumberParseException:
        raise Invalid(example) from None
    if number.country_code != 91:
        raise Invalid(_("must be an Indian number (+91)"))
    if not phonenumbers.is_valid_number(number):
        raise Invalid(example)
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise Invalid(_("must be a mobile number, so that it can receive an SMS"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_password(password: str, *, personal: list[str]) -> str:
    """Length, no personal details, not published, and not guessable (zxcvbn's common-password
    lists)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise Invalid(_("must be at least %(count)s characters", count=PASSWORD_MIN_LENGTH))
    if len(password) > PASSWORD_MAX_LENGTH:
        raise Invalid(_("must be at most %(count)s characters", count=PASSWORD_MAX_LENGTH))
    lowered = password.lower()
    for item in personal:
        item = item.lower()
        local = item.split("@")[0]
        if len(local) >= 4 and (local in lowered or item in lowered):
            raise Invalid(_("must not contain your email address, name or phone number"))
    if is_published_password(password):
        raise Invalid(_("is the demo accounts' published password: choose another one"))
    result = zxcvbn.zxcvbn(
        password[:_ZXCVBN_MAX_LENGTH],
        user_inputs=[item[:_ZXCVBN_MAX_LENGTH] for item in personal],
    )
    if result["score"] < PASSWORD_MIN_SCORE:
        feedback = result["feedback"]
        hint = feedback.get("warning") or _("it is too easy to guess")
        suggestions = " ".join(feedback.get("suggestions") or [])
        raise Invalid(
            _(
                "too weak: %(hint)s. %(suggestions)s",
                hint=hint.rstrip("."),
                suggestions=suggestions,
            ).strip()
        )
    return password
