"""Registration: a buyer or a supplier signing up, and a guest buyer's account made from a
confirmed enquiry.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace import audit
from marketplace.accounts.details import refuse_duplicates
from marketplace.accounts.email_addresses import send_email_verification
from marketplace.accounts.inputs import RegistrationIn
from marketplace.accounts.language import language_to_keep
from marketplace.accounts.models import GstVerification, Role, SupplierProfile, User, UserRole
from marketplace.accounts.password_changes import reset_token
from marketplace.accounts.passwords import hash_password
from marketplace.crypto import blind_index
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.notifications import absolute_url, send_email
from marketplace.privacy.services import initial_consents, record_consents


def register_account(body: RegistrationIn) -> User:
    """Register a buyer or a supplier from a request already read (every field valid); raises
    Conflict (409) when the email, mobile or GSTIN belongs to an account. Only then is the
    password hashed (bcrypt: the slow part)."""
    email, name, phone, gstin = body.email, body.name, body.phone, body.gstin
    refuse_duplicates(email=email, phone=phone, gstin=gstin)
    now = utcnow()
    user = User(
        email=email,
        name=name,
        phone=phone,
        phone_digest=blind_index(phone),
        password_hash=hash_password(body.password),
        terms_version=current_app.config["TERMS_VERSION"],
        language=language_to_keep(),
        age_confirmed_at=now,
    )
    user.role_rows = [UserRole(role=Role.BUYER)]
    if body.role == Role.SUPPLIER:
        address = body.address
        assert address is not None and gstin is not None
        user.role_rows.append(UserRole(role=Role.SUPPLIER))
        user.supplier = SupplierProfile(
            company_name=body.company_name,
            gstin=gstin,
            gst_state_code=gstin[:2],
            pan=gstin[2:12],
            gst_verification=GstVerification.PENDING,
            address_line1=address.line1,
            city=address.city,
            state=address.state.name,
            pincode=address.pincode,
        )
    db.session.add(user)
    db.session.flush()
    record_consents(user.id, initial_consents(body.consents.choices()), source="registration")
    audit.record("account.registered", actor_id=user.id, subject=user, roles=list(user.roles))
    send_email_verification(user)
    return user


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str


def refuse_registered(contact: Contact) -> None:
    """409 when the email or mobile already belongs to an account: its owner signs in."""
    refuse_duplicates(email=contact.email, phone=contact.phone)


def register_guest_buyer(contact: Contact) -> User:
    """A buyer account for a visitor who proved the mobile with a one-time code. There is no
    password yet: the welcome email carries a link to set one."""
    refuse_duplicates(email=contact.email, phone=contact.phone)
    now = utcnow()
    user = User(
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        phone_digest=blind_index(contact.phone),
        phone_verified_at=now,
        # Nobody knows this password: the account is used through the emailed link first.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        terms_version=current_app.config["TERMS_VERSION"],
        language=language_to_keep(),  # a guest's mails read as the enquiry was made
        age_confirmed_at=now,
    )
    user.role_rows = [UserRole(role=Role.BUYER)]
    db.session.add(user)
    db.session.flush()
    record_consents(user.id, initial_consents({}), source="guest_enquiry")
    audit.record("account.registered", actor_id=user.id, subject=user, roles=["buyer"], via="guest")
    send_email(
        user.email,
        _l("Your TradeSetu account: choose a password"),
        "welcome_guest",
        language=user.language,
        user=user,
        link=absolute_url("accounts.reset_password", token=reset_token(user)),
        minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"],
    )
    return user
