"""One-time codes that prove a guest holds a mobile or an email address (a guest's enquiry, a
guest's complaint): six digits, kept only as a keyed digest, and at most ATTEMPTS tries each."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import update

from marketplace.errors import ValidationFailed
from marketplace.extensions import db

ATTEMPTS = 5


class WrongCode(ValidationFailed):
    keep_writes = True  # the failed try is counted even though the request is refused


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def digest(purpose: str, row_id: str, code: str) -> str:
    """The code as stored: keyed, and bound to its purpose and row, so a code read from the
    database (or sent for another row) proves nothing."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{row_id}:{code}".encode(), hashlib.sha256).hexdigest()


def claim_attempt(model: Any, row_id: str) -> bool:
    """Count this try on `model`'s row (a table with `id` and `attempts`) before the code is
    checked, in one statement that reads and raises the count together: concurrent tries never
    see the same count, on SQLite (whose lock is the whole database's, taken by this first
    write) as on PostgreSQL (the row's). False when the tries are used up."""
    claimed = db.session.execute(
        update(model)
        .where(model.id == row_id, model.attempts < ATTEMPTS)
        .values(attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def check(stored_digest: str, purpose: str, row_id: str, code: str, *, tries: int) -> None:
    """Raise WrongCode, saying how many tries are left after `tries`, unless `code` is the one."""
    if not hmac.compare_digest(stored_digest, digest(purpose, row_id, code.strip())):
        left = ATTEMPTS - tries
        message = ngettext(
            "the code is not right (%(num)d attempt left)",
            "the code is not right (%(num)d attempts left)",
            left,
        )
        raise WrongCode({"code": [message]})
