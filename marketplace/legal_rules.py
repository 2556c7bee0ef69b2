"""Every legal number the portal works by, in one table: each rule's value, its unit, the law it
comes from, and plain words for the people it concerns.

The clocks (marketplace.legal_clocks), the retention rules (marketplace.privacy.retention), the
notices, the officer's pages and the README's privacy section all read these rules; a test
fails when a published notice states a period this table does not hold. This module imports
nothing of the app, so that configuration and every domain may read it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

# Flask-Babel only (no app module): the words are read in the reader's language inside a
# request or under marketplace.i18n.in_language, and in English everywhere else.
from flask_babel import gettext, ngettext


class Unit(enum.StrEnum):
    HOURS = "hours"
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"
    PERCENT = "percent"


class Kind(enum.StrEnum):
    CLOCK = "clock"  # a deadline the portal must meet
    RETENTION = "retention"  # how long a record is kept
    AGE = "age"
    TAX = "tax"


def N_(text: str) -> str:
    """Marks a rule's words for the catalogue; `Rule.sentence` translates them when read."""
    return text


_WORDS = {1: N_("one"), 2: N_("two"), 3: N_("three")}


def _in_units(unit: Unit, count: int, number: str) -> str:
    """'24 hours', 'one year' (and their Hindi): one whole phrase per unit, for the plurals."""
    if unit == Unit.HOURS:
        return ngettext("%(count)s hour", "%(count)s hours", count, count=number)
    if unit == Unit.DAYS:
        return ngettext("%(count)s day", "%(count)s days", count, count=number)
    if unit == Unit.MONTHS:
        return ngettext("%(count)s month", "%(count)s months", count, count=number)
    return ngettext("%(count)s year", "%(count)s years", count, count=number)


IT_RULES = "IT (Intermediary Guidelines and Digital Media Ethics Code) Rules 2021"
DPDP_RULES = "Digital Personal Data Protection Rules 2025"
CGST_S36 = "CGST Act 2017 s.36 with CGST Rules 2017 r.56"


