"""What buyers and suppliers may send about leads: declared models for the API and the pages
alike (an enquiry, a guest's, a change to a lead, a message or quotation, a buy requirement,
the lead list's filters), with the fields leads share: quantities, units and days.

Rules that need the database (the product exists, it is not one's own) stay in the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, model_validator

from marketplace.accounts import identity
from marketplace.accounts.details import person_name
from marketplace.accounts.india import find_state
from marketplace.catalog.categories import categories
from marketplace.catalog.units import check_unit
from marketplace.db import IST, utcnow
from marketplace.fields import (
    REQUIRED,
    Flag,
    Money,
    OptionalRecordId,
    PageQuery,
    Text,
    WholeNumber,
    checked,
)
from marketplace.leads.models import LeadStatus, LeadType
from marketplace.legal_rules import ADULT_AGE
from marketplace.validation import Invalid, clean_text, parse_day, refuse_field

MAX_QUANTITY = Decimal("1000000000")
MAX_OPEN_DAYS = 30
FOLLOW_UP_HORIZON = timedelta(days=365)
QUOTE_VALIDITY_HORIZON = timedelta(days=365)


def today_in_india() -> date:
    return utcnow().astimezone(IST).date()


# --- the fields leads share --------------------------------------------------------------------


def _quantity(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise Invalid(_("must be a number, e.g. 500 or 2.5"))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise Invalid(_("must be a number, e.g. 500 or 2.5")) from None
    if not value.is_finite() or value <= 0:
        raise Invalid(_("must be more than zero"))
    if value > MAX_QUANTITY:
        raise Invalid(_("must be at most %(limit)s", limit=MAX_QUANTITY))
    if value != value.quantize(Decimal("0.001")):
        raise Invalid(_("must have at most three decimal places"))
    return value


def Quantity(*, required: bool = True) -> Any:
    """How much: more than zero, at most three decimal places (2.5 tonnes)."""
    schema = {"type": ["string", "number"], "description": "more than zero, e.g. 500 or 2.5"}
    return checked(_quantity, schema, python=Decimal, required=required)


def Unit(*, required: bool = True, description: str | None = None) -> Any:
    return Text(max_length=24, check=check_unit, required=required, description=description)


def Day(*, horizon: timedelta, required: bool = True, description: str = "") -> Any:
    """A day written YYYY-MM-DD from today (in India) to `horizon` ahead."""

    def read(raw: Any) -> date:
        today = today_in_india()
        return parse_day(raw, earliest=today, latest=today + horizon)

    schema = {"type": "string", "format": "date"}
    if description:
        schema["description"] = description
    return checked(read, schema, python=date, required=required)


def Word(choices: type[StrEnum], *, description: str = "") -> Any:
    """One of an enumeration's values (optional), as typed text: spaces around it are dropped."""
    allowed = [str(member) for member in choices]

    def read(raw: Any) -> Any:
        if not isinstance(raw, str):
            raise Invalid(_("must be a string"))
        value = clean_text(raw)
        if value not in allowed:
            raise Invalid(_("must be one of: %(choices)s", choices=", ".join(allowed)))
        return choices(value)

    schema: dict[str, Any] = {"type": "string", "enum": [*allowed, None]}
    if description:
        schema["description"] = description
    return checked(read, schema, python=choices, required=False)


def _moment(*, end: bool) -> Any:
    """An ISO 8601 time with its zone, or a date (a whole day in India: from its midnight, or
    up to the next midnight for the end of a range); read as UTC."""
    wrong = _l("must be an ISO 8601 time such as 2026-11-22T10:15:00Z, or a date")

    def read(raw: Any) -> datetime:
        if not isinstance(raw, str) or len(raw) > 40:
            raise Invalid(str(wrong))
        try:
            if len(raw) == 10:
                day = date.fromisoformat(raw) + timedelta(days=1 if end else 0)
                return datetime.combine(day, time.min, IST).astimezone(UTC)
            # A '+' in a query string arrives as a space: 10:15:00 05:30 is +05:30.
            value = datetime.fromisoformat(raw.replace(" ", "+", 1) if raw.count(" ") == 1 else raw)
        except ValueError:
            raise Invalid(str(wrong)) from None
        except OverflowError:  # 9999-12-31 and the day after, or before year 1 once in UTC
            raise Invalid(_("is out of range")) from None
        if value.tzinfo is None:
            raise Invalid(_("must say its time zone, e.g. 2026-11-22T10:15:00Z or +05:30"))
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise Invalid(_("is out of range")) from None

    return read


# --- enquiries ----------------------------------------------------------------------------------


class EnquiryIn(BaseModel):
    """A buyer's enquiry about a product, or (from a storefront) to a supplier."""

    model_config = ConfigDict(title="EnquiryInput")

    product_id: OptionalRecordId = Field(None, description="the product asked about")
    supplier_id: OptionalRecordId = Field(
        None,
        description="instead of product_id, from a storefront; beside it, the product's own "
        "supplier (any other is a 422)",
    )
    quantity: Quantity(required=False) = None
    unit: Unit(required=False, description="defaults to the product's unit") = None
    message: Text(min_length=4, max_length=4000, multiline=True)
    city: Text(min_length=2, max_length=100, required=False, description="the delivery city") = None

    @model_validator(mode="after")
    def _names_a_subject(self) -> Any:
        if self.product_id is None and self.supplier_id is None:
            refuse_field(
                "product_id", _("name the product (product_id) or the supplier (supplier_id)")
            )
        return self

    def enquiry_data(self) -> dict[str, Any]:
        """The enquiry as JSON, to be read again later (a guest's waits for its code)."""
        return {
            name: str(value) if isinstance(value, Decimal) else value
            for name in EnquiryIn.model_fields
            if (value := getattr(self, name)) is not None
        }


