"""The portal's own rules as reusable pydantic types: what a declared request model is made of.

Each type reads untrusted input the way the portal always has (`validation.clean_text`, ASCII
digits only, rupees with paise at most) and says what is wrong in the portal's words, so a model
built from them refuses bad input with the messages people already see. A blank value ("", only
spaces, or null) is absence: an optional field reads it as None, a required one says "this field
is required". Each type also says what it accepts in the OpenAPI document.

    class EnquiryIn(BaseModel):
        product_id: RecordId
        message: Text(max_length=2000, multiline=True)
        city: Text(max_length=100, required=False) = None
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Generic, TypeVar

from flask_babel import gettext as _
from pydantic import BaseModel, Field, PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic reads typing's own only from 3.12

from marketplace.db import IST
from marketplace.validation import MAX_ID, REQUIRED, Invalid, clean_text, shown, whole_number

ItemT = TypeVar("ItemT")


def refuse(message: str) -> PydanticCustomError:
    """A refusal in the portal's words, shown as is (pydantic adds nothing to it)."""
    return PydanticCustomError("invalid", shown(message))


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _reader(read: Callable[[Any], Any], *, required: bool) -> Callable[[Any], Any]:
    def validate(raw: Any) -> Any:
        if _blank(raw):
            if required:
                raise refuse(REQUIRED)
            return None
        try:
            return read(raw)
        except Invalid as error:
            raise refuse(str(error)) from None

    return validate


def _nullable(schema: dict[str, Any], required: bool) -> dict[str, Any]:
    if required:
        return schema
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def checked(
    read: Callable[[Any], Any], schema: dict[str, Any], *, python: type = str, required: bool = True
) -> Any:
    """A field read by `read` (which raises validation.Invalid with the message to show)."""
    return Annotated[
        python if required else python | None,  # type: ignore[operator]
        PlainValidator(_reader(read, required=required)),
        WithJsonSchema(_nullable(schema, required)),
    ]


def Text(
    *,
    max_length: int = 200,
    min_length: int = 1,
    multiline: bool = False,
    required: bool = True,
    check: Callable[[str], Any] | None = None,
    description: str | None = None,
) -> Any:
    """Visible text: Unicode normalised, no control or text-direction characters, white space
    folded unless multiline, then `check` (which may return another value, a State say)."""

    def read(raw: Any) -> Any:
        if not isinstance(raw, str):
            raise Invalid(_("must be a string"))
        value = clean_text(raw, multiline=multiline)
        if len(value) < min_length:
            raise Invalid(_("must be at least %(count)s characters", count=min_length))
        if len(value) > max_length:
            raise Invalid(_("must be at most %(count)s characters", count=max_length))
        return check(value) if check else value

    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if min_length > 1:
        schema["minLength"] = min_length
    if description:
        schema["description"] = description
    return checked(read, schema, required=required)


