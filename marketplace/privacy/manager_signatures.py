"""Signed calls from consent managers: who signed, that nothing was changed, and that the call
is new.

A manager signs, with its Ed25519 private key, the bytes

    METHOD \n PATH[?QUERY] \n TIMESTAMP \n NONCE \n hex(SHA-256(BODY))

and sends them with the call in four headers (its id, the timestamp in Unix seconds, the nonce,
and the signature in base64). The timestamp must be within WINDOW of our clock, either way; a
nonce is accepted once per manager (a unique constraint, so two racing replays cannot both
pass). Nonces are kept for twice the window, since a timestamp up to WINDOW ahead of our clock is
accepted and its replay must still find the nonce; older ones are purged as calls arrive.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from datetime import timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from marketplace.errors import NotAuthenticated
from marketplace.extensions import db
from marketplace.privacy import clock, policy
from marketplace.privacy.manager_models import (
    ConsentManager,
    ConsentManagerNonce,
)

MANAGER_HEADER = "X-Consent-Manager-Id"
TIMESTAMP_HEADER = "X-Consent-Manager-Timestamp"
NONCE_HEADER = "X-Consent-Manager-Nonce"
SIGNATURE_HEADER = "X-Consent-Manager-Signature"
WINDOW = timedelta(minutes=5)
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_DIGITS = re.compile(r"[0-9]{1,12}")


def signing_input(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The bytes a manager signs for one call."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path, timestamp, nonce, digest)).encode()


class SignatureRefused(NotAuthenticated):
    pass


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value:
        raise SignatureRefused(
            f"Sign the call: send {MANAGER_HEADER}, {TIMESTAMP_HEADER}, {NONCE_HEADER} and "
            f"{SIGNATURE_HEADER} (missing: {name})."
        )
    return value


def _manager(raw_id: str) -> ConsentManager:
    manager = db.session.get(ConsentManager, int(raw_id)) if _DIGITS.fullmatch(raw_id) else None
    if manager is None:
        raise SignatureRefused("No consent manager is registered under that id.")
    return manager


def _check_timestamp(raw: str) -> None:
    if not _DIGITS.fullmatch(raw):
        raise SignatureRefused(f"{TIMESTAMP_HEADER} must be Unix time in whole seconds.")
    skew = abs(clock.now().timestamp() - int(raw))
    if skew > WINDOW.total_seconds():
        raise SignatureRefused(
            f"The timestamp is more than {int(WINDOW.total_seconds() // 60)} minutes away from "
            "our clock: sign the call again with the current time."
        )


def _check_signature(manager: ConsentManager, raw: str, message: bytes) -> None:
    try:
        signature = base64.b64decode(raw, validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(manager.public_key))
        key.verify(signature, message)
    except (InvalidSignature, ValueError, binascii.Error):
        raise SignatureRefused(
            "The signature does not match this call and the manager's registered key."
        ) from None


def _use_nonce(manager: ConsentManager, nonce: str) -> None:
    now = clock.now()
    db.session.execute(
        delete(ConsentManagerNonce).where(ConsentManagerNonce.seen_at < now - 2 * WINDOW)
    )
    try:
        with db.session.begin_nested():
            db.session.add(ConsentManagerNonce(manager_id=manager.id, nonce=nonce, seen_at=now))
    except IntegrityError:
        raise SignatureRefused("This nonce was used already: a call is accepted once.") from None


def verify(method: str, path: str, headers: Mapping[str, str], body: bytes) -> ConsentManager:
    """The registered, active manager that signed this call, or a 401 (not signed by a
    registered manager, stale, replayed) or a 403 (signed by a suspended manager)."""
    manager = _manager(_header(headers, MANAGER_HEADER))
    timestamp = _header(headers, TIMESTAMP_HEADER)
    nonce = _header(headers, NONCE_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    _check_timestamp(timestamp)
    if not _NONCE.fullmatch(nonce):
        raise SignatureRefused(f"{NONCE_HEADER} must be 16 to 64 letters, digits, - or _.")
    _check_signature(manager, signature, signing_input(method, path, timestamp, nonce, body))
    policy.require_active_manager(manager)
    _use_nonce(manager, nonce)
    return manager
