"""Password hashing with bcrypt.

bcrypt reads only the first 72 bytes of its input, so the password is first reduced to a
base64-encoded SHA-256 digest (44 bytes, no NUL): long passphrases keep all their strength.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

import bcrypt
from flask import current_app


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def hash_password(password: str) -> str:
    rounds = current_app.config["BCRYPT_ROUNDS"]
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def password_matches(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(_prehash(password), password_hash.encode())


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with fewer rounds than now configured."""
    return int(password_hash.split("$")[2]) < current_app.config["BCRYPT_ROUNDS"]


@cache
def _decoy_hash(rounds: int) -> str:
    return bcrypt.hashpw(b"decoy", bcrypt.gensalt(rounds)).decode()


def spend_equal_time(password: str) -> None:
    """Check against a decoy hash so an unknown email takes as long as a wrong password."""
    password_matches(password, _decoy_hash(current_app.config["BCRYPT_ROUNDS"]))
