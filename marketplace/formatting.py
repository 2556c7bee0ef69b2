"""How values are shown: in JSON (ISO 8601 UTC, decimal strings) and to people (Indian style).

Every page, mail and PDF formats moments, days, money and phone numbers through this module,
so a person reads one clock (IST, always labelled) and one date style ("21 Dec 2026")
everywhere; `register_filters` makes them the templates' filters. Days, times and money go
through Babel's Indian locales (en_IN, hi_IN: lakh and crore grouping, ₹, India's month names)
in the language of the request, or of the mail being written (marketplace.i18n)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote_plus

import phonenumbers
from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency
from flask import Flask, g, request
from flask_babel import get_locale
from stdnum.in_ import pan as stdnum_pan

from marketplace.db import IST

# Outside a request (a CLI command, a bench) values are shown as in English.
_ENGLISH_INDIA = Locale.parse("en_IN")


def _locale() -> Locale:
    return get_locale() or _ENGLISH_INDIA


def iso_utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(value: date | datetime | str) -> date | datetime:
    """Records kept as JSON (a deletion certificate) hold their moments as ISO strings."""
    if not isinstance(value, str):
        return value
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


def ist_date(value: date | datetime | str | None) -> str:
    """The day (or the day a moment falls on in India): '3 Dec 2026' (a day needs no zone)."""
    if value is None or value == "":
        return "—"
    value = _moment(value)
    if isinstance(value, datetime):
        value = value.astimezone(IST)
    return format_date(value, "d MMM y", locale=_locale())


def ist_time(value: datetime | str | None) -> str:
    """The time of day in India, labelled: '5:03 PM IST'."""
    if value is None or value == "":
        return "—"
    local = _moment(value).astimezone(IST)  # type: ignore[union-attr]
    return f"{format_time(local, 'h:mm a', locale=_locale())} IST"


def ist_moment(value: datetime | str | None) -> str:
    """A moment as people in India read it: '21 Dec 2026, 5:03 PM IST'."""
    return "—" if value is None or value == "" else f"{ist_date(value)}, {ist_time(value)}"


def export_moment(value: datetime | None) -> str:
    """A moment in a spreadsheet: ISO 8601 in India's time with its offset, which a
    spreadsheet sorts and a reader sees as IST ('2026-12-21T17:03:00+05:30')."""
    return "" if value is None else value.astimezone(IST).isoformat(timespec="seconds")


def mask_phone(phone: str | None) -> str | None:
    """+919876543210 -> +91 98XXXXXX10."""
    if not phone:
        return None
    national = phone[3:] if phone.startswith("+91") else phone
    return f"+91 {national[:2]}{'X' * (len(national) - 4)}{national[-2:]}"


def mask_name(name: str | None) -> str:
    """Ramesh -> Ra***h: enough to tell two buyers apart, not enough to find one."""
    if not name or not name.strip():
        return ""
    name = name.strip()
    return name[0] + "***" if len(name) <= 3 else f"{name[:2]}***{name[-1]}"


def mask_email(email: str | None) -> str:
    """ramesh@gmail.com -> r***@gmail.com."""
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_pan(pan: str | None) -> str | None:
    """The CBDT masking standard: ABCDEXXXXF."""
    return stdnum_pan.mask(pan) if pan else None


def format_phone(phone: str | None) -> str:
    """+919700000001 -> '+91 97000 00001', grouped as the numbering plan groups it."""
    if not phone:
        return ""
    if not phone.lstrip("+").isdigit():
        return phone  # already masked or grouped ("+91 98XXXXXX10"): shown as it is
    try:
        number = phonenumbers.parse(phone, "IN")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def rupees(amount: Decimal | str | None) -> str:
    """Indian digit grouping, paise always shown: 1234567.5 -> ₹12,34,567.50."""
    if amount is None or amount == "":
        return ""
    return format_currency(
        Decimal(amount), "INR", format="¤#,##,##0.00", locale=_locale(), currency_digits=False
    )


def money(amount: Decimal | str | None) -> str:
    """An amount as people read it: '₹6,00,000' when whole, '₹62.50' otherwise."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    if amount != amount.to_integral_value():
        return rupees(amount)
    return format_currency(
        amount, "INR", format="¤#,##,##0", locale=_locale(), currency_digits=False
    )


def sentence(message: str) -> str:
    """'this field is required' -> 'This field is required.' (Hindi ends with a danda: '।')."""
    message = str(message).strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    if message.endswith((".", "!", "?", "।")):
        return message
    return message + ("।" if _locale().language == "hi" else ".")


def url_with(**changes: object) -> str:
    """This page's address with some query parameters changed (None removes one). Changing a
    filter goes back to page 1. A results page has dozens of these links, so the current
    query is encoded once per request and each link only adds what it changes."""
    if "url_with_base" not in g:
        g.url_with_base = [(key, quote_plus(value)) for key, value in request.args.items()]
    dropped = {*changes, *(() if "page" in changes else ("page",))}
    pairs = [f"{key}={value}" for key, value in g.url_with_base if key not in dropped]
    pairs += [
        f"{key}={quote_plus(str(value))}"
        for key, value in changes.items()
        if value is not None and value != ""
    ]
    path = f"{request.script_root}{request.path}"
    return f"{path}?{'&'.join(pairs)}" if pairs else path


def register_filters(app: Flask) -> None:
    """The one place the templates' formatting filters come from."""
    for name, function in {
        "rupees": rupees,
        "money": money,
        "sentence": sentence,
        "mask_phone": mask_phone,
        "mask_pan": mask_pan,
        "phone": format_phone,
        "iso": iso_utc,
        "ist": ist_moment,
        "ist_date": ist_date,
        "ist_time": ist_time,
    }.items():
        app.add_template_filter(function, name)
    app.add_template_global(url_with)
