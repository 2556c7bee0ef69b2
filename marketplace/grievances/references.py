"""The references complainants and the Board are given (GR-2611-K7QX2M, BR-...): a prefix, the
month in India, and six characters that cannot be misread (no O, I, 0 or 1)."""

from __future__ import annotations

import secrets
import string
from datetime import datetime

from marketplace.db import IST


def new_reference(prefix: str, now: datetime) -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
    tail = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{prefix}-{now.astimezone(IST):%y%m}-{tail}"
