"""The app's JSON reader: standard JSON only, so a bad body is a 400 and never a 500 later.

Python's json module accepts more than the standard: NaN and Infinity (and numbers like 1e999
that overflow to infinity), strings holding lone UTF-16 surrogates, which no database or encoder
can store, and nesting only bounded by the interpreter's recursion limit (a RecursionError, not a
ValueError). Every refusal is an `InvalidJSON`, a ValueError, which is what
`request.get_json(silent=True)` turns into None and `get_json()` into a 400.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 64  # far deeper than any of our documents; a deep one only costs CPU to walk

_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidJSON(ValueError):
    """The body parses with Python's json module but is not JSON we accept; says why."""


def _refuse_constant(name: str) -> float:
    raise InvalidJSON(f"numbers must be finite ({name} is not JSON)")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise InvalidJSON(f"numbers must be finite ({text[:20]} is out of range)")
    return number


def _check_text(text: str) -> None:
    # json decodes a surrogate pair to one character, so any surrogate left is a lone one
    if not text.isascii() and _SURROGATE.search(text):
        raise InvalidJSON("text must be valid Unicode (a lone surrogate escape such as \\ud800)")


def check_document(value: Any) -> None:
    """Walk a parsed document without recursion: refuse lone surrogates and deep nesting."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise InvalidJSON(f"nested more than {MAX_DEPTH} levels deep")
            if isinstance(item, dict):
                for key in item:
                    _check_text(key)
                pending.extend((child, depth + 1) for child in item.values())
            else:
                pending.extend((child, depth + 1) for child in item)


class JSONProvider(DefaultJSONProvider):
    sort_keys = False  # keep the contract's field order

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _refuse_constant)
        kwargs.setdefault("parse_float", _finite_float)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise InvalidJSON(f"nested more than {MAX_DEPTH} levels deep") from None
        check_document(value)
        return value