@dataclass(frozen=True)
class Rule:
    key: str
    kind: Kind
    value: int | Decimal
    unit: Unit
    # The texts are kept in English and read in the reader's language (the properties below).
    law_text: str  # the act and section (as the law names it), or why no law sets it
    what_text: str  # what the rule is about, as a heading
    words: str  # the rule for a person to read: '{period}' is replaced by the period
    where_text: str = ""  # for a retention rule: where the record is kept
    starts: str = ""  # when the clock starts, when not at once

    @property
    def period(self) -> str:
        """'24 hours', '15 days', '72 months', 'one year', 'three years', '18%'."""
        if self.unit == Unit.PERCENT:
            return f"{self.value}%"
        count = int(self.value)
        number = (
            gettext(_WORDS[count]) if self.unit == Unit.YEARS and count in _WORDS else str(count)
        )
        return _in_units(self.unit, count, number)

    @property
    def law(self) -> str:
        return gettext(self.law_text)

    @property
    def what(self) -> str:
        return gettext(self.what_text)

    @property
    def where(self) -> str:
        return gettext(self.where_text) if self.where_text else ""

    # A clock's reading, as marketplace.legal_clocks has always offered it.
    @property
    def name(self) -> str:
        return self.key

    @property
    def source(self) -> str:
        return self.law

    def due(self, start: datetime) -> datetime:
        return self.after(start)

    @property
    def sentence(self) -> str:
        return gettext(self.words).format(period=self.period)

    @property
    def duration(self) -> timedelta:
        """Hours and days as an exact span (months and years need the calendar: `after`)."""
        if self.unit == Unit.HOURS:
            return timedelta(hours=int(self.value))
        if self.unit == Unit.DAYS:
            return timedelta(days=int(self.value))
        raise ValueError(f"{self.key} is counted in {self.unit}: use after()")

    def after(self, moment: datetime) -> datetime:
        """The moment the period ends, counted from `moment` on the calendar (a year from
        29 February ends on 28 February)."""
        if self.unit in (Unit.HOURS, Unit.DAYS):
            return moment + self.duration
        if self.unit not in (Unit.MONTHS, Unit.YEARS):
            raise ValueError(f"{self.key} is not a period")
        months = int(self.value) * (12 if self.unit == Unit.YEARS else 1)
        return add_months(moment, months)

    def before(self, moment: datetime) -> datetime:
        """The moment the period ending at `moment` started (a cut-off for purges)."""
        if self.unit in (Unit.HOURS, Unit.DAYS):
            return moment - self.duration
        months = int(self.value) * (12 if self.unit == Unit.YEARS else 1)
        return add_months(moment, -months)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (or earlier), on the month's last day when the
    month is shorter."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=min(moment.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        # --- clocks --------------------------------------------------------------------------
        Rule(
            "grievance_acknowledge",
            Kind.CLOCK,
            24,
            Unit.HOURS,
            f"{IT_RULES}, r.3(2)(a)(i)",
            N_("Acknowledging a complaint"),
            N_("We acknowledge a complaint within {period}."),
        ),
        Rule(
            "grievance_resolve",
            Kind.CLOCK,
            15,
            Unit.DAYS,
            f"{IT_RULES}, r.3(2)(a)(i)",
            N_("Resolving a complaint"),
            N_("We resolve a complaint within {period} of receiving it."),
        ),
        Rule(
            "content_removal",
            Kind.CLOCK,
            72,
            Unit.HOURS,
            f"{IT_RULES}, r.3(2)(a)(i), proviso (as amended on 28 October 2022)",
            N_("A complaint asking us to remove content"),
            N_(
                "We act on a complaint asking us to remove content within {period} of receiving it."
            ),
        ),
        Rule(
            "privacy_request",
            Kind.CLOCK,
            90,
            Unit.DAYS,
            f"{DPDP_RULES}, r.14(3)",
            N_("Answering a request about your personal data"),
            N_("We answer a request about your personal data within {period} at the latest."),
        ),
        Rule(
            "appeal_window",
            Kind.CLOCK,
            30,
            Unit.DAYS,
            f"{IT_RULES}, r.3A (Grievance Appellate Committee)",
            N_("Appealing a decision"),
            N_("You may appeal a decision on your complaint within {period} of it."),
        ),
        Rule(
            "breach_report",
            Kind.CLOCK,
            72,
            Unit.HOURS,
            f"{DPDP_RULES}, r.7(2)(b)",
            N_("Reporting a personal data breach to the Data Protection Board"),
            N_(
                "We report a personal data breach in detail to the Data Protection Board within "
                "{period} of learning of it, and tell each person affected without delay."
            ),
        ),
        Rule(
            "inactive_period",
            Kind.CLOCK,
            3,
            Unit.YEARS,
            f"{DPDP_RULES}, r.8(1) and the Third Schedule",
            N_("An account nobody uses"),
            N_(
                "We erase an account that has not been used at all (no sign-in, no use of its "
                "keys, no enquiry, message or order) for {period} at the most."
            ),
        ),
        Rule(
            "inactive_erasure_notice",
            Kind.CLOCK,
            48,
            Unit.HOURS,
            f"{DPDP_RULES}, r.8(2)",
            N_("Warning before erasing an unused account"),
            N_("We write to you {period} before we erase an unused account; signing in keeps it."),
        ),
        Rule(
            "notice_announcement",
            Kind.CLOCK,
            30,
            Unit.DAYS,
            N_("Our own rule: no law sets the time"),
            N_("Announcing a change to this notice"),
            N_("We announce a material change to this notice {period} before it takes effect."),
        ),
        # --- retention -----------------------------------------------------------------------
        Rule(
            "tax_invoice",
            Kind.RETENTION,
            72,
            Unit.MONTHS,
            CGST_S36,
            N_("Tax invoices and credit notes"),
            N_(
                "Tax invoices and credit notes are kept until {period} after the due date of the "
                "annual GST return for the year they belong to (31 December after the financial "
                "year ends), as tax law requires."
            ),
            where_text=N_("the invoices table, and the statutory archive after an erasure"),
            starts="the due date of the annual return for the invoice's financial year",
        ),
        Rule(
            "gst_registration",
            Kind.RETENTION,
            72,
            Unit.MONTHS,
            CGST_S36,
            N_("The business's GST registration details"),
            N_(
                "A supplier's GST registration details (legal name, GSTIN, address) are kept until "
                "{period} after the due date of the annual GST return for the year the account "
                "was closed, as tax law requires for the invoices they support."
            ),
            where_text=N_("the statutory archive, after the account is erased"),
            starts="the due date of the annual return for the year of cancellation",
        ),
        Rule(
            "account_registration",
            Kind.RETENTION,
            180,
            Unit.DAYS,
            f"{IT_RULES}, r.3(1)(h)",
            N_("Registration details of a cancelled account"),
            N_(
                "The registration details of a cancelled account (name, email, mobile) are kept "
                "for {period} after the cancellation, as the IT Rules require."
            ),
            where_text=N_("the statutory archive, after the account is erased"),
            starts="the cancellation",
        ),
        Rule(
            "processing_log",
            Kind.RETENTION,
            1,
            Unit.YEARS,
            f"{DPDP_RULES}, r.8(3)",
            N_("Logs of the processing of personal data"),
            N_(
                "Logs of what was done with personal data (the audit log), with the internet "
                "address and browser a request came from, are kept for {period}, as the DPDP "
                "Rules require; then the address and browser are removed."
            ),
            where_text=N_(
                "the audit log, the consent ledger, and the statutory archive after an erasure"
            ),
            starts="the moment the entry was written",
        ),
        Rule(
            "access_export",
            Kind.RETENTION,
            7,
            Unit.DAYS,
            N_("Our own rule: no law sets the time"),
            N_("A copy of your data you asked for"),
            N_(
                "A copy of your data that you ask for is kept for {period} for you to download, "
                "then deleted."
            ),
            where_text=N_("the export folder on the portal's server"),
            starts="the moment the copy is ready",
        ),
        # --- age and tax ---------------------------------------------------------------------
        Rule(
            "adult_age",
            Kind.AGE,
            18,
            Unit.YEARS,
            "DPDP Act 2023 s.2(j) and s.9; Majority Act 1875 s.3",
            N_("Who may hold an account"),
            N_("You must be {period} of age or older to hold an account."),
        ),
        Rule(
            "gst_credit_packs",
            Kind.TAX,
            Decimal("18"),
            Unit.PERCENT,
            "CGST Act 2017 s.9 and IGST Act 2017 s.5; Notification 11/2017-Central Tax (Rate), "
            "SAC 9983",
            N_("GST on credit packs"),
            N_(
                "Credit packs carry GST at {period}: CGST and SGST at half each within the "
                "portal's state, IGST from another state."
            ),
        ),
    )
}