def WholeNumber(
    *, minimum: int = 0, maximum: int = 10**9, required: bool = True, description: str = ""
) -> Any:
    """A whole number, as a JSON number or written in ASCII digits (a form or a query)."""

    def read(raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise Invalid(_("must be a whole number"))
        value = raw if isinstance(raw, int) else whole_number(raw.strip())
        if value is None:  # int() would also read '١٢' and ' 1_0 '
            raise Invalid(_("must be a whole number"))
        if not minimum <= value <= maximum:
            raise Invalid(_("must be between %(low)s and %(high)s", low=minimum, high=maximum))
        return value

    schema: dict[str, Any] = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if description:
        schema["description"] = description
    return checked(read, schema, python=int, required=required)


RecordId = WholeNumber(minimum=1, maximum=MAX_ID)
OptionalRecordId = WholeNumber(minimum=1, maximum=MAX_ID, required=False)

_TRUE = frozenset({"true", "on", "1", "y", "yes"})
_FALSE = frozenset({"false", "off", "0", "n", "no", ""})


def _flag(raw: Any) -> bool:
    if raw is None:
        return False  # a box left unticked
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in _TRUE:
        return True  # an HTML checkbox, a query string
    if isinstance(raw, str) and raw.lower() in _FALSE:
        return False
    raise refuse(_("must be yes or no (true or false)"))


Flag = Annotated[bool, PlainValidator(_flag), WithJsonSchema({"type": "boolean"})]


def _required_flag(raw: Any) -> bool:
    if raw is None:
        raise refuse(REQUIRED)  # a decision, not a box that may be left unticked
    return _flag(raw)


RequiredFlag = Annotated[bool, PlainValidator(_required_flag), WithJsonSchema({"type": "boolean"})]


def Money(
    *,
    maximum: Decimal = Decimal("1000000000"),
    above_zero: bool = False,
    required: bool = True,
    description: str = "rupees",
) -> Any:
    """Rupees as a decimal string (or a JSON number), at most two decimal places."""

    def read(raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
            raise Invalid(_('must be an amount in rupees, e.g. "1250.00"'))
        try:
            value = Decimal(str(raw).replace(",", "").strip())
        except InvalidOperation:
            raise Invalid(_('must be an amount in rupees, e.g. "1250.00"')) from None
        if not value.is_finite() or value < 0:
            raise Invalid(_("must be zero or more"))
        if value > maximum:
            raise Invalid(_("must be at most %(maximum)s", maximum=maximum))
        if value != value.quantize(Decimal("0.01")):
            raise Invalid(_("must have at most two decimal places (paise)"))
        if above_zero and value == 0:
            raise Invalid(_("must be more than zero"))
        return value.quantize(Decimal("0.01"))

    schema = {"type": ["string", "number"], "description": description}
    return checked(read, schema, python=Decimal, required=required)


def Choice(values: Iterable[str], *, required: bool = True, description: str = "") -> Any:
    """One of a fixed set of words (a status, a role, a sort order)."""
    options = tuple(str(value) for value in values)

    def read(raw: Any) -> str:
        if raw not in options:
            raise Invalid(_("must be one of: %(options)s", options=", ".join(options)))
        return str(raw)

    schema: dict[str, Any] = {"type": "string", "enum": list(options)}
    if description:
        schema["description"] = description
    return checked(read, schema, required=required)


# --- what responses are made of -------------------------------------------------------------


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# A moment as the API has always written it: ISO 8601 in UTC, to the second ("...T10:15:00Z").
Timestamp = Annotated[
    datetime,
    PlainSerializer(_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
MaybeTimestamp = Annotated[
    datetime | None,
    PlainSerializer(lambda value: None if value is None else _utc(value), return_type=str | None),
    WithJsonSchema({"type": ["string", "null"], "format": "date-time"}),
]
# Money out: a decimal string in rupees with its paise ("1250.00"), never a float.
Rupees = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "description": "rupees"}),
]


class Page(TypedDict, Generic[ItemT]):
    """One page of a list: `?page=1&per_page=20` (at most 100)."""

    items: list[ItemT]
    total: int
    page: int
    per_page: int


def _page_number(maximum: int) -> Any:
    def read(raw: Any) -> int:
        number = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if isinstance(raw, str):
            number = whole_number(raw)
        if number is None or not 1 <= number <= maximum:
            raise Invalid(_("must be a whole number from 1 to %(maximum)s", maximum=maximum))
        return number

    return checked(read, {"type": "integer", "minimum": 1, "maximum": maximum}, python=int)


class PageQuery(BaseModel):
    """`?page=1&per_page=20`: which page of a list, at most 100 items a page."""

    page: _page_number(10_000) = Field(1, json_schema_extra={"default": 1})
    per_page: _page_number(100) = Field(20, json_schema_extra={"default": 20})

    def answer(self, items: list[Any], total: int) -> dict[str, Any]:
        """This page of a list, in the envelope every list answers (`Page`)."""
        return {"items": items, "total": total, "page": self.page, "per_page": self.per_page}


def _ist(value: datetime) -> str:
    return value.astimezone(IST).isoformat(timespec="seconds")


# A moment as a person in India reads it, with its offset ("2026-12-06T10:15:00+05:30"): for
# fields that speak of a day's business hours (a follow-up, an office's deadline).
IstTimestamp = Annotated[
    datetime,
    PlainSerializer(_ist, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "in IST (+05:30)"}),
]
