"""How values are shown: in JSON (ISO 8601 UTC, decimal strings) and in pages (Indian style)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote_plus

from flask import g, request
from stdnum.in_ import pan as stdnum_pan

from marketplace.db import IST


def iso_utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ist_date(value: datetime | None) -> str:
    """The day a moment falls on in India: '03 Dec 2026' (a day needs no zone label)."""
    return value.astimezone(IST).strftime("%d %b %Y") if value is not None else ""


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
    if not phone:
        return ""
    national = phone[3:] if phone.startswith("+91") else phone
    return f"+91 {national[:5]} {national[5:]}"


def rupees(amount: Decimal | str | None) -> str:
    """Indian digit grouping: 1234567.5 -> ₹12,34,567.50."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    whole, _, paise = f"{amount:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    grouped = ",".join([*groups, tail]) if groups else tail
    return f"{sign}₹{grouped}.{paise}"


def sentence(message: str) -> str:
    """'this field is required' -> 'This field is required.'"""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


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
