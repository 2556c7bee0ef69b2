"""Private PostgreSQL and Redis servers for the fault tests, which stop and start them.

The shared servers (DATABASE_URL, REDIS_URL) serve CI runs and other people, so a fault test
never touches them: it starts its own cluster and redis-server on free ports in a temporary
folder, and throws them away afterwards. Without the binaries a test is skipped with the reason,
except under CI=1, where a missing binary fails the run (the faults must be proved there).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
# PostgreSQL refuses to run as root; as root the cluster runs as this unprivileged account.
POSTGRES_USER = "postgres"


def missing(what: str) -> None:
    """Skip the test for a missing binary, or fail it under CI, which must run it."""
    reason = f"{what} is not installed here: the fault test is skipped"
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and CI must run the fault tests")
    pytest.skip(reason)


def wait_for(check: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PrivatePostgres:
    """An initdb'd cluster of its own, trusting local connections, on a free port. Its folder
    is made directly under the system's temporary folder: pytest's own is private to root, and
    the server's account must reach its data."""

    def __init__(self) -> None:
        if not (POSTGRES_BIN / "initdb").exists():
            missing(f"PostgreSQL ({POSTGRES_BIN}/initdb)")
        self.folder = Path(tempfile.mkdtemp(prefix="tradesetu-postgres-"))
        self.data = self.folder / "pgdata"
        self.socket_dir = self.folder / "pgsocket"
        self.port = free_port()
        self.database = "faults"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"
        self._user: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(POSTGRES_USER)
            except KeyError:
                missing(f"an unprivileged '{POSTGRES_USER}' account to run PostgreSQL as root")
            self._user = ["runuser", "-u", POSTGRES_USER, "--"]
            self.folder.chmod(0o755)
            self._owner = (account.pw_uid, account.pw_gid)

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._user, *command], check=check, capture_output=True, text=True, timeout=60
        )

    def create(self) -> None:
        self.socket_dir.mkdir()
        self.data.mkdir(mode=0o700)
        if self._user:  # the server's account owns everything it writes: data, socket, log
            for path in (self.folder, self.socket_dir, self.data):
                os.chown(path, *self._owner)
        initdb = str(POSTGRES_BIN / "initdb")
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        createdb = str(POSTGRES_BIN / "createdb")
        self._run(createdb, "-h", str(self.socket_dir), "-p", str(self.port), "-U", "postgres",
                  self.database)  # fmt: skip

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "postgres.log")
        pg_ctl = str(POSTGRES_BIN / "pg_ctl")
        self._run(pg_ctl, "-D", str(self.data), "-l", log, "-o", options, "-w", action, *extra)

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        """Fast: every session is ended at once, as a crash or failover ends them."""
        self._pg_ctl("stop", "-m", mode)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    """A redis-server that keeps nothing on disk, on a free port."""

    def __init__(self, folder: Path):
        if shutil.which("redis-server") is None:
            missing("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = folder / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        arguments = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        arguments += ["--appendonly", "no", "--logfile", str(self.log)]
        self.process = subprocess.Popen(["redis-server", *arguments])
        wait_for(lambda: _listening(self.port), 10, "redis-server")

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture()
def private_postgres() -> Iterator[PrivatePostgres]:
    postgres = PrivatePostgres()
    try:
        postgres.create()
        yield postgres
    finally:
        postgres.destroy()


@pytest.fixture()
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
