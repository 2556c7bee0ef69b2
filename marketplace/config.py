"""Configuration: one set of embedded defaults, overridden by environment variables.

Every setting is parsed and checked when the app starts; a bad value stops the start with a
message naming the variable, so a misconfigured node never serves a request.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from marketplace.credits.plans import parse_packs, parse_plans
from marketplace.legal_rules import rule as legal_rule


class ConfigError(RuntimeError):
    """The configuration cannot work; the message lists every problem found."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("must be true or false")


def _integer(minimum: int, maximum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not minimum <= number <= maximum:
            raise ValueError(f"must be between {minimum} and {maximum}")
        return number

    return parse


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError(f"must be one of: {', '.join(choices)}")
        return value

    return parse


def _url(*schemes: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in schemes or not (parts.netloc or parts.path):
            raise ValueError(
                f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}"
            )
        return value

    return parse


def _urls(*schemes: str) -> Callable[[str], str]:
    """One URL or several, comma-separated (a cluster's nodes); kept as one normalised string."""
    one = _url(*schemes)

    def parse(value: str) -> str:
        urls = [url.strip() for url in value.split(",")]
        if not all(urls):
            raise ValueError("must be URLs separated by single commas, with none empty")
        return ",".join(one(url) for url in urls)

    return parse


def _database_url(value: str) -> str:
    """Accept the usual spellings and always drive PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    if value.startswith(("postgresql+psycopg://", "sqlite:///")):
        return value
    raise ValueError("must be a postgresql:// or sqlite:/// URL")


def _fernet_keys(value: str) -> list[str]:
    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        raise ValueError("must hold at least one key")
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(
                "each key must be 32 url-safe base64-encoded bytes "
                "(make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from None
    return keys


def _sac(value: str) -> str:
    if not (len(value) == 6 and value.isascii() and value.isdigit() and value.startswith("99")):
        raise ValueError("must be a 6-digit services accounting code starting with 99")
    return value


def _secret_key(value: str) -> str:
    if len(value) < 32:
        raise ValueError("must be at least 32 characters")
    return value


# The secrets generated into instance/ when not set: fine on one machine, never in production.
GENERATED_SECRETS = ("SECRET_KEY", "FIELD_INDEX_KEY", "FIELD_ENCRYPTION_KEYS")

# The embedded defaults' portal and grievance officer are placeholders: no real portal is them.
PLACEHOLDER_IDENTITY = {
    "PORTAL_LEGAL_NAME": "TradeSetu Marketplace Private Limited",
    "PORTAL_GSTIN": "27AAJCT4821K1Z0",
    "PORTAL_ADDRESS": "4th Floor, Trade Centre, Bandra Kurla Complex, Bandra (East), "
    "Mumbai 400051, Maharashtra",
    "GRIEVANCE_OFFICER_NAME": "Meera Iyer",
    "GRIEVANCE_OFFICER_EMAIL": "grievance@tradesetu.example",
    "GRIEVANCE_OFFICER_PHONE": "+91 22 4000 1234",
    "GRIEVANCE_OFFICER_ADDRESS": "Grievance Officer, TradeSetu Marketplace Private Limited, "
    "4th Floor, Trade Centre, Bandra Kurla Complex, Mumbai 400051",
}

# The law's longest wait before an unused account is erased (DPDP Rules r.8(1)), in days.
_INACTIVE_DAYS_AT_MOST = int(legal_rule("inactive_period").value) * 365

# Environment variable -> (config key, parser). Anything not set keeps the embedded default.
_ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    # production refuses the embedded defaults that only suit one machine (validate_config)
    "APP_ENV": ("APP_ENV", _choice("development", "production")),
    "SECRET_KEY": ("SECRET_KEY", _secret_key),
    "FIELD_INDEX_KEY": ("FIELD_INDEX_KEY", _secret_key),
    "FIELD_ENCRYPTION_KEYS": ("FIELD_ENCRYPTION_KEYS", _fernet_keys),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", _database_url),
    "ELASTICSEARCH_URL": ("ELASTICSEARCH_URL", _urls("http", "https")),
    "ELASTICSEARCH_INDEX_PREFIX": ("ELASTICSEARCH_INDEX_PREFIX", str),
    "ELASTICSEARCH_SHARDS": ("ELASTICSEARCH_SHARDS", _integer(1, 64)),
    "ELASTICSEARCH_REPLICAS": ("ELASTICSEARCH_REPLICAS", _integer(0, 8)),
    "CELERY_BROKER_URL": ("CELERY_BROKER_URL", _url("redis", "rediss", "amqp")),
    "SEARCH_DRAIN_INTERVAL": ("SEARCH_DRAIN_INTERVAL", _integer(1, 3600)),
    "TASK_RELAY_POLL_MS": ("TASK_RELAY_POLL_MS", _integer(50, 60_000)),
    "REDIS_URL": ("REDIS_URL", _url("redis", "rediss")),
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": ("WEBHOOK_ALLOW_PRIVATE_TARGETS", _boolean),
    "WEBHOOK_SWEEP_INTERVAL": ("WEBHOOK_SWEEP_INTERVAL", _integer(1, 3600)),
    "ENQUIRY_NOTICE_INTERVAL": ("ENQUIRY_NOTICE_INTERVAL", _integer(1, 300)),
    "CRM_PULL_INTERVAL_SECONDS": ("CRM_PULL_INTERVAL_SECONDS", _integer(0, 3600)),
    "BUYLEAD_UNLOCK_CAP": ("BUYLEAD_UNLOCK_CAP", _integer(1, 100)),
    "BUYLEAD_OPEN_DAYS": ("BUYLEAD_OPEN_DAYS", _integer(1, 30)),
    "PRIVACY_INACTIVE_DAYS": ("PRIVACY_INACTIVE_DAYS", _integer(30, _INACTIVE_DAYS_AT_MOST)),
    "BUYLEAD_MATCH_LIMIT": ("BUYLEAD_MATCH_LIMIT", _integer(1, 200)),
    # A sales person gets round-robin leads only if signed in within this many days.
    "LEAD_ASSIGN_ACTIVE_DAYS": ("LEAD_ASSIGN_ACTIVE_DAYS", _integer(1, 365)),
    "BUYLEAD_REPORT_DAYS": ("BUYLEAD_REPORT_DAYS", _integer(1, 90)),
    "BUYLEAD_REPORTS_TO_CLOSE": ("BUYLEAD_REPORTS_TO_CLOSE", _integer(1, 100)),
    "BUYLEAD_FAKE_LIMIT": ("BUYLEAD_FAKE_LIMIT", _integer(1, 100)),
    "RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", _boolean),
    "BCRYPT_ROUNDS": ("BCRYPT_ROUNDS", _integer(4, 16)),
    "MAIL_BACKEND": ("MAIL_BACKEND", _choice("file", "smtp")),
    "MAIL_FROM": ("MAIL_FROM", str),
    "SMTP_HOST": ("SMTP_HOST", str),
    "SMTP_PORT": ("SMTP_PORT", _integer(1, 65535)),
    "SMTP_USERNAME": ("SMTP_USERNAME", str),
    "SMTP_PASSWORD": ("SMTP_PASSWORD", str),
    "SMTP_STARTTLS": ("SMTP_STARTTLS", _boolean),
    "SMS_BACKEND": ("SMS_BACKEND", _choice("file", "http")),
    "SMS_GATEWAY_URL": ("SMS_GATEWAY_URL", _url("http", "https")),
    "SMS_GATEWAY_TOKEN": ("SMS_GATEWAY_TOKEN", str),
    "SMS_SENDER_ID": ("SMS_SENDER_ID", str),
    # Who runs each outside service, as the sub-processors page names them (name, location)
    **{
        f"{service}_PROVIDER_{part}": (f"{service}_PROVIDER_{part}", str)
        for service in ("HOSTING", "SEARCH", "MAIL", "SMS")
        for part in ("NAME", "LOCATION")
    },
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", _boolean),
    "SESSION_IDLE_MINUTES": ("SESSION_IDLE_MINUTES", _integer(5, 24 * 60)),
    "SESSION_MAX_HOURS": ("SESSION_MAX_HOURS", _integer(1, 30 * 24)),
    "PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", _url("http", "https")),
    "UPLOAD_MAX_BYTES": ("MAX_CONTENT_LENGTH", _integer(1024, 50 * 1024 * 1024)),
    "SEARCH_INDEX_PATH": ("SEARCH_INDEX_PATH", str),
    "SEARCH_FACET_CACHE": ("SEARCH_FACET_CACHE", _integer(0, 100_000)),
    "LOG_LEVEL": ("LOG_LEVEL", _choice("DEBUG", "INFO", "WARNING", "ERROR")),
    # Observability: log lines as JSON or text, the token /metrics asks for, error reports
    "LOG_FORMAT": ("LOG_FORMAT", _choice("json", "text")),
    "METRICS_TOKEN": ("METRICS_TOKEN", _secret_key),
    "SENTRY_DSN": ("SENTRY_DSN", _url("http", "https")),
    "SENTRY_ENVIRONMENT": ("SENTRY_ENVIRONMENT", str),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", _integer(0, 5)),
    # Credits, payments and invoices
    "PAYMENT_GATEWAY": ("PAYMENT_GATEWAY", _choice("sandbox", "razorpay")),
    "RAZORPAY_KEY_ID": ("RAZORPAY_KEY_ID", str),
    "RAZORPAY_KEY_SECRET": ("RAZORPAY_KEY_SECRET", str),
    "RAZORPAY_WEBHOOK_SECRET": ("RAZORPAY_WEBHOOK_SECRET", str),
    "CREDIT_PLANS": ("CREDIT_PLANS", parse_plans),
    "CREDIT_PACKS": ("CREDIT_PACKS", parse_packs),
    "PORTAL_LEGAL_NAME": ("PORTAL_LEGAL_NAME", str),
    "PORTAL_GSTIN": ("PORTAL_GSTIN", str),
    "PORTAL_ADDRESS": ("PORTAL_ADDRESS", str),
    "GST_SAC": ("GST_SAC", _sac),
    # Where suppliers' GSTINs are checked: the offline sandbox, or a GSP's taxpayer search
    "GST_REGISTRY": ("GST_REGISTRY", _choice("sandbox", "http")),
    "GST_REGISTRY_URL": ("GST_REGISTRY_URL", _url("http", "https")),
    "GST_REGISTRY_KEY": ("GST_REGISTRY_KEY", str),
    "GST_REGISTRY_TIMEOUT": ("GST_REGISTRY_TIMEOUT", _integer(1, 60)),
    "GST_RECHECK_DAYS": ("GST_RECHECK_DAYS", _integer(1, 365)),
    # The grievance officer named on every page (IT Rules 2021 r.3(2); DPDP Rules 2025 r.9)
    "GRIEVANCE_OFFICER_NAME": ("GRIEVANCE_OFFICER_NAME", str),
    "GRIEVANCE_OFFICER_EMAIL": ("GRIEVANCE_OFFICER_EMAIL", str),
    "GRIEVANCE_OFFICER_PHONE": ("GRIEVANCE_OFFICER_PHONE", str),
    "GRIEVANCE_OFFICER_ADDRESS": ("GRIEVANCE_OFFICER_ADDRESS", str),
}


def defaults(instance_path: str) -> dict[str, Any]:
    """The embedded defaults: everything runs on one machine with no other service."""
    return {
        "APP_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'marketplace.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ELASTICSEARCH_URL": None,
        "ELASTICSEARCH_INDEX_PREFIX": "marketplace",
        # Primary shards per index (applied at the next rebuild) and copies of each on other
        # nodes (applied at start): see the README on sizing them.
        "ELASTICSEARCH_SHARDS": 1,
        "ELASTICSEARCH_REPLICAS": 1,
        "SEARCH_INDEX_PATH": str(Path(instance_path) / "search-index"),
        "SEARCH_FACET_CACHE": 1024,
        "CELERY_BROKER_URL": None,
        "SEARCH_DRAIN_INTERVAL": 30,
        # How often the relay looks for queued tasks: the most a task waits for the broker.
        "TASK_RELAY_POLL_MS": 200,
        "REDIS_URL": None,
        # Webhook URLs that resolve to private, loopback or link-local addresses are refused
        # (no probing of our own network through a supplier's webhook); tests turn this on.
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": False,
        "WEBHOOK_SWEEP_INTERVAL": 15,
        # How often beat tells suppliers of new enquiries: the most a notice waits for a worker.
        "ENQUIRY_NOTICE_INTERVAL": 2,
        # The IndiaMART-compatible pull's minimum interval per key, as IndiaMART's (5 minutes).
        "CRM_PULL_INTERVAL_SECONDS": 300,
        # A buy requirement: how many suppliers may unlock it, how long it stays open unless the
        # buyer says otherwise (at most 30 days), and how many suppliers it is matched to.
        "BUYLEAD_UNLOCK_CAP": 10,
        "BUYLEAD_OPEN_DAYS": 3,
        # An account unused this long is warned, then erased 48 hours later (DPDP Rules r.8).
        "PRIVACY_INACTIVE_DAYS": _INACTIVE_DAYS_AT_MOST,
        "BUYLEAD_MATCH_LIMIT": 20,
        "LEAD_ASSIGN_ACTIVE_DAYS": 7,
        # Bad BuyLeads: a supplier reports one within these days of unlocking it; this many upheld
        # reports close a requirement (and refund every unlock); a buyer with this many
        # requirements upheld as fake needs a verified mobile number to post another.
        "BUYLEAD_REPORT_DAYS": 7,
        "BUYLEAD_REPORTS_TO_CLOSE": 3,
        "BUYLEAD_FAKE_LIMIT": 2,
        "RATELIMIT_ENABLED": True,
        "BCRYPT_ROUNDS": 12,
        "MAIL_BACKEND": "file",
        "MAIL_FROM": "TradeSetu <no-reply@tradesetu.local>",
        "SMTP_HOST": None,
        "SMTP_PORT": 587,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_STARTTLS": True,
        "SMS_BACKEND": "file",
        "SMS_GATEWAY_URL": None,
        "SMS_GATEWAY_TOKEN": None,
        "SMS_SENDER_ID": "TRDSTU",  # six letters, as DLT sender ids are
        # The sub-processors page names the provider of each service in use: the company that
        # hosts the database, Redis and search servers (none: the operator's own), the search
        # cluster's when it differs, the mail and SMS providers (none: the SMTP or gateway host).
        **{
            f"{service}_PROVIDER_{part}": None
            for service in ("HOSTING", "SEARCH", "MAIL", "SMS")
            for part in ("NAME", "LOCATION")
        },
        "OUTBOX_PATH": str(Path(instance_path) / "outbox"),
        "UPLOAD_PATH": str(Path(instance_path) / "uploads"),
        # Access exports (ZIPs) wait here for their 7 days; the daily purge deletes them after.
        "PRIVACY_EXPORT_PATH": str(Path(instance_path) / "privacy-exports"),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "SESSION_COOKIE_SECURE": False,
        # A browser session ends after this long without a request, and this long after sign-in
        # whatever happens (remember-me included): OWASP ASVS 4.0 V3.3.2, level 2.
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_MAX_HOURS": 12,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PUBLIC_BASE_URL": None,
        "PRIVACY_POLICY_VERSION": "2026-11",
        "TERMS_VERSION": "2026-11",
        "API_TOKEN_TTL_HOURS": 24,
        "EMAIL_VERIFICATION_TTL_HOURS": 48,
        "PASSWORD_RESET_TTL_MINUTES": 60,
        "LOG_LEVEL": "INFO",
        # Text for a person at a terminal; production's default is JSON (see load_config).
        "LOG_FORMAT": "text",
        # /metrics answers only a request bearing this token; with none, it answers nobody.
        "METRICS_TOKEN": None,
        "SENTRY_DSN": None,
        "SENTRY_ENVIRONMENT": None,  # APP_ENV when not set
        "TRUSTED_PROXIES": 0,
        # Credits: plans (weekly allocation) and packs (credits, rupees before GST), the payment
        # gateway (the sandbox pays on a page of the portal itself: no money moves), and what
        # every tax invoice says about the portal.
        "PAYMENT_GATEWAY": "sandbox",
        "RAZORPAY_KEY_ID": None,
        "RAZORPAY_KEY_SECRET": None,
        "RAZORPAY_WEBHOOK_SECRET": None,
        "CREDIT_PLANS": parse_plans("Free:0,Silver:10,Gold:30"),
        "CREDIT_PACKS": parse_packs("10:999,50:3999,200:12999"),
        "PORTAL_LEGAL_NAME": PLACEHOLDER_IDENTITY["PORTAL_LEGAL_NAME"],
        "PORTAL_GSTIN": PLACEHOLDER_IDENTITY["PORTAL_GSTIN"],
        "PORTAL_ADDRESS": PLACEHOLDER_IDENTITY["PORTAL_ADDRESS"],
        # Sale of internet advertising space (heading 9983, group 99836): what a supplier buys
        # with credits is promotion to, and contact with, buyers on an online portal; 18% GST.
        "GST_SAC": "998365",
        # The GST registry that confirms suppliers' GSTINs: the sandbox answers from a fixture
        # of registrations (no network); `http` asks a GST Suvidha Provider's taxpayer search,
        # waiting at most GST_REGISTRY_TIMEOUT seconds. Verified GSTINs are checked again once
        # they are GST_RECHECK_DAYS old (monthly).
        "GST_REGISTRY": "sandbox",
        "GST_REGISTRY_URL": None,
        "GST_REGISTRY_KEY": None,
        "GST_REGISTRY_TIMEOUT": 10,
        "GST_RECHECK_DAYS": 30,
        "GRIEVANCE_OFFICER_NAME": PLACEHOLDER_IDENTITY["GRIEVANCE_OFFICER_NAME"],
        "GRIEVANCE_OFFICER_EMAIL": PLACEHOLDER_IDENTITY["GRIEVANCE_OFFICER_EMAIL"],
        "GRIEVANCE_OFFICER_PHONE": PLACEHOLDER_IDENTITY["GRIEVANCE_OFFICER_PHONE"],
        "GRIEVANCE_OFFICER_ADDRESS": PLACEHOLDER_IDENTITY["GRIEVANCE_OFFICER_ADDRESS"],
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    }


def _instance_secret(instance_path: str, filename: str, make: Callable[[], str]) -> str:
    """Read a generated secret from instance/, creating it (mode 0600) on first run."""
    path = Path(instance_path) / filename
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


# A refused value is echoed to help the operator, unless it may hold a secret: the message goes
# to the terminal, the process log and the log collector.
_SECRET_MARKS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "DSN", "URL")


def _as_shown(variable: str, raw: str) -> str:
    if any(mark in variable for mark in _SECRET_MARKS):
        return f"a value of {len(raw)} characters, not shown"
    return f"got {raw!r}"


def load_config(environ: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """Defaults, then the environment. Raises ConfigError naming every bad variable.

    Outside production, secrets not set are generated into instance/ (once per machine)."""
    config = defaults(instance_path)
    problems = []
    for variable, (key, parse) in _ENVIRONMENT.items():
        raw = environ.get(variable)
        if raw is None or raw.strip() == "":
            continue
        try:
            config[key] = parse(raw.strip())
        except ValueError as error:
            problems.append(f"{variable} {error} ({_as_shown(variable, raw)})")
    if problems:
        raise ConfigError("Bad configuration: " + "; ".join(problems))
    if config["APP_ENV"] == "production":
        # A log collector reads one JSON object a line; a person can still ask for text.
        if "LOG_FORMAT" not in environ:
            config["LOG_FORMAT"] = "json"
        # Nothing is generated: a secret that differs per machine (or sits in a file beside the
        # database) is refused by validate_config, which names each one missing.
        return config
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _instance_secret(
            instance_path, "secret_key", lambda: secrets.token_urlsafe(48)
        )
    if "FIELD_INDEX_KEY" not in config:
        config["FIELD_INDEX_KEY"] = _instance_secret(
            instance_path, "field_index_key", lambda: secrets.token_urlsafe(48)
        )
    if "FIELD_ENCRYPTION_KEYS" not in config:
        config["FIELD_ENCRYPTION_KEYS"] = [
            _instance_secret(
                instance_path, "field_encryption_key", lambda: Fernet.generate_key().decode()
            )
        ]
    return config
