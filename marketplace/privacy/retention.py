"""What must be kept after an erasure, for how long, and on what legal basis: one table.

The archive computes each record's `retain_until` from its rule and the date the rule's clock
starts from (an invoice's issue date, the account's cancellation); the daily purge removes what
is past it. The officer's pages and the certificate show the basis beside each record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from marketplace.db import IST


def financial_year_end(moment: datetime) -> date:
    """31 March that closes the Indian financial year (April to March) holding `moment`."""
    day = moment.astimezone(IST).date()
    return date(day.year if day.month <= 3 else day.year + 1, 3, 31)


def annual_return_due(moment: datetime) -> date:
    """GSTR-9, the annual return for a financial year, is due on 31 December after it ends
    (CGST Act 2017 s.44 with CGST Rules r.80)."""
    return date(financial_year_end(moment).year, 12, 31)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _end_of_day_india(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), IST).astimezone(UTC)


def gst_retention(moment: datetime) -> datetime:
    """72 months from the due date of the annual return for the year of `moment` (CGST Act
    s.36): an invoice of 15 May 2026 (FY 2026-27, return due 31 Dec 2027) until 31 Dec 2033."""
    return _end_of_day_india(_add_months(annual_return_due(moment), 72))


@dataclass(frozen=True)
class RetentionRule:
    record_type: str
    label: str
    legal_basis: str
    retain_until: Callable[[datetime], datetime]  # from the moment the rule's clock starts


RULES: dict[str, RetentionRule] = {
    rule.record_type: rule
    for rule in (
        RetentionRule(
            "tax_invoice",
            "Tax invoices and credit notes",
            "CGST Act 2017 s.36: 72 months from the due date of the annual return",
            gst_retention,
        ),
        RetentionRule(
            "gst_registration",
            "The business's GST registration details",
            "CGST Act 2017 s.36: 72 months from the due date of the annual return",
            gst_retention,
        ),
        RetentionRule(
            "account_registration",
            "Registration details of the cancelled account",
            "IT (Intermediary Guidelines) Rules 2021 r.3(1)(h): 180 days after cancellation",
            lambda start: start + timedelta(days=180),
        ),
        RetentionRule(
            "processing_log",
            "Logs of the processing of the person's data",
            "DPDP Rules 2025 r.8(3): at least one year",
            lambda start: start + timedelta(days=365),
        ),
    )
}


def rule(record_type: str) -> RetentionRule:
    return RULES[record_type]
