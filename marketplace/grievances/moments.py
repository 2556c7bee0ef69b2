"""When things happen on the grievance desk: the current moment and days in India.

Rules that depend on the time take `now` (tests pass a controlled clock); without one they ask
this module, the one place that reads the real clock for them (tests patch its `utcnow`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from marketplace.db import IST, utcnow

# Days a report or a filter may name: the portal's records start after this.
EARLIEST_DAY = date(2000, 1, 1)


def given_or_now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def today_in_india() -> date:
    return utcnow().astimezone(IST).date()


def ist_day_start(day: date) -> datetime:
    """The UTC moment a day begins in India."""
    return datetime.combine(day, time.min, tzinfo=IST).astimezone(UTC)
