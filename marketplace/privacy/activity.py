"""What counts as using the portal, for the inactivity sweep (DPDP Rules 2025 r.8(1): erase the
data of a person who has not approached us for the period): every kind of use, not sign-ins
alone. A supplier who works only through an integration key, or a buyer who only writes
messages in a session signed in years ago, is using the portal.

Each domain registers, from its own `activity.py` (listed in ACTIVITY_MODULES, imported before
every sweep), the kinds of use it records, each as a query of the ids of the people who used
the portal that way since a moment:

    register("messages", lambda since: select(Message.author_id).where(...))
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, union

# Every module that registers kinds of use.
ACTIVITY_MODULES: tuple[str, ...] = (
    "marketplace.accounts.activity",
    "marketplace.leads.activity",
    "marketplace.credits.activity",
)

UsedSince = Callable[[datetime], Select[Any]]  # the ids (one column) of people active since

_REGISTRY: dict[str, UsedSince] = {}


def register(kind: str, used_since: UsedSince) -> None:
    _REGISTRY[kind] = used_since


def kinds_of_use() -> dict[str, UsedSince]:
    for module in ACTIVITY_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def active_since(since: datetime) -> Select[Any]:
    """One query of the ids of every person who used the portal in any way since `since`
    (never a NULL, which would make `NOT IN` match nobody)."""
    used = union(*(used(since) for used in kinds_of_use().values())).subquery()
    person = next(iter(used.c))
    return select(person).where(person.is_not(None))
