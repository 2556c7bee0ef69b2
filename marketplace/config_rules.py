"""The rules that span settings, checked last when the app starts: a combination that cannot
work, and in production (APP_ENV=production) every embedded default that only suits one machine.
Each problem names its variable; all of them are reported at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marketplace.accounts.identity import check_gstin  # the portal's own GSTIN is checked too
from marketplace.config import GENERATED_SECRETS, PLACEHOLDER_IDENTITY, ConfigError
from marketplace.validation import Invalid


def validate_config(config: Mapping[str, Any]) -> None:
    """Rules that span settings; run last in the app factory."""
    problems = []
    production = config["APP_ENV"] == "production"
    # In production the cost is checked below, tests or not, with production's own message.
    if config["BCRYPT_ROUNDS"] < 12 and not config.get("TESTING") and not production:
        problems.append("BCRYPT_ROUNDS must be 12 or more outside tests")
    if config["MAIL_BACKEND"] == "smtp" and not config["SMTP_HOST"]:
        problems.append("MAIL_BACKEND=smtp needs SMTP_HOST")
    if config["SMS_BACKEND"] == "http" and not config["SMS_GATEWAY_URL"]:
        problems.append("SMS_BACKEND=http needs SMS_GATEWAY_URL")
    if config["CELERY_BROKER_URL"] and not config["PUBLIC_BASE_URL"] and not config.get("TESTING"):
        # A worker has no request to take the host from: its mail would link to 127.0.0.1.
        problems.append(
            "CELERY_BROKER_URL needs PUBLIC_BASE_URL (the links in mail a worker sends)"
        )
    if config["SESSION_IDLE_MINUTES"] > config["SESSION_MAX_HOURS"] * 60:
        problems.append("SESSION_IDLE_MINUTES must not be longer than SESSION_MAX_HOURS")
    problems.extend(_payment_problems(config))
    problems.extend(_gst_registry_problems(config))
    if production:
        problems.extend(_production_problems(config))
    if problems:
        raise ConfigError("Bad configuration: " + "; ".join(problems))


def _payment_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    if config["PAYMENT_GATEWAY"] == "razorpay":
        for name in ("RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET", "RAZORPAY_WEBHOOK_SECRET"):
            if not config[name]:
                problems.append(f"PAYMENT_GATEWAY=razorpay needs {name}")
    try:
        check_gstin(config["PORTAL_GSTIN"])
    except Invalid as error:
        problems.append(f"PORTAL_GSTIN is not a valid GSTIN: {error}")
    if not config["CREDIT_PLANS"] or not config["CREDIT_PACKS"]:
        problems.append("CREDIT_PLANS and CREDIT_PACKS each need at least one entry")
    return problems


def _gst_registry_problems(config: Mapping[str, Any]) -> list[str]:
    if config["GST_REGISTRY"] != "http":
        return []
    return [
        f"GST_REGISTRY=http needs {name}"
        for name in ("GST_REGISTRY_URL", "GST_REGISTRY_KEY")
        if not config[name]
    ]


def _production_problems(config: Mapping[str, Any]) -> list[str]:
    """What APP_ENV=production refuses: every embedded default that only suits one machine."""
    return [
        *_production_secret_problems(config),
        *_production_cookie_problems(config),
        *_production_backend_problems(config),
        *_production_identity_problems(config),
        *_production_network_problems(config),
        *_production_password_problems(config),
        *_production_observability_problems(config),
    ]


def _production_secret_problems(config: Mapping[str, Any]) -> list[str]:
    return [
        f"{name} must be set in production (it is generated per machine otherwise)"
        for name in GENERATED_SECRETS
        if not config.get(name)
    ]


def _production_cookie_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    if not config["SESSION_COOKIE_SECURE"]:
        problems.append("SESSION_COOKIE_SECURE must be true in production (HTTPS only)")
    if not config.get("REMEMBER_COOKIE_SECURE", config["SESSION_COOKIE_SECURE"]):
        problems.append("REMEMBER_COOKIE_SECURE must be true in production (HTTPS only)")
    return problems


def _production_backend_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    if config["PAYMENT_GATEWAY"] == "sandbox":
        problems.append("PAYMENT_GATEWAY must not be sandbox in production (it moves no money)")
    if config["GST_REGISTRY"] == "sandbox":
        problems.append(
            "GST_REGISTRY must not be sandbox in production (it knows only test registrations)"
        )
    if config["MAIL_BACKEND"] == "file":
        problems.append("MAIL_BACKEND must not be file in production (no mail would leave)")
    if config["SMS_BACKEND"] == "file":
        problems.append("SMS_BACKEND must not be file in production (no SMS would leave)")
    return problems


def _production_identity_problems(config: Mapping[str, Any]) -> list[str]:
    # Compared as the portal reads them (a GSTIN in any case, any spacing, is the same GSTIN),
    # so the placeholder cannot pass by being retyped in other letters.
    return [
        f"{name} must be set in production (the default is a placeholder)"
        for name, placeholder in PLACEHOLDER_IDENTITY.items()
        if _comparable(config[name]) == _comparable(placeholder)
    ]


def _comparable(value: str) -> str:
    return re.sub(r"[\s-]+", "", str(value)).casefold()


def _production_network_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    # The app factory's own default: REDIS_URL when set, memory otherwise.
    storage = config.get("RATELIMIT_STORAGE_URI") or config["REDIS_URL"] or "memory://"
    if storage.startswith("memory://"):
        problems.append(
            "RATELIMIT_STORAGE_URI must not be memory:// in production "
            "(each process would count alone): set REDIS_URL"
        )
    if config["WEBHOOK_ALLOW_PRIVATE_TARGETS"]:
        problems.append(
            "WEBHOOK_ALLOW_PRIVATE_TARGETS must be false in production "
            "(webhooks could probe our own network)"
        )
    if not (config["PUBLIC_BASE_URL"] or "").startswith("https://"):
        problems.append(
            "PUBLIC_BASE_URL must be the site's https:// address in production (mailed links "
            "would otherwise be built from the request's Host header, which a sender chooses)"
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:"):
        problems.append(
            "DATABASE_URL must name a PostgreSQL server in production (SQLite in instance/ "
            "is one machine's file)"
        )
    return problems


def _production_observability_problems(config: Mapping[str, Any]) -> list[str]:
    if not config["METRICS_TOKEN"]:
        return ["METRICS_TOKEN must be set in production (/metrics answers only to it)"]
    return []


def _production_password_problems(config: Mapping[str, Any]) -> list[str]:
    if config["BCRYPT_ROUNDS"] < 12:
        return [f"BCRYPT_ROUNDS must be 12 or more in production (got {config['BCRYPT_ROUNDS']})"]
    return []
