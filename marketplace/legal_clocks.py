"""The legal clocks the portal works against: the clock rules of marketplace.legal_rules.

The grievance desk, privacy requests and the breach register read their deadlines from here, and
the officer's pages show the source beside each deadline.
"""

from __future__ import annotations

from marketplace.legal_rules import RULES, Kind, Rule

Clock = Rule

CLOCKS: dict[str, Clock] = {key: item for key, item in RULES.items() if item.kind == Kind.CLOCK}


def clock(name: str) -> Clock:
    return CLOCKS[name]
