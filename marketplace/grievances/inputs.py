"""What people send the grievance desk, as declared models read by the API and the desk's pages
alike: a complaint (a signed-in person's or a guest's), the guest's code, the officer's work on
a complaint, an appeal, a breach and its changes, the grievance list's filters and the
compliance report's period. Rules that need the database (a related record exists, a status
may follow another) stay in the services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from marketplace.accounts import identity
from marketplace.db import IST
from marketplace.fields import (
    Choice,
    OptionalRecordId,
    PageQuery,
    Text,
    WholeNumber,
    checked,
    refuse,
)
from marketplace.grievances import moments
from marketplace.grievances.filters import GrievanceFilter
from marketplace.grievances.models import BreachStatus, Category, RelatedKind, Status
from marketplace.validation import MAX_ID, Invalid, clean_text, parse_day, refuse_field

# --- a complaint -------------------------------------------------------------------------------

_RELATED_KEYS = tuple(f"{kind}_id" for kind in RelatedKind)


def _one_related(raw: Any) -> Any:
    """Only the record named is read; naming two is refused, and so is null (the document says
    an object: a complaint about no record leaves `related` out)."""
    if raw is None:
        raise refuse(_("must be an object (leave it out when the complaint is about no record)"))
    if not isinstance(raw, Mapping):
        return raw  # refused as "must be an object"
    given = [key for key in _RELATED_KEYS if raw.get(key) not in (None, "")]
    if len(given) > 1:
        raise refuse(_("name one of product_id, lead_id or order_id"))
    return {key: raw[key] for key in given}


class RelatedIn(BaseModel):
    """The record a complaint is about: one product, or one of one's own leads or orders."""

    model_config = ConfigDict(title="RelatedRecord")

    product_id: OptionalRecordId = None
    lead_id: OptionalRecordId = None
    order_id: OptionalRecordId = None

    def named(self) -> tuple[RelatedKind, int] | None:
        for kind in RelatedKind:
            number = getattr(self, f"{kind}_id")
            if number is not None:
                return kind, number
        return None


_ID = {"type": "integer", "minimum": 1}
_RELATED_SCHEMA = {
    "type": "object",
    "description": "at most one of product_id, lead_id (one's own) or order_id (one's own)",
    "properties": dict.fromkeys(_RELATED_KEYS, _ID),
}


class GrievanceIn(BaseModel):
    """A complaint: what it is about and what happened."""

    model_config = ConfigDict(title="Complaint")

    category: Choice(Category)
    subject: Text(min_length=4, max_length=200)
    description: Text(min_length=10, max_length=8000, multiline=True)
    related: Annotated[
        RelatedIn | None, BeforeValidator(_one_related), WithJsonSchema(_RELATED_SCHEMA)
    ] = None

    def stored(self) -> dict[str, Any]:
        """The complaint as a guest's draft keeps it until the code comes back."""
        return self.model_dump(
            include={"category", "subject", "description", "related"}, exclude_none=True
        )


def _guests_only(schema: dict[str, Any]) -> None:
    # One body for both callers: a signed-in person's name and address come with the account.
    schema["required"] = ["category", "subject", "description"]


class GuestGrievanceIn(GrievanceIn):
    """A guest's complaint: also who they are, and the address the code is mailed to."""

    model_config = ConfigDict(title="GrievanceInput", json_schema_extra=_guests_only)

    name: Text(min_length=2, max_length=100, description="a guest (no token) only")
    email: Text(
        max_length=254,
        check=identity.check_email,
        description="a guest (no token) only: gets a code",
    )


class GuestCodeIn(BaseModel):
    """The one-time code mailed to a guest."""

    model_config = ConfigDict(title="GuestComplaintCode")

    code: Text(max_length=12)


# --- the officer's work and the complainant's appeal --------------------------------------------

_WORK_FIELDS = frozenset({"status", "response", "note", "assigned_to"})


