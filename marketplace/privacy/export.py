"""The access export (DPDP Act 2023 s.11): everything held about a person (`export_sections`),
as JSON and CSV in one ZIP. Each section is a list of flat records, so the same rows become
`<section>.csv` and one `export.json`."""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app

from marketplace.accounts.models import User
from marketplace.formatting import iso_utc
from marketplace.privacy import clock, export_sections
from marketplace.privacy.models import PrivacyRequest
from marketplace.spreadsheets import safe_cell

EXPORT_DAYS = 7


def _text(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "tzinfo"):
        return iso_utc(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def collect(user: User) -> dict[str, list[dict[str, Any]]]:
    """The export's sections (`export_sections`), each value as text."""
    return {
        name: [{key: _text(value) for key, value in row.items()} for row in rows]
        for name, rows in export_sections.collect(user).items()
    }


def write_zip(sections: dict[str, list[dict[str, Any]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "export.json", json.dumps(sections, indent=2, ensure_ascii=False, sort_keys=False)
        )
        for name, rows in sections.items():
            text = io.StringIO()
            columns = list(rows[0]) if rows else []
            writer = csv.DictWriter(text, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                # A spreadsheet must never run a cell; numbers stay numbers (-1 is not a formula).
                writer.writerow(
                    {
                        key: safe_cell(value) if isinstance(value, str) else value
                        for key, value in row.items()
                    }
                )
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()


def store(row: PrivacyRequest, payload: bytes) -> None:
    folder = Path(current_app.config["PRIVACY_EXPORT_PATH"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.zip"
    (folder / name).write_bytes(payload)
    row.export_name = name
    row.export_expires_at = clock.now() + timedelta(days=EXPORT_DAYS)
