"""Reading the desk's own kinds of field from a request's data."""

from __future__ import annotations

from typing import Any

from marketplace.validation import Input


def choice(inp: Input, field: str, choices: type[Any], *, required: bool = True) -> Any:
    """One member of an enum, by value; a message naming the allowed values otherwise."""
    raw = inp.data.get(field)
    if raw is None or raw == "":
        if required:
            inp.fail(field, "this field is required")
        return None
    try:
        return choices(raw)
    except (ValueError, TypeError):
        allowed = ", ".join(str(choice) for choice in choices)
        inp.fail(field, f"must be one of: {allowed}")
        return None
