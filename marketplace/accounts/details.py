"""Checking the details an account is made of (names, GSTIN and PAN against the address,
passwords), by the same rules wherever they are given, and refusing details that already belong
to another account. The request models of `inputs` read the fields; these are the rules that
need more than one field, or the account itself."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts import identity
from marketplace.accounts.india import State
from marketplace.accounts.models import SupplierProfile, User
from marketplace.accounts.passwords import password_matches
from marketplace.crypto import blind_index
from marketplace.errors import Conflict, FieldErrors
from marketplace.extensions import db
from marketplace.validation import Invalid


def person_name(value: str) -> str:
    if not any(char.isalpha() for char in value):
        raise Invalid(_("must contain letters"))
    return value


def check_business_identity(
    errors: FieldErrors, gstin: str | None, pan: str | None, state: State | None
) -> None:
    """The PAN inside the GSTIN must be the PAN given, and the GSTIN's state the address's."""
    if gstin and pan and gstin[2:12] != pan:
        errors.add("pan", _("does not match the PAN inside the GSTIN (its characters 3 to 12)"))
    if gstin and state:
        gst_state = identity.gstin_state(gstin)
        if gst_state != state:
            errors.add(
                "address.state",
                _(
                    "the GSTIN is registered in %(registered)s (state code %(code)s), "
                    "not in %(given)s",
                    registered=gst_state.name,
                    code=gstin[:2],
                    given=state.name,
                ),
            )


def personal_details(*values: str | None) -> list[str]:
    return [value for value in values if value]


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
            errors.add(field, _("already registered to another account"))
    if errors:
        raise Conflict(
            _("An account with these details already exists. Sign in, or reset your password."),
            errors.errors,
        )


def check_current_password(errors: FieldErrors, current: Any, user: User, purpose: str) -> None:
    """`current` must be the account's password (bcrypt: checked once the rest is valid)."""
    if current is None or current == "":
        errors.add(
            "current_password", _("your current password is needed to %(purpose)s", purpose=purpose)
        )
    elif not isinstance(current, str) or not password_matches(current, user.password_hash):
        errors.add("current_password", _("not your current password"))


def check_new_password(errors: FieldErrors, field: str, password: Any, user: User) -> None:
    """A new password for an account: not guessable, and none of the account's details."""
    if password is None or password == "":
        errors.add(field, _("this field is required"))
        return
    if not isinstance(password, str):
        errors.add(field, _("must be a string"))
        return
    try:
        identity.check_password(
            password, personal=personal_details(user.email, user.name, user.phone)
        )
    except Invalid as error:
        errors.add(field, str(error))