class GrievanceChange(BaseModel):
    """The officer's work on a complaint: only the fields given change."""

    model_config = ConfigDict(title="GrievanceChange")

    status: Choice(
        Status,
        required=False,
        description="received → acknowledged → in_review → resolved | rejected → closed; "
        "resolved and rejected need a response",
    ) = None
    response: Text(
        max_length=8000,
        multiline=True,
        required=False,
        description="shown and mailed to the complainant",
    ) = None
    note: Text(
        max_length=8000, multiline=True, required=False, description="internal: officers only"
    ) = None
    assigned_to: WholeNumber(
        minimum=1, maximum=MAX_ID, required=False, description="an officer's user id"
    ) = None

    @model_validator(mode="after")
    def _something(self) -> GrievanceChange:
        if not self.model_fields_set & _WORK_FIELDS:
            refuse_field("status", "send a status, a response, a note or assigned_to")
        return self

    @property
    def assigns(self) -> bool:
        """Whether the assignee is named (null or empty: nobody)."""
        return "assigned_to" in self.model_fields_set


class AppealIn(BaseModel):
    model_config = ConfigDict(title="Appeal")

    reason: Text(min_length=10, max_length=8000, multiline=True)


# --- the breach register ------------------------------------------------------------------------

_MOMENT_EXAMPLE = _l("must be a date and time, e.g. 2026-11-22T10:15:00Z")


def _past_moment(raw: Any) -> datetime:
    """A moment up to now (five minutes' grace); one without a zone is India's (the page's)."""
    if not isinstance(raw, str) or len(raw) > 40:
        raise Invalid(str(_MOMENT_EXAMPLE))
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(str(_MOMENT_EXAMPLE)) from None
    if moment.year < moments.EARLIEST_DAY.year:  # checked first: year 1 cannot be moved to UTC
        raise Invalid(_("must be after 2000"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=IST)
    now = moments.given_or_now(None)
    if moment.date() > now.date() + timedelta(days=1):  # before converting: year 9999 cannot
        raise Invalid(_("must not be in the future"))
    moment = moment.astimezone(UTC)
    if moment > now + timedelta(minutes=5):
        raise Invalid(_("must not be in the future"))
    return moment


def PastMoment(description: str = "") -> Any:
    schema: dict[str, Any] = {"type": "string", "format": "date-time"}
    if description:
        schema["description"] = description
    return checked(_past_moment, schema, python=datetime)


def _data_list(raw: Any) -> list[str]:
    """Kinds of data: a list, or a textarea's lines (or commas)."""
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", "\n").splitlines() if part.strip()]
    if raw in (None, []):
        raise refuse(_("name at least one kind of data"))
    if not isinstance(raw, list) or len(raw) > 50:
        raise refuse(_("must be a list of at most 50 strings"))
    values = []
    for item in raw:
        try:
            if not isinstance(item, str) or not item.strip():
                raise Invalid("")
            value = clean_text(item)
            if len(value) > 100:
                raise Invalid("")
        except Invalid:
            raise refuse(_("each entry must be text of at most 100 characters")) from None
        values.append(value)
    return values


DataAffected = Annotated[
    list[str] | None,
    PlainValidator(_data_list),
    WithJsonSchema({"type": "array", "items": {"type": "string", "maxLength": 100}, "minItems": 1}),
]


def _email_list(raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]
    if not isinstance(raw, list) or not raw or len(raw) > 10_000:
        raise refuse(_("must be a list of email addresses"))
    emails = []
    for entry in raw:
        try:
            if not isinstance(entry, str):
                raise Invalid("")
            emails.append(identity.check_email(entry.strip()))
        except Invalid:
            raise refuse(_("not an email address: %(entry)s", entry=str(entry)[:60])) from None
    return emails


EmailList = Annotated[
    list[str] | None,
    PlainValidator(_email_list),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string"},
            "description": "mail each affected person what DPDP Rules 2025 r.7(1) requires",
        }
    ),
]

_LONG_TEXT = {"max_length": 8000, "multiline": True}


class BreachIn(BaseModel):
    """A personal-data breach as first recorded."""

    model_config = ConfigDict(title="BreachInput")

    detected_at: PastMoment("not in the future")
    nature: Text(min_length=10, **_LONG_TEXT)
    data_affected: DataAffected = Field(None, validate_default=True)
    users_affected: WholeNumber(minimum=0, maximum=10**9)
    measures: Text(required=False, **_LONG_TEXT) = None
    consequences: Text(required=False, description="told to affected users", **_LONG_TEXT) = None
    user_safety_steps: Text(required=False, description="told to affected users", **_LONG_TEXT) = (
        None
    )
    occurred_at: PastMoment("when it began, told to affected users") = None
    occurred_where: Text(required=False, description="told to affected users", **_LONG_TEXT) = None
    extent: Text(required=False, description="told to affected users", **_LONG_TEXT) = None