def rule(key: str) -> Rule:
    return RULES[key]


ADULT_AGE = int(rule("adult_age").value)  # in years, as forms and messages state it


def of_kind(kind: Kind) -> list[Rule]:
    return [item for item in RULES.values() if item.kind == kind]


# --- periods stated in text --------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "thirty": 30,
}
PERIOD_PHRASE = re.compile(
    r"\b(\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")[\s-]+(hour|day|month|year)s?\b",
    re.IGNORECASE,
)


# The same in Hindi: '24 घंटे', '15 दिन', '72 महीने', 'तीन साल' (and their oblique forms).
_HINDI_NUMBER_WORDS = {"एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5, "सात": 7, "दस": 10}
_HINDI_UNITS = {
    "घंटा": Unit.HOURS,
    "घंटे": Unit.HOURS,
    "घंटों": Unit.HOURS,
    "दिन": Unit.DAYS,
    "दिनों": Unit.DAYS,
    "महीना": Unit.MONTHS,
    "महीने": Unit.MONTHS,
    "महीनों": Unit.MONTHS,
    "साल": Unit.YEARS,
    "सालों": Unit.YEARS,
    "वर्ष": Unit.YEARS,
}
HINDI_PERIOD_PHRASE = re.compile(
    r"(?<![\w\u0900-\u097F])(\d[\d,]*|"
    + "|".join(_HINDI_NUMBER_WORDS)
    + r")[\s-]+("
    + "|".join(sorted(_HINDI_UNITS, key=len, reverse=True))
    + r")(?![\w\u0900-\u097F])"
)


def stated_periods(text: str) -> list[tuple[str, int, Unit]]:
    """Every 'N hours/days/months/years' phrase in `text`, in English or Hindi:
    (phrase, number, unit)."""
    found = []
    for match in PERIOD_PHRASE.finditer(text):
        raw = match.group(1).lower().replace(",", "")
        number = _NUMBER_WORDS.get(raw) or int(raw)
        found.append((match.group(0), number, Unit(match.group(2).lower() + "s")))
    for match in HINDI_PERIOD_PHRASE.finditer(text):
        raw = match.group(1).replace(",", "")
        number = _HINDI_NUMBER_WORDS.get(raw) or int(raw)
        found.append((match.group(0), number, _HINDI_UNITS[match.group(2)]))
    return found


def held_periods() -> set[tuple[int, Unit]]:
    return {(int(item.value), item.unit) for item in RULES.values() if item.unit != Unit.PERCENT}


def periods_not_held(text: str) -> list[str]:
    """The period phrases of `text` that no rule of the table holds."""
    held = held_periods()
    return [phrase for phrase, number, unit in stated_periods(text) if (number, unit) not in held]


# --- the README's privacy section ----------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The rules as the README's privacy section states them (`flask privacy rules`): what is
    kept, where, for how long and why, then the clocks, age and tax."""
    lines = [
        "| What is kept | Where | For how long | Why (the law) |",
        "| --- | --- | --- | --- |",
    ]
    for item in of_kind(Kind.RETENTION):
        lines.append(
            f"| {_cell(item.what)} | {_cell(item.where)} | {_cell(item.sentence)} "
            f"| {_cell(item.law)} |"
        )
    lines += ["", "| Rule | Value | In words | The law |", "| --- | --- | --- | --- |"]
    for item in RULES.values():
        if item.kind != Kind.RETENTION:
            lines.append(
                f"| {_cell(item.what)} | {item.period} | {_cell(item.sentence)} "
                f"| {_cell(item.law)} |"
            )
    return "\n".join(lines) + "\n"
