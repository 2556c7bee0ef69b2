"""Reading untrusted input: the rules every declared type applies (`clean_text`, ASCII digits,
ids a column can hold), and `validated`, which reads a JSON body, a form or a query string with a
declared model and reports every bad field at once, in the portal's words."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any, NoReturn, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from werkzeug.routing import IntegerConverter

from marketplace.errors import FieldErrors, ValidationFailed

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_ID = 2**31 - 1  # the id columns are INTEGER: PostgreSQL's is 32 bits
# English, as callers and tests compare it; `shown` reads it in the request's language.
REQUIRED = "this field is required"


class Invalid(ValueError):
    """Raised by a field check; the message is shown to the user as is."""


def shown(message: str) -> str:
    """A refusal's message as the person reads it: REQUIRED in their language, any other
    message as given (already translated where it was made)."""
    return _(REQUIRED) if message == REQUIRED else str(message)


def whole_number(raw: str) -> int | None:
    """A number written with ASCII digits only: str.isdigit() also accepts '²' and '١٢', which
    int() then refuses or reads, and a thousand digits would be a slow int()."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def record_id(raw: str) -> int | None:
    """An id from a query string or a form: ASCII digits from 1 to MAX_ID, else None (no row
    can have it; a larger one would overflow the database driver)."""
    number = whole_number(raw)
    return number if number is not None and 1 <= number <= MAX_ID else None


def _digits_at_most(limit: int) -> str:
    """A regular expression for the ASCII decimals from 0 to `limit`: the shorter ones, and for
    each digit of `limit`, its prefix, a smaller digit there, then any digits."""
    digits = str(limit)
    options = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for position, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - position - 1
            options.append(
                f"{digits[:position]}[0-{int(digit) - 1}]" + f"[0-9]{{{rest}}}" * (rest > 0)
            )
    options.append(digits)
    return f"(?:{'|'.join(options)})"


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: ASCII digits only (werkzeug's \\d also reads '١٢') up to MAX_ID, so
    an id no column can hold is not found, not an overflow in the database driver. The bound is
    in the pattern: a value refused later, by to_python, would be a 405 where another rule has
    the same path with other methods."""

    regex = _digits_at_most(MAX_ID)


# Bidirectional embeddings, overrides and isolates (and the marks): they reorder how the text
# around them is shown, so "Trusted Co\u202e" can read as something else in a listing or a log.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The control characters (Unicode's category Cc is exactly these ranges), but for tab and line
# breaks. Searched as patterns, not character by character: every enquiry's message comes here.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What renders as nothing: format characters (ZWJ and ZWNJ among them, which Indic scripts need
# between visible letters, so they are allowed there), separators, combining marks on nothing,
# and the fillers that Unicode classes as letters.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc", "Mn", "Me"})
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _visible(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _FILLERS


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Normalise Unicode, refuse control and bidirectional override characters and text with
    nothing visible in it; fold white space unless multiline."""
    value = unicodedata.normalize("NFC", value)
    if _CONTROLS.search(value):
        raise Invalid(_("must not contain control characters"))
    if _BIDI_CONTROLS.search(value):
        raise Invalid(_("must not contain text-direction control characters"))
    if value and not any(_visible(char) for char in value):
        raise Invalid(_("must contain visible characters"))
    return value.strip().replace("\r\n", "\n") if multiline else " ".join(value.split())


def parse_day(raw: Any, *, earliest: date, latest: date) -> date:
    """A day written YYYY-MM-DD within [earliest, latest] (the bounds keep day arithmetic away
    from date.min and date.max)."""
    try:
        if not isinstance(raw, str) or len(raw) != 10:
            raise ValueError
        value = date.fromisoformat(raw)
    except ValueError:
        raise Invalid(_("must be a date written YYYY-MM-DD")) from None
    if not earliest <= value <= latest:
        raise Invalid(
            _(
                "must be between %(low)s and %(high)s",
                low=earliest.isoformat(),
                high=latest.isoformat(),
            )
        )
    return value


def day_or_none(raw: Any, *, earliest: date, latest: date) -> date | None:
    """A filter's day, or None when it is absent or cannot be read (a hand-edited URL shows the
    unfiltered list rather than an error)."""
    try:
        return parse_day(raw, earliest=earliest, latest=latest) if raw else None
    except Invalid:
        return None


# What pydantic's own checks say, in the portal's words (the declared types in `fields` speak
# for themselves; these are the shapes around them: a missing field, a list, a nested object).
# Lazy: read in the language of the request that is refused.
_MESSAGES = {
    "missing": _l("this field is required"),  # REQUIRED, marked for the catalogue
    "model_type": _l("must be an object"),
    "model_attributes_type": _l("must be an object"),
    "dict_type": _l("must be an object"),
    "typed_dict_type": _l("must be an object"),
    "list_type": _l("must be a list"),
    "string_type": _l("must be a string"),
    "int_type": _l("must be a whole number"),
    "int_parsing": _l("must be a whole number"),
    "int_from_float": _l("must be a whole number"),
    "bool_type": _l("must be true or false"),
    "bool_parsing": _l("must be true or false"),
    "too_long": _l("has too many items"),
    "extra_forbidden": _l("this field cannot be set here"),
}
_OBJECTS = {"model_type", "model_attributes_type", "dict_type", "typed_dict_type"}


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A pydantic refusal as the portal's field errors: {"address.pincode": ["..."]}."""
    errors = FieldErrors()
    for line in error.errors(include_url=False, include_context=True, include_input=False):
        # A refused key of an object is named as the key itself ("specifications.Grade").
        field = ".".join(str(part) for part in line["loc"] if part != "[key]") or "body"
        kind = line["type"]
        if kind == "invalid":  # fields.refuse: the portal's own message, already translated
            message = line["msg"]
        elif kind in {"literal_error", "enum"}:
            options = str(line["ctx"]["expected"]).replace("'", "")
            message = _("must be one of: %(options)s", options=options)
        elif field == "body" and kind in _OBJECTS:
            message = _("must be a JSON object")
        elif kind in _MESSAGES:
            message = str(_MESSAGES[kind])
        else:  # pydantic's own words, in English: a shape the portal has no message for
            message = line["msg"][:1].lower() + line["msg"][1:]
        errors.add(field, message)
    return errors.errors


def validated(model: type[ModelT], data: Any) -> ModelT:
    """`data` (a JSON body, a form's values, a query string) read by a declared model, or
    ValidationFailed naming every bad field at once."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(field_errors(error)) from None


def refuse_field(field: str, message: str) -> NoReturn:
    """A refusal that needs more than one field to see (a range, a total): in a model's own
    after-validator, which runs once each field has passed."""
    raise ValidationFailed({field: [shown(message)]})
