"""One run of a job at a time, across every worker and beat.

PostgreSQL's session advisory locks on a dedicated connection (every node shares the
database); on SQLite, which means one machine, an exclusive lock on a file in instance/. Both
are released by the server or the kernel when the holder dies, so a killed worker never leaves
a job locked out.
"""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from marketplace.extensions import db

_POLL_SECONDS = 0.05


def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def job_lock(name: str, wait: float = 0) -> Iterator[bool]:
    """Yield True holding the lock named `name`, or False if another run held it for `wait`
    seconds. A periodic run passes no wait and skips; an on-demand run waits its turn."""
    deadline = time.monotonic() + wait
    if db.engine.dialect.name == "postgresql":
        key = _advisory_key(name)
        with db.engine.connect() as connection:
            while not (held := connection.scalar(select(func.pg_try_advisory_lock(key)))):
                if time.monotonic() >= deadline:
                    break
                time.sleep(_POLL_SECONDS)
            connection.commit()
            try:
                yield bool(held)
            finally:
                if held:
                    connection.scalar(select(func.pg_advisory_unlock(key)))
                    connection.commit()
        return
    folder = Path(current_app.instance_path) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    held = False
                    break
                time.sleep(_POLL_SECONDS)
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)
