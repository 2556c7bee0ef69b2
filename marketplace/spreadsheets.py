"""Cells written for spreadsheets: every CSV export (leads, the catalogue, a privacy export) goes
through `safe_cell`.

A spreadsheet runs a cell that starts with =, +, - or @ as a formula, and a leading tab or
carriage return can hide one (OWASP: CSV injection). Such a cell gets a leading apostrophe,
which the spreadsheet reads as "this is text" and does not show.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula: None is empty, anything else its text,
    quoted when it starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
