"""What a person may send about their account: one declared model for each JSON operation and
the HTML form that feeds the same service, so that both refuse input for the same reasons.

Rules that need the database or the account (a duplicate email, the current password, the
GSTIN already on file) stay in the services; everything a request carries is checked here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from marketplace.accounts import identity
from marketplace.accounts.details import check_business_identity, person_name, personal_details
from marketplace.accounts.fields import Email, Gstin, IndianMobile, IndianState, Pan, Pincode
from marketplace.accounts.models import BUSINESS_TYPES, EMPLOYEE_BANDS, TURNOVER_BANDS, Role
from marketplace.accounts.policy import DEFAULT_KEY_SCOPES, SCOPE_LABELS, Scope
from marketplace.db import utcnow
from marketplace.errors import FieldErrors, ValidationFailed
from marketplace.fields import REQUIRED, Flag, PageQuery, Text, checked, refuse
from marketplace.legal_rules import ADULT_AGE
from marketplace.privacy import purposes
from marketplace.validation import (
    MAX_ID,
    Invalid,
    clean_text,
    record_id,
    refuse_field,
    whole_number,
)

# --- the types accounts are made of ----------------------------------------------------------


def _password(raw: Any) -> str:
    # Taken as typed: spaces count, and a password of spaces is too short, not absent.
    if raw is None or raw == "":
        raise refuse(REQUIRED)
    if not isinstance(raw, str):
        raise refuse("must be a string")
    return raw


def strong_password(password: str, known: Mapping[str, Any]) -> str:
    """For a model's password validator: `password` must not be guessable nor contain the
    details read before it (`known`: the email, name, mobile, company's name)."""
    personal = personal_details(
        known.get("email"), known.get("name"), known.get("phone"), known.get("company_name")
    )
    try:
        return identity.check_password(password, personal=personal)
    except Invalid as error:
        raise refuse(str(error)) from None


_PASSWORD_SCHEMA = {
    "type": "string",
    "minLength": identity.PASSWORD_MIN_LENGTH,
    "maxLength": identity.PASSWORD_MAX_LENGTH,
}
Password = Annotated[str, PlainValidator(_password), WithJsonSchema(_PASSWORD_SCHEMA)]

# Read by the service, which alone says what is wrong with it (a link's token, a password to
# compare): any value is taken, and documented as the string it should be.
Unchecked = Annotated[Any, WithJsonSchema({"type": "string"})]
# A new password for an existing account: its rules need the account (its email, name, mobile),
# so the service checks it, together with what else it checks first (the link, the current
# password), and names every bad field at once as it always has.
NewPassword = Annotated[Any, WithJsonSchema(_PASSWORD_SCHEMA)]


def _accepted(refusal: str) -> Any:
    """A declaration that must be true (a ticked box): `refusal` says why when it is not."""

    def read(raw: Any) -> bool:
        if raw is None:
            raise refuse(REQUIRED)
        if isinstance(raw, str) and raw.lower() in {"false", "off", "0", "n", "no", ""}:
            raw = False
        elif isinstance(raw, str) and raw.lower() in {"true", "on", "1", "y", "yes"}:
            raw = True
        if not isinstance(raw, bool):
            raise refuse("must be true or false")
        if not raw:
            raise refuse(refusal)
        return True

    return Annotated[bool, PlainValidator(read), WithJsonSchema({"const": True})]


def _refused_field(message: str) -> Any:
    """An extra field of a model: always refused, in the words of the operation."""

    def read(raw: Any) -> Any:
        raise refuse(message)

    return Annotated[Any, PlainValidator(read)]


def _one_of(options: Any) -> Any:
    def check(value: str) -> str:
        if value not in options:
            raise Invalid(f"must be one of: {', '.join(options)}")
        return value

    return check


def _role_choice(value: str) -> Role:
    if value not in (Role.BUYER, Role.SUPPLIER):
        raise Invalid("must be buyer or supplier")
    return Role(value)


def _year_established(raw: Any) -> int:
    # The bound moves with the calendar: read when the request is, not when the module is.
    latest = utcnow().year
    value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if isinstance(raw, str):
        value = whole_number(raw.strip())
    if value is None:
        raise Invalid("must be a whole number")
    if not 1800 <= value <= latest:
        raise Invalid(f"must be between 1800 and {latest}")
    return value


# --- an address --------------------------------------------------------------------------------


class BusinessAddressIn(BaseModel):
    """A business's registered address; the PIN code must lie in the state."""

    line1: Text(min_length=3, max_length=200)
    city: Text(min_length=2, max_length=100, check=person_name)
    state: IndianState()
    pincode: Pincode()

    @field_validator("pincode")
    @classmethod
    def _in_the_state(cls, pincode: str, info: ValidationInfo) -> str:
        state = info.data.get("state")
        if state is not None:
            try:
                identity.check_pincode_in_state(pincode, state)
            except Invalid as error:
                raise refuse(str(error)) from None
        return pincode


# --- consents ------------------------------------------------------------------------------------


def _optional_choice(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise refuse("must be true or false")
    return raw


def _required_choice(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise refuse("must be true or false")
    if not raw:
        raise refuse("needed to run your account; it is accepted with the terms")
    return raw


class _ConsentsBase(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})
    __pydantic_extra__: dict[
        str, _refused_field(f"unknown purpose; purposes are {', '.join(purposes.BY_ID)}")
    ]

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise refuse("must be an object of purpose ids to true or false")
        return data

    def choices(self) -> dict[str, bool]:
        """The optional purposes chosen; the required ones come with the terms."""
        return {
            purpose: granted
            for purpose in purposes.OPTIONAL
            if (granted := getattr(self, purpose)) is not None
        }


ConsentChoices = create_model(  # one field per purpose of the ledger
    "ConsentChoices",
    __base__=_ConsentsBase,
    **{
        purpose.id: (
            Annotated[
                bool | None,
                PlainValidator(_required_choice if purpose.required else _optional_choice),
                WithJsonSchema({"type": "boolean", "description": purpose.label}),
            ],
            None,
        )
        for purpose in purposes.PURPOSES
    },
)


# --- registration ------------------------------------------------------------------------------

_SUPPLIER_REQUIRED = frozenset({"company_name", "gstin", "address"})


class RegistrationIn(BaseModel):
    """A buyer or a supplier signing up. A supplier also gives its business (a buyer's business
    fields are ignored). The fields are read in order: the password last, so that it can be
    refused for containing the email, the name, the mobile or the company's name."""

    model_config = ConfigDict(title="Registration")

    role: Annotated[Text(check=_role_choice), WithJsonSchema({"enum": ["buyer", "supplier"]})]
    name: Text(min_length=2, max_length=100, check=person_name)
    email: Email()
    phone: IndianMobile()
    age_confirmed: _accepted(f"you must be {ADULT_AGE} or older to register")
    accept_terms: _accepted("you must accept the terms of use and the privacy policy")
    consents: Annotated[
        ConsentChoices,
        BeforeValidator(lambda raw: {} if raw is None else raw),
        Field(description="optional purposes default to false"),
    ] = Field(default_factory=ConsentChoices)
    company_name: Text(min_length=2, max_length=200, description="supplier only") = Field(
        None, validate_default=True
    )
    gstin: Gstin() = Field(None, validate_default=True)
    pan: Pan(required=False) = Field(
        None, description="supplier only, optional; the PAN inside the GSTIN"
    )
    address: BusinessAddressIn = Field(None, validate_default=True)
    password: Password

    @field_validator("company_name", "gstin", "pan", "address", mode="wrap")
    @classmethod
    def _supplier_only(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        if info.data.get("role") != Role.SUPPLIER:
            return None  # a buyer's business fields are not read
        if value is None and info.field_name in _SUPPLIER_REQUIRED:
            raise refuse(REQUIRED)
        value = handler(value)
        gstin = info.data.get("gstin")
        if info.field_name == "pan" and value and gstin and gstin[2:12] != value:
            raise refuse("does not match the PAN inside the GSTIN (its characters 3 to 12)")
        return value

    @field_validator("password")
    @classmethod
    def _strong(cls, password: str, info: ValidationInfo) -> str:
        return strong_password(password, info.data)

    @model_validator(mode="after")
    def _gstin_in_the_address_state(self) -> RegistrationIn:
        errors = FieldErrors()
        if self.address is not None:
            check_business_identity(errors, self.gstin, None, self.address.state)
        if errors:
            raise ValidationFailed(errors.errors)
        return self


# --- correcting one's own details ----------------------------------------------------------------

BUSINESS_PROFILE_FIELDS = (
    "business_type",
    "year_established",
    "employees",
    "turnover_band",
    "about",
)
SUPPLIER_FIELDS = frozenset({"company_name", "gstin", "pan", "address", *BUSINESS_PROFILE_FIELDS})


def _band(options: Any, max_length: int, description: str = "") -> Any:
    return Annotated[
        Text(max_length=max_length, required=False, check=_one_of(options)),
        WithJsonSchema(
            {"enum": [*options, None], **({"description": description} if description else {})}
        ),
    ]


class ProfileChange(BaseModel):
    """A correction of one's own details: only the fields given change, and each is checked as
    at registration. A changed email or phone needs the current password; the business's
    fields are a supplier's."""

    model_config = ConfigDict(
        title="ProfileChange", extra="allow", json_schema_extra={"additionalProperties": False}
    )
    __pydantic_extra__: dict[str, _refused_field("this field cannot be changed here")]

    name: Text(min_length=2, max_length=100, check=person_name) = None
    email: Email() = Field(
        None,
        description="takes effect once confirmed from the new inbox; the old one is told, "
        "with a link to undo",
    )
    phone: IndianMobile() = None
    current_password: Unchecked = Field(None, description="needed to change email or phone")
    company_name: Text(min_length=2, max_length=200) = None
    gstin: Gstin() = None
    pan: Pan() = None
    address: BusinessAddressIn = None
    # The storefront's business profile: an empty value clears one.
    business_type: _band(BUSINESS_TYPES, 24) = None
    year_established: checked(
        _year_established,
        {"type": ["integer", "null"], "minimum": 1800},
        python=int,
        required=False,
    ) = None
    employees: _band(EMPLOYEE_BANDS, 16) = None
    turnover_band: _band(TURNOVER_BANDS, 32, "annual turnover band") = None
    about: Text(max_length=3000, multiline=True, required=False) = None

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            refuse_field("body", "must be an object")
        return data

    @field_validator("address", mode="wrap")
    @classmethod
    def _given_whole(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if value is None:
            raise refuse(REQUIRED)
        return handler(value)

    def given(self) -> set[str]:
        """The fields this request names."""
        return set(self.model_fields_set) & set(type(self).model_fields)


# --- passwords, links, sign-in -------------------------------------------------------------------


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(
        title="PasswordChange",
        json_schema_extra={"required": ["current_password", "new_password"]},
    )

    current_password: Unchecked = None
    new_password: NewPassword = None
    revoke_integration_keys: Flag = Field(False, json_schema_extra={"default": False})


class PasswordResetIn(BaseModel):
    """Whatever email is sent, the answer is the same (nobody learns which emails have
    accounts); only a body that is not the documented one (no email, or not a string) is a 422,
    which says nothing about any account."""

    model_config = ConfigDict(title="PasswordResetRequest")

    email: Text(max_length=254)


class LinkTokenIn(BaseModel):
    """The token of an emailed link (its service says when it is missing or not valid)."""

    model_config = ConfigDict(title="LinkToken")

    token: Unchecked = None


class PasswordResetConfirmIn(LinkTokenIn):
    model_config = ConfigDict(
        title="PasswordResetConfirm", json_schema_extra={"required": ["token", "password"]}
    )

    password: NewPassword = None


class SignInIn(BaseModel):
    """Any email and password: a wrong one is a 401 like an unknown one, never a 422 that would
    say which of the two was wrong."""

    model_config = ConfigDict(title="SignIn")

    email: Unchecked = None
    password: Unchecked = None


# --- integration keys ----------------------------------------------------------------------------

_KNOWN_SCOPES = ", ".join(Scope)


def _key_name(raw: Any) -> str | None:
    if raw is None:
        raise refuse("must be a string (leave it out for the default name)")
    if not isinstance(raw, str):
        raise refuse("must be a string")
    if not raw.strip():
        return None
    try:
        value = clean_text(raw)
    except Invalid as error:
        raise refuse(str(error)) from None
    if len(value) > 100:
        raise refuse("must be at most 100 characters")
    return value


def _scopes(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not raw:
        raise refuse(f"must be a non-empty list of scopes: {_KNOWN_SCOPES}")
    scopes: list[str] = []
    for item in raw:
        if not isinstance(item, str) or item not in Scope.__members__.values():
            raise refuse(f"unknown scope {str(item)[:40]!r}; scopes are {_KNOWN_SCOPES}")
        if item not in scopes:
            scopes.append(item)
    return scopes


Scopes = Annotated[
    list[str],
    PlainValidator(_scopes),
    WithJsonSchema(
        {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": [str(scope) for scope in Scope]},
            "default": [str(scope) for scope in DEFAULT_KEY_SCOPES],
            "description": "; ".join(f"{scope}: {label}" for scope, label in SCOPE_LABELS.items()),
        }
    ),
]


class IntegrationKeyIn(BaseModel):
    model_config = ConfigDict(
        title="IntegrationKeyInput",
        extra="allow",
        json_schema_extra={"additionalProperties": False},
    )
    __pydantic_extra__: dict[str, _refused_field("unknown field; a key takes name and scopes")]

    name: Annotated[
        str | None,
        PlainValidator(_key_name),
        WithJsonSchema(
            {"type": "string", "maxLength": 100, "description": "'Integration key' if left out"}
        ),
    ] = None
    scopes: Scopes = Field(default_factory=lambda: [str(scope) for scope in DEFAULT_KEY_SCOPES])


# --- the audit log ----------------------------------------------------------------------------


def _user_id(raw: Any) -> int:
    # ASCII digits exactly as given: "+7" in a query string arrives as " 7", which is no id.
    number = record_id(raw) if isinstance(raw, str) else None
    if number is None:
        raise Invalid("must be a user id")
    return number


class AuditQuery(PageQuery):
    """`?action=...&actor_id=...`: one kind of event, or one person's."""

    action: str | None = None
    actor_id: checked(
        _user_id, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, python=int, required=False
    ) = None
