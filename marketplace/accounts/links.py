"""The signed, expiring links that emails carry (confirm an address, reset a password, undo a
change of address): each purpose has its own salt, so one link never works as another."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.errors import ValidationFailed


def serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"marketplace.{purpose}")


def load_link(purpose: str, token: Any, max_age: timedelta) -> dict[str, Any]:
    if not isinstance(token, str) or not token:
        raise ValidationFailed({"token": ["this field is required"]}, "This link is not valid.")
    try:
        payload = serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise ValidationFailed(
            {"token": ["this link has expired"]}, "This link has expired. Please ask for a new one."
        ) from None
    except BadSignature:
        raise ValidationFailed(
            {"token": ["this link is not valid"]}, "This link is not valid."
        ) from None
    if not isinstance(payload, dict):
        raise ValidationFailed({"token": ["this link is not valid"]}, "This link is not valid.")
    return payload
