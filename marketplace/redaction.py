"""What must never leave the process in a log line or an error report: credentials (Authorization
headers, cookies, passwords, bearer tokens and API keys, signed links, webhook secrets) and
personal data (email addresses, phone numbers), and the arguments and results of tasks (an SMS's
one-time code, an email's body: whatever a person typed).

Two tools, used by the log records (`marketplace.logs`) and by the error reports
(`marketplace.error_reporting`) alike: `redact` rewrites free text by the shapes of those values,
and `redact_data` walks structured data (headers, form fields, JSON, log extras) and blanks every
value whose name is sensitive, whatever its shape; URLs and query strings are decoded first, so
that an escaped address (bob%40example.com) shows its shape."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote_plus

REDACTED = "[redacted]"

# Names of fields, headers, cookies and keys whose values are never kept, whatever they look like.
_SENSITIVE_NAME = re.compile(
    r"authorization|cookie|passw|pwd|secret|token|api[_-]?key|session|csrf|signature|otp"
    r"|credential|dsn|email|e-mail|phone|mobile|whatsapp|\bpan\b|aadhaar",
    re.IGNORECASE,
)

# Celery's names for a task's arguments and result (in its log lines' `data` extra and their
# message, in Sentry's `celery-job`): their values are never kept, a task's inputs being user data.
_TASK_PAYLOAD = frozenset({"args", "kwargs", "return_value", "argsrepr", "kwargsrepr"})

# Names whose values are URLs or query strings, decoded before they are redacted.
_URL_NAME = re.compile(r"url|uri|query|referr?er|origin|location|href|link", re.IGNORECASE)

# The names whose value follows them in free text ("name=value", "name: value", "--name value");
# pydantic's input_value is whatever was typed into the field.
_VALUE_NAME = (
    r"passw|pwd|secret|token|api[_-]?key|session|csrf|signature|otp|authorization|cookie"
    r"|credential|e-?mail|phone|mobile|input_value"
)
# A value: quoted (up to its closing quote, spaces and all, or the end of the line if cut
# short), a dict or list repr, or a bare word.
_VALUE = r"""(?:(["'])(?:(?!\2)[^\n])*|\{[^}\n]*\}?|\[[^\]\n]*\]?|[^"'&\s,;}\]]+)"""

# A separator inside a phone number: a space, dash or dot, with brackets around an area code.
_PHONE_SEP = r"(?:\)?[ .-]?\(?)"

# The shapes of secrets and personal data in free text, each with its replacement. Order matters:
# the "name=value" forms come first, so that the name stays readable.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # An Authorization header's value, or a scheme and credential written out in a message.
    (re.compile(r"\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1 "),
    # name=value and "name": "value" pairs (query strings, form dumps, JSON, reprs of dicts).
    (
        re.compile(
            rf"""(["']?[\w.-]*(?:{_VALUE_NAME})[\w-]*["']?\s*[:=]\s*){_VALUE}""", re.IGNORECASE
        ),
        r"\1\2",
    ),
    # A command line's option and its value (`--password Sup3r`).
    (re.compile(rf"""(--[\w-]*(?:{_VALUE_NAME})[\w-]*\s+)(?!-){_VALUE}""", re.IGNORECASE), r"\1\2"),
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
    # Phone numbers however written: with a country code (+, 8 to 15 digits), or 10 to 13 digits
    # (an Indian mobile with or without 0 or 91, or any other number), spaced, dashed, dotted or
    # bracketed. Not a run inside a word, time or dotted number (after a + anything goes); not
    # an amount or a time in seconds (digits, a dot, one to three decimals); not ended inside a
    # longer run or by a lone digit (an access line's "/products/987654 404 3.2 ms").
    (
        re.compile(
            rf"(?:(?<![\w+])\(?\+\d(?:{_PHONE_SEP}\d){{7,14}}"
            r"|(?<![\w.+:-])(?!\d{4,}\.\d{1,3}(?![\d]|[ .-]\d))"
            rf"\(?\d(?:{_PHONE_SEP}\d){{9,12}})"
            r"(?<![ .()-]\d)(?![\w-]|[.:/]\d)"
        ),
        "",
    ),
)


def redact(text: str) -> str:
    """`text` with every credential and personal value that its shape gives away replaced."""
    for pattern, keep in _PATTERNS:
        text = pattern.sub(lambda match, keep=keep: match.expand(keep) + REDACTED, text)
    return text


def sensitive_name(name: object) -> bool:
    """Whether a field, header or key of this name holds a credential, personal data or a task's
    arguments or result."""
    return isinstance(name, str) and (
        name.lower() in _TASK_PAYLOAD or _SENSITIVE_NAME.search(name) is not None
    )


def redact_data(value: Any, name: object = None) -> Any:
    """A copy of `value` (text, numbers, mappings, lists) with every value under a sensitive
    name blanked and every string redacted. Other objects become their redacted text."""
    if name is not None and sensitive_name(name) and value not in (None, "", [], {}):
        return REDACTED
    if value is None or isinstance(value, bool | int | float | datetime | date):
        return value  # an error report's timestamps stay datetimes, which its sender formats
    if isinstance(value, str):
        url_like = isinstance(name, str) and _URL_NAME.search(name) is not None
        return redact(unquote_plus(value) if url_like else value)
    if isinstance(value, Mapping):
        return {key: redact_data(item, key) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return _redact_items(list(value))
    return redact(str(value))


def _redact_items(items: list[Any]) -> list[Any]:
    """Each item redacted, and an item after a sensitive option (a command line's `--password`,
    as in `sys.argv`) blanked whatever its shape."""
    kept = []
    for index, item in enumerate(items):
        option = items[index - 1] if index else None
        after_option = isinstance(option, str) and option.startswith("-") and "=" not in option
        kept.append(redact_data(item, option if after_option else None))
    return kept
