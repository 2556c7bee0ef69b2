"""What people send about their privacy, as declared models read by the API and the settings
pages alike: a consent, a privacy request, the officer's decision, a report of a child's account,
and the officer's queries. Rules that need the account (a supplier's fields, the password) stay in
the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from marketplace.fields import REQUIRED, PageQuery, RecordId, Text, checked, refuse
from marketplace.privacy import purposes
from marketplace.privacy.models import RequestStatus, RequestType
from marketplace.privacy.workflow import CORRECTABLE_FIELDS
from marketplace.validation import Invalid, clean_text, record_id, refuse_field


def _one_of(values: list[str]) -> str:
    return _("must be one of %(choices)s", choices=", ".join(values))


def Stated(read: Callable[[Any], Any], schema: dict[str, Any]) -> Any:
    """A field whose own words say what is wrong when it is missing too (give it a default of
    None with validate_default, so that `read` sees a missing value as None)."""

    def validate(raw: Any) -> Any:
        try:
            return read(raw)
        except Invalid as error:
            raise refuse(str(error)) from None

    return Annotated[Any, PlainValidator(validate), WithJsonSchema(schema)]


def _granted(raw: Any) -> bool:
    if not isinstance(raw, bool):  # a JSON true or false: "no" is not a choice
        raise Invalid(_("must be true or false"))
    return raw


class ConsentIn(BaseModel):
    """Grant or withdraw one optional purpose."""

    model_config = ConfigDict(title="Consent", json_schema_extra={"required": ["granted"]})

    granted: Stated(_granted, {"type": "boolean"}) = Field(None, validate_default=True)


# --- a privacy request ------------------------------------------------------------------------

_TYPES = [kind.value for kind in RequestType]


def _request_type(raw: Any) -> RequestType:
    if isinstance(raw, str) and raw in _TYPES:
        return RequestType(raw)
    raise Invalid(_one_of(_TYPES))


def _password(raw: Any) -> str:
    if not isinstance(raw, str) or not raw:
        raise Invalid(_("your password is needed to confirm the request"))
    return raw


def _text(raw: Any, *, required: bool, max_length: int, multiline: bool) -> str | None:
    """Visible text as fields.Text reads it, when whether it is required depends on another
    field."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise refuse(REQUIRED)
        return None
    if not isinstance(raw, str):
        raise refuse(_("must be a string"))
    try:
        value = clean_text(raw, multiline=multiline)
    except Invalid as error:
        raise refuse(str(error)) from None
    if len(value) > max_length:
        raise refuse(_("must be at most %(count)s characters", count=max_length))
    return value


class PrivacyRequestIn(BaseModel):
    """A request about one's own data (DPDP Act 2023 ss.11-14). Which fields count depends on
    the type: an objection names a purpose, a correction a field and its value."""

    model_config = ConfigDict(
        title="PrivacyRequestInput", json_schema_extra={"required": ["type", "password"]}
    )

    type: Stated(_request_type, {"type": "string", "enum": _TYPES}) = Field(
        None, validate_default=True
    )
    password: Stated(_password, {"type": "string"}) = Field(None, validate_default=True)
    purpose: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "enum": list(purposes.BY_ID),
                "description": "an objection's purpose",
            }
        ),
    ] = Field(None, validate_default=True)
    reason: Annotated[str | None, WithJsonSchema({"type": "string", "maxLength": 2000})] = Field(
        None, validate_default=True
    )
    field: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "enum": list(CORRECTABLE_FIELDS),
                "description": "a correction's field",
            }
        ),
    ] = Field(None, validate_default=True)
    value: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "description": "a correction's requested value"}),
    ] = Field(None, validate_default=True)

    # Each reads only when the type (validated before it) asks for it.
    @field_validator("purpose", mode="plain")
    @classmethod
    def _purpose(cls, raw: Any, info: ValidationInfo) -> str | None:
        if info.data.get("type") != RequestType.OBJECTION:
            return None
        if not isinstance(raw, str) or raw not in purposes.BY_ID:
            raise refuse(_one_of(list(purposes.BY_ID)))
        return raw

    @field_validator("reason", mode="plain")
    @classmethod
    def _reason(cls, raw: Any, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if kind == RequestType.OBJECTION:
            # An objection to a purpose the service needs must say why.
            required = info.data.get("purpose") in purposes.REQUIRED
        elif kind in (RequestType.DELETION, RequestType.DEACTIVATION):
            required = False
        else:
            return None
        return _text(raw, required=required, max_length=2000, multiline=True)

    @field_validator("field", mode="plain")
    @classmethod
    def _field(cls, raw: Any, info: ValidationInfo) -> str | None:
        if info.data.get("type") != RequestType.CORRECTION:
            return None
        if not isinstance(raw, str) or raw not in CORRECTABLE_FIELDS:
            raise refuse(_one_of(list(CORRECTABLE_FIELDS)))
        return raw

    @field_validator("value", mode="plain")
    @classmethod
    def _value(cls, raw: Any, info: ValidationInfo) -> str | None:
        field = info.data.get("field")
        if info.data.get("type") != RequestType.CORRECTION or field is None:
            return None
        _owner, _attribute, length = CORRECTABLE_FIELDS[field]
        return _text(raw, required=True, max_length=length, multiline=False)

    def details(self) -> dict[str, Any]:
        """What the person states, as the request keeps it."""
        if self.type == RequestType.OBJECTION:
            stated = {"purpose": self.purpose, "reason": self.reason}
        elif self.type == RequestType.CORRECTION:
            stated = {"field": self.field, "value": self.value}
        else:
            stated = {"reason": self.reason}
        return {key: value for key, value in stated.items() if value}


# --- the officer's ------------------------------------------------------------------------------


def _decision(raw: Any) -> str:
    if raw not in ("approve", "deny"):
        raise Invalid(_("must be 'approve' or 'deny'"))
    return str(raw)


class DecisionIn(BaseModel):
    """The grievance officer's decision: a denial says why."""

    model_config = ConfigDict(title="Decision", json_schema_extra={"required": ["decision"]})

    decision: Stated(_decision, {"type": "string", "enum": ["approve", "deny"]}) = Field(
        None, validate_default=True
    )
    reason: Text(max_length=2000, multiline=True, required=False) = None

    @model_validator(mode="after")
    def _denial_says_why(self) -> DecisionIn:
        if self.decision == "deny" and self.reason is None:
            refuse_field("reason", REQUIRED)
        return self


class MinorReportIn(BaseModel):
    """An account reported as a child's."""

    model_config = ConfigDict(title="MinorReport")

    user_id: RecordId
    reason: Text(max_length=2000, multiline=True)


_STATUSES = [status.value for status in RequestStatus]


def _status(raw: str) -> str:
    if raw not in _STATUSES:
        raise Invalid(_one_of(_STATUSES))
    return raw


class PrivacyRequestsQuery(PageQuery):
    """`GET /privacy/requests`: a page, and for the officer a status."""

    status: checked(_status, {"type": "string", "enum": _STATUSES}, required=False) = None


def _subject(raw: Any) -> int:
    number = record_id(raw) if isinstance(raw, str) else None
    if number is None:
        raise Invalid(_("must be a user id"))
    return number


class ArchivesQuery(BaseModel):
    """`GET /privacy/archives?subject=<user id>`."""

    model_config = ConfigDict(json_schema_extra={"required": ["subject"]})

    subject: Stated(_subject, {"type": "integer", "minimum": 1, "description": "the user id"}) = (
        Field(None, validate_default=True)
    )
