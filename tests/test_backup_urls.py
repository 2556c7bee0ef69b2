"""scripts/pg-url, which scripts/backup and scripts/restore use: the database's password never
goes on a command line (every user of the machine reads those in `ps`), it goes to PGPASSWORD."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

PG_URL = Path(__file__).resolve().parent.parent / "scripts" / "pg-url"


def _assignments(url: str) -> dict[str, str]:
    done = subprocess.run([str(PG_URL), url], capture_output=True, text=True, check=True)
    pairs = [shlex.split(line.removeprefix("export "))[0] for line in done.stdout.splitlines()]
    return dict(pair.split("=", 1) for pair in pairs)


@pytest.mark.parametrize(
    ("url", "target", "password"),
    [
        (
            "postgresql+psycopg://app:s3cr%40t@db.internal:5432/market",
            "postgresql://app@db.internal:5432/market",
            "s3cr@t",
        ),
        ("postgresql://app:it's-$ecret@db/market", "postgresql://app@db/market", "it's-$ecret"),
        ("postgresql://app@db/market", "postgresql://app@db/market", None),
        ("market", "market", None),
        ("", "", None),
    ],
)
def test_the_password_leaves_the_url_for_pgpassword(url, target, password):
    assigned = _assignments(url)
    assert assigned["target"] == target
    assert assigned.get("PGPASSWORD") == password


def test_the_scripts_name_the_database_without_its_password():
    for script in ("backup", "restore"):
        text = (PG_URL.parent / script).read_text()
        assert 'eval "$("$(dirname "$0")/pg-url" "$target")"' in text
