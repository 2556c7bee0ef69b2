"""What the officer sends to compose a newsletter or register a consent manager, and what a
consent manager sends about a person: declared models, read by the pages and the API alike."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)
from pydantic import BaseModel, ConfigDict, model_validator

from marketplace.accounts.fields import Email, IndianMobile
from marketplace.fields import Choice, Text, checked
from marketplace.privacy.inputs import ConsentIn
from marketplace.validation import Invalid, refuse_field

MESSAGE_PURPOSES = ("marketing", "newsletters", "partner_offers")
NEWSLETTER_CHANNELS = ("email", "sms")
SMS_MAX_LENGTH = 300  # two SMS segments of text; the stop link is added after it


class NewsletterIn(BaseModel):
    """A newsletter: for one optional purpose, by one channel."""

    model_config = ConfigDict(title="Newsletter")

    purpose: Choice(MESSAGE_PURPOSES)
    channel: Choice(NEWSLETTER_CHANNELS)
    subject: Text(max_length=150)
    body: Text(max_length=20000, multiline=True)

    @model_validator(mode="after")
    def _fits_its_channel(self) -> NewsletterIn:
        if self.channel == "sms" and len(self.body) > SMS_MAX_LENGTH:
            refuse_field("body", f"an SMS holds at most {SMS_MAX_LENGTH} characters")
        return self


def _ed25519_key(raw: Any) -> str:
    """An Ed25519 public key, as 32 bytes in base64 or as a PEM block; kept as base64."""
    if not isinstance(raw, str):
        raise Invalid("must be a string")
    text = raw.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = load_pem_public_key(text.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise Invalid("must be an Ed25519 public key")
            data = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        else:
            data = base64.b64decode(text, validate=True)
            Ed25519PublicKey.from_public_bytes(data)
    except (ValueError, binascii.Error, UnsupportedAlgorithm):
        raise Invalid("must be an Ed25519 public key: 32 bytes in base64, or a PEM block") from None
    return base64.b64encode(data).decode()


PUBLIC_KEY_SCHEMA = {
    "type": "string",
    "description": "the manager's Ed25519 public key: 32 bytes in base64, or a PEM block",
}


class ConsentManagerIn(BaseModel):
    """A consent manager to register (DPDP Rules 2025 r.4)."""

    model_config = ConfigDict(title="ConsentManagerRegistration")

    name: Text(max_length=200)
    registration_number: Text(max_length=64, description="as registered with the Board")
    public_key: checked(_ed25519_key, PUBLIC_KEY_SCHEMA)


class ConsentManagerChangeIn(BaseModel):
    model_config = ConfigDict(title="ConsentManagerChange")

    status: Choice(("active", "suspended"))


class PrincipalIn(BaseModel):
    """The person a consent manager acts for, by the email or the mobile number of their
    account here (one of them)."""

    model_config = ConfigDict(title="Principal")

    email: Email(required=False) = None
    phone: IndianMobile(required=False) = None

    @model_validator(mode="after")
    def _one_identifier(self) -> PrincipalIn:
        if (self.email is None) == (self.phone is None):
            refuse_field("email", "give the person's email or their mobile number (one of them)")
        return self


class PrincipalConsentIn(PrincipalIn, ConsentIn):
    """A grant or a withdrawal, for the person named by email or mobile."""

    model_config = ConfigDict(title="PrincipalConsent", json_schema_extra={"required": ["granted"]})
