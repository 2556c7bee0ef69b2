"""What must never leave the process in a log line or an error report: credentials (Authorization
headers, cookies, passwords, bearer tokens and API keys, signed links, webhook secrets) and
personal data (email addresses, phone numbers).

Two tools, used by the log records (`marketplace.logs`) and by the error reports
(`marketplace.error_reporting`) alike: `redact` rewrites free text by the shapes of those values,
and `redact_data` walks structured data (headers, form fields, JSON, log extras) and blanks every
value whose name is sensitive, whatever its shape."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

REDACTED = "[redacted]"

# Names of fields, headers, cookies and keys whose values are never kept, whatever they look like.
_SENSITIVE_NAME = re.compile(
    r"authorization|cookie|passw|pwd|secret|token|api[_-]?key|session|csrf|signature|otp"
    r"|credential|dsn|email|e-mail|phone|mobile|whatsapp|\bpan\b|aadhaar",
    re.IGNORECASE,
)

# The shapes of secrets and personal data in free text, each with its replacement. Order matters:
# the "name=value" forms come first, so that the name stays readable.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # An Authorization header's value, or a scheme and credential written out in a message.
    (re.compile(r"\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1 "),
    # name=value and "name": "value" pairs (query strings, form dumps, JSON, reprs of dicts).
    (
        re.compile(
            r"""(["']?[\w-]*(?:passw|pwd|secret|token|api[_-]?key|session|csrf|signature|otp"""
            r"""|authorization|cookie|credential)[\w-]*["']?\s*[:=]\s*["']?)[^"'&\s,;}]+""",
            re.IGNORECASE,
        ),
        r"\1",
    ),
    # A Cookie or Set-Cookie header written out whole.
    (re.compile(r"((?:set-)?cookie:\s*)[^\r\n]+", re.IGNORECASE), r"\1"),
    # The portal's own credentials: session tokens (mkt_), integration keys (mkk_), webhook
    # secrets (whsec_).
    (re.compile(r"\b(?:mkt|mkk|whsec)_[A-Za-z0-9_-]{8,}"), ""),
    # Signed values in three dotted parts: itsdangerous links (password reset, email
    # verification), Flask's session cookie, JWTs.
    # The last part must hold a capital or a digit, as a signature does and a dotted module path
    # (marketplace.leads.webhook_delivery) does not.
    (
        re.compile(
            r"\.?[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.(?=[a-z_-]*[A-Z0-9])[A-Za-z0-9_-]{20,}"
        ),
        "",
    ),
    # Fernet tokens: the encrypted fields (phone numbers, PAN) as stored.
    (re.compile(r"\bgAAAAA[A-Za-z0-9_=-]{20,}"), ""),
    # Email addresses.
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), ""),
    # Phone numbers: international (+country code), Indian mobiles with or without 0/91, and
    # any other run of 10 to 13 digits, spaced or not.
    (re.compile(r"\+\d{1,3}[\s.-]?\d(?:[\s.-]?\d){6,13}"), ""),
    (re.compile(r"(?<![\w.])(?:0|91)?[6-9]\d{4}[\s.-]?\d{5}(?![\w])"), ""),
    (re.compile(r"(?<![\w.])\d{10,13}(?![\w])"), ""),
)


def redact(text: str) -> str:
    """`text` with every credential and personal value that its shape gives away replaced."""
    for pattern, keep in _PATTERNS:
        text = pattern.sub(lambda match, keep=keep: match.expand(keep) + REDACTED, text)
    return text


def sensitive_name(name: object) -> bool:
    """Whether a field, header or key of this name holds a credential or personal data."""
    return isinstance(name, str) and _SENSITIVE_NAME.search(name) is not None


def redact_data(value: Any, name: object = None) -> Any:
    """A copy of `value` (text, numbers, mappings, lists) with every value under a sensitive
    name blanked and every string redacted. Other objects become their redacted text."""
    if name is not None and sensitive_name(name) and value not in (None, "", [], {}):
        return REDACTED
    if value is None or isinstance(value, bool | int | float | datetime | date):
        return value  # an error report's timestamps stay datetimes, which its sender formats
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {key: redact_data(item, key) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_data(item) for item in value]
    return redact(str(value))