def Accepted(refusal: Any) -> Any:
    """A declaration that must be true (a ticked box): `refusal` says why when it is not."""

    def read(raw: Any) -> bool:
        word = raw.lower() if isinstance(raw, str) else None
        if raw is True or word in ("true", "on", "1", "y", "yes"):
            return True
        if raw is False or word in ("false", "off", "0", "n", "no"):
            raise Invalid(str(refusal))
        raise Invalid(_("must be true or false"))

    return checked(read, {"type": "boolean"}, python=bool)


class GuestEnquiryIn(EnquiryIn):
    """An enquiry from a visitor without an account: their contact, by the rules of
    registration, and the enquiry. A one-time code goes to the mobile."""

    model_config = ConfigDict(title="GuestEnquiryInput")

    name: Text(min_length=2, max_length=100, check=person_name)
    email: Text(max_length=254, check=identity.check_email)
    phone: Text(max_length=20, check=identity.check_mobile, description="an Indian mobile")
    age_confirmed: Accepted(_l("you must be %(age)s or older", age=ADULT_AGE))
    accept_terms: Accepted(_l("you must accept the terms of use and the privacy policy"))


class GuestCodeIn(BaseModel):
    model_config = ConfigDict(title="GuestEnquiryCode")

    code: Text(max_length=12, description="the 6 digits sent by SMS")


# --- the supplier's pipeline and the conversation ------------------------------------------------


class LeadChange(BaseModel):
    """Move a lead through the pipeline, add a note, set or clear (null) the follow-up date;
    only the fields given change."""

    model_config = ConfigDict(title="LeadChange", extra="forbid")

    status: Word(LeadStatus) = None
    note: Text(max_length=2000, multiline=True, required=False) = None
    follow_up_on: Day(horizon=FOLLOW_UP_HORIZON, required=False) = None
    # The owner or a manager gives the lead to another person of the business.
    assignee_id: Annotated[
        OptionalRecordId,
        Field(description="give the lead to this person (the owner, a manager or sales)"),
    ] = None

    @model_validator(mode="after")
    def _changes_something(self) -> Any:
        fields = (self.status, self.note, self.assignee_id)
        if not (any(fields) or "follow_up_on" in self.model_fields_set):
            refuse_field("body", _("send at least one of: status, note, follow_up_on, assignee_id"))
        return self


class QuotationIn(BaseModel):
    model_config = ConfigDict(title="QuotationInput")

    price: Money(above_zero=True, description="rupees per unit")
    quantity: Quantity()
    unit: Unit()
    valid_until: Day(horizon=QUOTE_VALIDITY_HORIZON)


class MessageIn(BaseModel):
    """A message to the other side: text, or (the supplier) a quotation with an optional note."""

    model_config = ConfigDict(title="MessageInput")

    text: Text(max_length=4000, multiline=True, required=False) = None
    quotation: QuotationIn | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Any:
        if self.quotation is None and self.text is None:
            refuse_field("text", REQUIRED)
        return self


# --- the lead list's filters ----------------------------------------------------------------


class LeadQuery(BaseModel):
    """The lead list's filters (the lead manager, its CSV export and the API's pull)."""

    status: Word(LeadStatus, description="spam is left out unless asked for") = None
    type: Word(LeadType) = None
    product_id: OptionalRecordId = None
    start_time: checked(
        _moment(end=False),
        {
            "type": "string",
            "description": "ISO 8601 with a zone (or a date: that day's midnight in India); "
            "default end_time - 7 days",
        },
        python=datetime,
        required=False,
    ) = None
    end_time: checked(
        _moment(end=True),
        {
            "type": "string",
            "description": "exclusive; default and at most 10 seconds ago; at most 7 days after "
            "start_time",
        },
        python=datetime,
        required=False,
    ) = None
    unread: Flag = False


class LeadPullQuery(LeadQuery, PageQuery):
    """The filters and a page of the API's pull."""


# --- buy requirements ---------------------------------------------------------------------------


def _state(value: str) -> str:
    state = find_state(value)
    if state is None:
        raise Invalid(_("must be an Indian state or union territory"))
    return state.name


def _category(value: str) -> str:
    if value not in categories():
        raise Invalid(_("must be a category slug, e.g. stainless-steel-pipes"))
    return value


class RequirementIn(BaseModel):
    """What a buyer needs: matched to the suppliers whose products fit best."""

    model_config = ConfigDict(title="RequirementInput")

    product_name: Text(min_length=3, max_length=200)
    description: Text(max_length=4000, multiline=True, required=False) = None
    category: Text(
        max_length=80, check=_category, required=False, description="a category slug"
    ) = None
    quantity: Quantity()
    unit: Unit()
    budget: Money(above_zero=True, required=False) = None
    city: Text(min_length=2, max_length=100)
    state: Text(max_length=64, check=_state, description="name, ISO or GST code")
    open_days: WholeNumber(minimum=1, maximum=MAX_OPEN_DAYS, required=False) = None
