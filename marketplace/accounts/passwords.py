"""Password hashing with bcrypt, and the passwords that are published.

bcrypt reads only the first 72 bytes of its input, so the password is first reduced to a
base64-encoded SHA-256 digest (44 bytes, no NUL): long passphrases keep all their strength.

The demo accounts' password is printed in the README. It is never accepted as a new password, and
in production (APP_ENV=production) it opens nothing: a database seeded for a demo and then
promoted keeps the demo accounts' hashes, and whoever read the README must not get in with it.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

import bcrypt
from flask import current_app

# The password of every account `flask demo seed` makes (the README prints it).
DEMO_PASSWORD = "tradesetu-demo-2026"  # noqa: S105  (published: refused in production)

# Compared without case or surrounding spaces: "TradeSetu-Demo-2026" is as well known.
_PUBLISHED_PASSWORDS = frozenset({DEMO_PASSWORD.casefold()})


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def hash_password(password: str) -> str:
    rounds = current_app.config["BCRYPT_ROUNDS"]
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def is_published_password(password: str) -> bool:
    """True for a password anyone can read (the demo accounts')."""
    return password.strip().casefold() in _PUBLISHED_PASSWORDS


def refused_in_production(password: str) -> bool:
    """True when this password must open nothing here: a published one, in production."""
    return current_app.config["APP_ENV"] == "production" and is_published_password(password)


def password_matches(password: str, password_hash: str) -> bool:
    """The password opens the account: it matches the hash and is not refused here. bcrypt runs
    either way, so a refused password takes as long as any other."""
    matches = bcrypt.checkpw(_prehash(password), password_hash.encode())
    return matches and not refused_in_production(password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with fewer rounds than now configured."""
    return int(password_hash.split("$")[2]) < current_app.config["BCRYPT_ROUNDS"]


@cache
def _decoy_hash(rounds: int) -> str:
    return bcrypt.hashpw(b"decoy", bcrypt.gensalt(rounds)).decode()


def spend_equal_time(password: str) -> None:
    """Check against a decoy hash so an unknown email takes as long as a wrong password."""
    password_matches(password, _decoy_hash(current_app.config["BCRYPT_ROUNDS"]))
