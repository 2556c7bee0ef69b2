"""What must be kept after an erasure, for how long, and on what legal basis: the retention rules
of marketplace.legal_rules, with the way each one's end is computed.

The archive computes each record's `retain_until` from its rule and the date the rule's clock
starts from (an invoice's issue date, the account's cancellation); the daily purge removes what
is past it. The officer's pages and the certificate show the basis beside each record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from marketplace.db import IST
from marketplace.legal_rules import Rule
from marketplace.legal_rules import rule as legal_rule


def financial_year_end(moment: datetime) -> date:
    """31 March that closes the Indian financial year (April to March) holding `moment`."""
    day = moment.astimezone(IST).date()
    return date(day.year if day.month <= 3 else day.year + 1, 3, 31)


def annual_return_due(moment: datetime) -> date:
    """GSTR-9, the annual return for a financial year, is due on 31 December after it ends
    (CGST Act 2017 s.44 with CGST Rules r.80)."""
    return date(financial_year_end(moment).year, 12, 31)


def _end_of_day_india(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), IST)


def gst_retention(moment: datetime) -> datetime:
    """72 months from the due date of the annual return for the year of `moment` (CGST Act
    s.36): an invoice of 15 May 2026 (FY 2026-27, return due 31 Dec 2027) until 31 Dec 2033."""
    return (
        legal_rule("tax_invoice")
        .after(_end_of_day_india(annual_return_due(moment)))
        .astimezone(UTC)
    )


@dataclass(frozen=True)
class RetentionRule:
    record_type: str
    retain_until: Callable[[datetime], datetime]  # from the moment the rule's clock starts

    @property
    def legal(self) -> Rule:
        return legal_rule(self.record_type)

    @property
    def label(self) -> str:
        return self.legal.what

    @property
    def legal_basis(self) -> str:
        return self.legal.law

    @property
    def kept(self) -> str:
        return self.legal.sentence


def _from_start(record_type: str) -> RetentionRule:
    return RetentionRule(record_type, legal_rule(record_type).after)


RULES: dict[str, RetentionRule] = {
    rule.record_type: rule
    for rule in (
        RetentionRule("tax_invoice", gst_retention),
        RetentionRule("gst_registration", gst_retention),
        _from_start("account_registration"),
        _from_start("processing_log"),
    )
}


def rule(record_type: str) -> RetentionRule:
    return RULES[record_type]
