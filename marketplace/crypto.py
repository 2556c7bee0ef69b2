"""Field encryption and blind indexes.

Sensitive columns are stored Fernet-encrypted (AES-128-CBC + HMAC). MultiFernet lets keys rotate:
the first configured key encrypts, every key decrypts. Encrypted values cannot be searched, so a
column that must be unique or looked up (a phone number) also stores a keyed HMAC digest.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> tuple[str, ...]:
    return tuple(current_app.config["FIELD_ENCRYPTION_KEYS"])


def encrypt(plaintext: str) -> str:
    return _fernet(_keys()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "value was encrypted with a key that is no longer configured"
        ) from None


def blind_index(value: str) -> str:
    """A deterministic keyed digest, for equality look-ups on an encrypted column. Its key is
    FIELD_INDEX_KEY, never SECRET_KEY: rotating the session secret must not break look-ups
    (`flask privacy rehash-phones` recomputes stored digests after this key changes)."""
    secret = current_app.config["FIELD_INDEX_KEY"].encode()
    return hmac.new(secret, b"blind-index:" + value.encode(), hashlib.sha256).hexdigest()


def token_digest(token: str) -> str:
    """Digest of a high-entropy random token (API keys, bearer tokens): SHA-256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()
