"""Gunicorn's settings for serving the portal:
`gunicorn -c python:marketplace.gunicorn_conf marketplace.wsgi:app`.

Every figure comes from the environment (the same variables the PaaS conventions use), with
defaults fit for one small machine; a bad value stops the start with a message naming the
variable. GUNICORN_CMD_ARGS (or the command line) still overrides any setting here.

Gunicorn reads this module in the master, before any worker builds the app, so it builds no
app and imports only the metrics' definitions (for the hook below) and nothing else of the app."""

import os

from marketplace import metrics


def _whole(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def _cpus() -> int:
    """The CPUs this process may run on (a container's pinned set, not the whole host's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _bind() -> list[str]:
    """BIND (comma-separated addresses, e.g. `0.0.0.0:8000` or `unix:/run/tradesetu.sock`), else
    HOST and PORT. Loopback by default: a proxy in front is the way in."""
    if os.environ.get("BIND", "").strip():
        return [part.strip() for part in os.environ["BIND"].split(",") if part.strip()]
    port = _whole("PORT", 8000, 1, 65535)
    return [f"{os.environ.get('HOST', '').strip() or '127.0.0.1'}:{port}"]


bind = _bind()

# Processes times threads is how many requests run at once. Each worker holds its own app,
# database pool and search handle, so memory and database connections grow with workers, not
# with threads: one per CPU, from 2 to 8 unless WEB_CONCURRENCY says otherwise.
workers = _whole("WEB_CONCURRENCY", min(max(2, _cpus()), 8), 1, 64)
threads = _whole("WEB_THREADS", 2, 1, 32)
worker_class = "gthread"

# A request that takes longer than WEB_TIMEOUT seconds has hung its worker: it is restarted.
# On stop or reload a worker finishes what it is serving for up to GRACEFUL_TIMEOUT seconds.
timeout = _whole("WEB_TIMEOUT", 30, 5, 600)
graceful_timeout = _whole("GRACEFUL_TIMEOUT", 30, 1, 600)
keepalive = 5  # seconds an idle connection from the proxy in front is kept open

# Workers are replaced after about MAX_REQUESTS requests (a slow leak cannot grow forever); the
# jitter keeps them from restarting all at once. With PROMETHEUS_MULTIPROC_DIR every worker that
# ever ran leaves its metric files, which each scrape reads: there the default is never.
_RECYCLE_DEFAULT = 0 if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else 1000
max_requests = _whole("MAX_REQUESTS", _RECYCLE_DEFAULT, 0, 1_000_000)
max_requests_jitter = max_requests // 10

# The workers' heartbeat files go to memory, not to a disk that may stall (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Forwarded headers are read by one layer only: the app's ProxyFix, which trusts exactly
# TRUSTED_PROXIES hops of X-Forwarded-For/-Proto/-Host (none by default). Gunicorn trusts no
# peer for them (nor a Unix socket's, which it would trust unconditionally), so a client can
# never claim HTTPS or an address by itself, whatever TRUSTED_PROXIES says.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

# Gunicorn's own messages go to stderr. Its access log stays off: the app writes one access
# line a request (with the route, the user and the request id, which gunicorn cannot know).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# ... in the portal's format (JSON in production) and through its redaction.
logger_class = "marketplace.gunicorn_logging.PortalLogger"


def child_exit(server: object, worker: object) -> None:
    """A dead worker's live gauges leave /metrics' sums (its counters stay): with
    PROMETHEUS_MULTIPROC_DIR, every worker's figures are summed at each scrape."""
    metrics.worker_exited(worker.pid)  # type: ignore[attr-defined]


# Several servers may run on one host; none should take over another's control socket.
control_socket_disable = True
