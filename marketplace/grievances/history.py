"""A complaint's history: one line per step (filing, status, reply, note, assignment, appeal)."""

from __future__ import annotations

from typing import Any

from marketplace.extensions import db
from marketplace.grievances.models import GrievanceEvent


def add_event(**fields: Any) -> None:
    """One line of a complaint's history (public ones are shown to the complainant)."""
    db.session.add(GrievanceEvent(**fields))
