"""Database helpers shared by every domain: column types, the commit, after-commit work."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, DateTime, Engine, Enum, Select, Text, event, func, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from marketplace import crypto
from marketplace.errors import NotFound
from marketplace.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite as a real database: enforced foreign keys, and WAL so that readers in several
    web processes never wait for the one writer."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# Moments are stored in UTC; the day a deadline, a week or an invoice falls on is India's.
IST = ZoneInfo("Asia/Kolkata")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetimes are not stored; use marketplace.db.utcnow()")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def string_enum(enum_class: type[enum.StrEnum], length: int = 32) -> Enum:
    """Store a StrEnum by value as a plain string column (no native enum types to migrate)."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest with the configured field keys."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else crypto.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else crypto.decrypt(value)


# --- tenancy ---------------------------------------------------------------------------------

ModelT = TypeVar("ModelT")


def get_owned(model: type[ModelT], object_id: int, owner_clause: ColumnElement[bool]) -> ModelT:
    """Load an object only if it belongs to the caller. Another owner's object is simply not
    found (a 404, never a 403), so ids reveal nothing about other tenants."""
    found = db.session.scalar(
        select(model).where(model.id == object_id, owner_clause)  # type: ignore[attr-defined]
    )
    if found is None:
        # "BusinessPhoto" reads "No such business photo." (the thing's name is a code's: English)
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", model.__name__).lower()
        raise NotFound(_("No such %(thing)s.", thing=words))
    return found


# --- pages of rows ---------------------------------------------------------------------------


def paginate(statement: Select[Any], *, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of an ordered statement's rows (page 1 first) and how many rows it has in all.
    The count runs over the statement without its ordering, which cannot change it."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    total = db.session.scalar(counted) or 0
    rows = db.session.scalars(statement.offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


# --- one commit, then side effects ---------------------------------------------------------

_PENDING = "after_commit_callbacks"


def after_commit(callback: Callable[[], Any], *, once: str | None = None) -> None:
    """Run `callback` once the current transaction commits; drop it if it rolls back.

    Tasks, mails, webhooks and index updates go through here, so nothing leaves the process for
    data that was never committed. Callbacks given the same `once` key run once per commit.
    """
    pending = db.session.info.setdefault(_PENDING, {})
    pending[once or f"callback-{len(pending)}"] = callback


@event.listens_for(Session, "after_rollback")
def _forget_callbacks(session: Session) -> None:
    session.info.pop(_PENDING, None)


def commit() -> None:
    """Commit the session and then run the work that waited for it."""
    session = db.session()
    if not session.in_transaction() and not session.info.get(_PENDING):
        return  # the request never touched the database (a cached search, say)
    session.commit()
    callbacks = session.info.pop(_PENDING, {})
    for callback in callbacks.values():
        callback()
