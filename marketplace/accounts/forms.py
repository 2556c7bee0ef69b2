"""Forms: CSRF protection and rendering. The rules live in the service, which reports errors by
the API's field names; `apply_errors` puts them under the matching inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.accounts.india import STATES
from marketplace.accounts.models import BUSINESS_TYPES, EMPLOYEE_BANDS, TURNOVER_BANDS
from marketplace.accounts.policy import DEFAULT_KEY_SCOPES, SCOPE_LABELS
from marketplace.legal_rules import ADULT_AGE
from marketplace.privacy import purposes

STATE_CHOICES = [SelectChoice("", _l("Choose a state or union territory"))] + [
    SelectChoice(state.name) for state in STATES
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegistrationForm(FlaskForm):
    name = StringField(_l("Your full name"))
    email = EmailField(_l("Work email"))
    phone = TelField(_l("Mobile number"), description=_l("An Indian mobile, e.g. +91 98765 43210"))
    password = PasswordField(
        _l("Password"), description=_l("At least 10 characters; a few unrelated words work well")
    )
    company_name = StringField(_l("Registered business name"))
    gstin = StringField(_l("GSTIN"), description=_l("15 characters, e.g. 27AAPFU0939F1ZV"))
    pan = StringField(_l("PAN (optional)"), description=_l("We check it against your GSTIN"))
    address_line1 = StringField(_l("Address"))
    address_city = StringField(_l("City"))
    address_state = SelectField(_l("State"), choices=STATE_CHOICES, validate_choice=False)
    address_pincode = StringField(_l("PIN code"))
    age_confirmed = BooleanField(_l("I am %(age)s years of age or older", age=ADULT_AGE))
    accept_terms = BooleanField(_l("I accept the terms of use and the privacy policy"))

    def service_data(self, role: str) -> dict[str, Any]:
        """What the form says, as a registration request (inputs.RegistrationIn) reads it."""
        data: dict[str, Any] = {
            "role": role,
            "name": self.name.data,
            "email": self.email.data,
            "phone": self.phone.data,
            "password": self.password.data,
            "age_confirmed": self.age_confirmed.data,
            "accept_terms": self.accept_terms.data,
            "consents": {pid: bool(self[f"consent_{pid}"].data) for pid in purposes.OPTIONAL},
        }
        if role == "supplier":
            data.update(
                company_name=self.company_name.data,
                gstin=self.gstin.data,
                pan=self.pan.data or None,
                address=address_of(self),
            )
        return data


# One opt-in checkbox per optional purpose, all unticked by default.
for _purpose in purposes.PURPOSES:
    if not _purpose.required:
        setattr(RegistrationForm, f"consent_{_purpose.id}", BooleanField(_purpose.label))


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"))
    email = EmailField(
        _l("Email"), description=_l("A new address takes effect once you confirm it from its inbox")
    )
    phone = TelField(_l("Mobile number"))
    current_password = PasswordField(
        _l("Current password"), description=_l("Needed only to change your email or mobile number")
    )
    company_name = StringField(_l("Registered business name"))
    gstin = StringField(_l("GSTIN"))
    address_line1 = StringField(_l("Address"))
    address_city = StringField(_l("City"))
    address_state = SelectField(_l("State"), choices=STATE_CHOICES, validate_choice=False)
    address_pincode = StringField(_l("PIN code"))
    # The business profile buyers see on the storefront
    business_type = SelectField(
        _l("Nature of business"),
        choices=[SelectChoice("", _l("Not stated"))]
        + [SelectChoice(value, label) for value, label in BUSINESS_TYPES.items()],
        validate_choice=False,
    )
    year_established = StringField(_l("Year established"))
    employees = SelectField(
        _l("Employees"),
        choices=[SelectChoice("", _l("Not stated"))] + [SelectChoice(b) for b in EMPLOYEE_BANDS],
        validate_choice=False,
    )
    turnover_band = SelectField(
        _l("Annual turnover"),
        choices=[SelectChoice("", _l("Not stated"))]
        + [SelectChoice(value, label) for value, label in TURNOVER_BANDS.items()],
        validate_choice=False,
    )
    about = TextAreaField(
        _l("About the business"), description=_l("What you make or trade, since when, for whom")
    )

    def service_data(self, *, supplier: bool) -> dict[str, Any]:
        """What the form says, as a correction (inputs.ProfileChange) reads it: a supplier's
        business fields only for a supplier."""
        data: dict[str, Any] = {
            "name": self.name.data,
            "email": self.email.data,
            "phone": self.phone.data,
            "current_password": self.current_password.data,
        }
        if supplier:
            data.update(
                company_name=self.company_name.data,
                gstin=self.gstin.data,
                address=address_of(self),
                **self.business_data(),
            )
        return data

    def business_data(self) -> dict[str, object]:
        return {
            "business_type": self.business_type.data or None,
            "year_established": self.year_established.data or None,
            "employees": self.employees.data or None,
            "turnover_band": self.turnover_band.data or None,
            "about": self.about.data or None,
        }


class BusinessPhotoForm(FlaskForm):
    image = FileField(
        _l("Add a photo"),
        description=_l("JPEG, PNG or WebP, up to 5 MB; we remove location and camera details"),
    )
    caption = StringField(
        _l("Caption (optional)"), description=_l("e.g. 'Our factory at Ludhiana'")
    )


class PhoneCodeForm(FlaskForm):
    code = StringField(_l("The 6-digit code from the SMS"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"))
    new_password = PasswordField(_l("New password"))
    revoke_integration_keys = BooleanField(_l("Also revoke my integration keys"))

    def service_data(self) -> dict[str, Any]:
        return {
            "current_password": self.current_password.data,
            "new_password": self.new_password.data,
            "revoke_integration_keys": bool(self.revoke_integration_keys.data),
        }


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"))


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Key name"), description=_l("Where it is used, e.g. 'Zoho CRM'"))
    scopes = MultiCheckboxField(
        _l("What the key may do"),
        choices=[SelectChoice(str(scope), label) for scope, label in SCOPE_LABELS.items()],
        default=[str(scope) for scope in DEFAULT_KEY_SCOPES],
        validate_choice=False,
    )

    def service_data(self) -> dict[str, Any]:
        return {"name": self.name.data, "scopes": self.scopes.data or []}


def accepted(form: FlaskForm) -> bool:
    """True for a POST whose CSRF token is good. A refused POST says why on the form."""
    if form.validate_on_submit():
        return True
    if request.method == "POST":
        form.form_errors.append(
            _("this form has expired or was sent from another site; please send it again")
        )
    return False


def apply_errors(form: FlaskForm, errors: Mapping[str, list[str]]) -> None:
    """Show service errors under their inputs: 'address.state' under 'address_state';
    'specifications.Grade' under 'specifications', as 'Grade: ...'."""
    for field, messages in errors.items():
        name = field.replace(".", "_")
        head, _, rest = field.partition(".")
        messages = [shown(message) for message in messages]
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
        elif head in form:
            form[head].errors = [*form[head].errors, *(f"{rest}: {m}" for m in messages)]
        else:
            form.form_errors.extend(f"{field}: {message}" for message in messages)


def shown(message: str) -> str:
    """A service's field error in the reader's language. Most are translated where they are
    raised; the shared ones (marketplace.fields, marketplace.validation: "this field is
    required", "must be a string") are read here, by their English text, as the catalogue has
    them."""
    return _(message) if isinstance(message, str) and message else message


def address_of(form: FlaskForm) -> dict[str, str]:
    return {
        "line1": form.address_line1.data or "",
        "city": form.address_city.data or "",
        "state": form.address_state.data or "",
        "pincode": form.address_pincode.data or "",
    }
