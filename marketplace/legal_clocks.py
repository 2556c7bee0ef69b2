"""The legal clocks the portal works against, in one table with their sources.

The grievance desk, privacy requests and the breach register read their deadlines from here, and
the officer's pages show the source beside each deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Clock:
    name: str
    duration: timedelta
    source: str  # the act and section that sets it

    def due(self, start: datetime) -> datetime:
        return start + self.duration


CLOCKS: dict[str, Clock] = {
    clock.name: clock
    for clock in (
        Clock(
            "grievance_acknowledge",
            timedelta(hours=24),
            "IT (Intermediary Guidelines and Digital Media Ethics Code) Rules 2021, r.3(2)(a)(i)",
        ),
        Clock(
            "grievance_resolve",
            timedelta(days=15),
            "IT (Intermediary Guidelines and Digital Media Ethics Code) Rules 2021, r.3(2)(a)(i)",
        ),
        Clock(
            "privacy_request",
            timedelta(days=90),
            "Digital Personal Data Protection Rules 2025, r.14(3)",
        ),
        Clock(
            "appeal_window",
            timedelta(days=30),
            "IT Rules 2021, r.3A (Grievance Appellate Committee)",
        ),
        Clock(
            "breach_report",
            timedelta(hours=72),
            "Digital Personal Data Protection Rules 2025, r.7(2)(b)",
        ),
        Clock(
            "inactive_erasure_notice",
            timedelta(hours=48),
            "Digital Personal Data Protection Rules 2025, r.8(2)",
        ),
    )
}


def clock(name: str) -> Clock:
    return CLOCKS[name]
