"""The privacy domain reads the time here, so tests can move it (retention spans years)."""

from __future__ import annotations

from datetime import datetime

from marketplace.db import utcnow


def now() -> datetime:
    return utcnow()