_EMPTIABLE = {"measures", "consequences", "user_safety_steps", "occurred_where", "extent"}


class BreachChange(BaseModel):
    """Notices recorded, details changed, people notified, or the breach closed: only the
    fields given change, each checked as when recorded."""

    model_config = ConfigDict(title="BreachChange")

    board_intimated_at: PastMoment() = None
    board_report_at: PastMoment("the detailed report (72 hours)") = None
    nature: Text(min_length=10, **_LONG_TEXT) = None
    measures: Text(required=False, **_LONG_TEXT) = None
    consequences: Text(required=False, **_LONG_TEXT) = None
    user_safety_steps: Text(required=False, **_LONG_TEXT) = None
    occurred_at: PastMoment() = None
    occurred_where: Text(required=False, **_LONG_TEXT) = None
    extent: Text(required=False, **_LONG_TEXT) = None
    data_affected: DataAffected = None
    users_affected: WholeNumber(minimum=0, maximum=10**9) = None
    notify_emails: EmailList = None
    status: Choice(BreachStatus, required=False) = None

    def changes(self) -> dict[str, Any]:
        """The breach's columns this change sets (an emptied text is "")."""
        named = self.model_fields_set - {"notify_emails", "status"}
        return {
            field: ("" if getattr(self, field) is None else getattr(self, field))
            if field in _EMPTIABLE
            else getattr(self, field)
            for field in sorted(named)
        }


# --- the desk's filters and the report's period -------------------------------------------------


def _maybe_flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in {"true", "on", "1", "y", "yes"}:
        return True
    if isinstance(raw, str) and raw.lower() in {"false", "off", "0", "n", "no"}:
        return False
    raise Invalid(_("must be true or false"))


class GrievanceFilterIn(BaseModel):
    """The grievance list's filters (the API's query and the desk page's)."""

    status: Choice(Status, required=False) = None
    overdue: checked(_maybe_flag, {"type": "boolean"}, python=bool, required=False) = None
    category: Choice(Category, required=False) = None
    q: Text(max_length=100, required=False, description="reference, subject or complainant") = None
    assigned_to: OptionalRecordId = None

    def chosen(self) -> GrievanceFilter:
        return GrievanceFilter(
            status=Status(self.status) if self.status else None,
            overdue=self.overdue,
            category=Category(self.category) if self.category else None,
            q=self.q,
            assigned_to_id=self.assigned_to,
        )


class GrievancesQuery(GrievanceFilterIn, PageQuery):
    """`GET /grievances`: the filters and the page."""


def _day(raw: Any) -> date:
    """A day in India written YYYY-MM-DD, from 2000 to today."""
    return parse_day(raw, earliest=moments.EARLIEST_DAY, latest=moments.today_in_india())


def _Day(description: str) -> Any:
    return checked(
        _day,
        {"type": "string", "format": "date", "description": description},
        python=date,
        required=False,
    )


def _report_format(raw: Any) -> str:
    if raw not in ("json", "csv"):
        raise Invalid(_("must be json or csv"))
    return str(raw)


class ReportPeriod(BaseModel):
    """The compliance report's period: days in India, both included; the last 30 by default."""

    model_config = ConfigDict(populate_by_name=True)

    start: _Day("first day (India)") = Field(None, alias="from")
    end: _Day("last day (India)") = Field(None, alias="to")

    @model_validator(mode="after")
    def _in_order(self) -> ReportPeriod:
        start, end = self.bounds()
        if start > end:
            refuse_field("to", "must not be before 'from'")
        if (end - start).days > 3660:
            refuse_field("from", "a period of at most ten years")
        return self

    def bounds(self) -> tuple[date, date]:
        today = moments.today_in_india()
        return self.start or today - timedelta(days=29), self.end or today


class ReportQuery(ReportPeriod):
    """`GET /grievances/report`: the period, and JSON or CSV."""

    format: checked(_report_format, {"type": "string", "enum": ["json", "csv"]}, required=False) = (
        None
    )
