"""The sub-processors page, drawn from the running configuration: a service is listed only when
the portal is configured to use it, under the provider's name the operator gives (or, without
one, the address it is reached at), so the page never names a service that is not in use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

NOT_STATED = "Not stated by the operator"
OWN_SERVERS = "The portal's operator, on its own servers"


@dataclass(frozen=True)
class SubProcessor:
    name: str
    purpose: str
    data: str
    location: str


def _host(url: str | None) -> str:
    """The host of a URL (never its credentials, path or query)."""
    return (urlsplit(url).hostname or "") if url else ""


def _hosting(config: Mapping[str, Any]) -> tuple[str, str]:
    name = config.get("HOSTING_PROVIDER_NAME") or OWN_SERVERS
    return name, config.get("HOSTING_PROVIDER_LOCATION") or NOT_STATED


def _stores(config: Mapping[str, Any]) -> list[SubProcessor]:
    """The database, the task queue and the search cluster, when they are separate services."""
    name, location = _hosting(config)
    rows = []
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        rows.append(
            SubProcessor(
                f"{name} (PostgreSQL database)",
                "Storing every record of the portal",
                "All the personal data described in the privacy notice",
                location,
            )
        )
    if config.get("CELERY_BROKER_URL") or config.get("REDIS_URL"):
        rows.append(
            SubProcessor(
                f"{name} (Redis)",
                "Queueing the portal's background work and counting requests for rate limits",
                "Record numbers of the work queued, and internet addresses for a few minutes",
                location,
            )
        )
    if config.get("ELASTICSEARCH_URL"):
        rows.append(
            SubProcessor(
                f"{config.get('SEARCH_PROVIDER_NAME') or name} (Elasticsearch)",
                "Searching the product catalogue",
                "Product listings and supplier business names (no buyer data)",
                config.get("SEARCH_PROVIDER_LOCATION") or location,
            )
        )
    return rows


def _messengers(config: Mapping[str, Any]) -> list[SubProcessor]:
    rows = []
    if config["MAIL_BACKEND"] == "smtp":
        rows.append(
            SubProcessor(
                config.get("MAIL_PROVIDER_NAME") or f"The email service at {config['SMTP_HOST']}",
                "Sending account, enquiry and complaint emails",
                "Name, email address, message content",
                config.get("MAIL_PROVIDER_LOCATION") or NOT_STATED,
            )
        )
    if config["SMS_BACKEND"] == "http":
        gateway = _host(config.get("SMS_GATEWAY_URL"))
        rows.append(
            SubProcessor(
                config.get("SMS_PROVIDER_NAME") or f"The SMS gateway at {gateway}",
                "One-time codes and alerts by SMS",
                "Mobile number, message text",
                config.get("SMS_PROVIDER_LOCATION") or NOT_STATED,
            )
        )
    return rows


def _services(config: Mapping[str, Any]) -> list[SubProcessor]:
    rows = []
    if config["PAYMENT_GATEWAY"] == "razorpay":
        rows.append(
            SubProcessor(
                "Razorpay Software Private Limited",
                "Payment of credit packs",
                "Name, email, mobile, payment details (held by Razorpay)",
                "India",
            )
        )
    if config.get("SENTRY_DSN"):
        rows.append(
            SubProcessor(
                f"The error-reporting service at {_host(config['SENTRY_DSN'])} (Sentry)",
                "Reports of the portal's own errors, so that they can be fixed",
                "Technical details of the failed request or task; passwords, tokens, cookies, "
                "form contents, email addresses and mobile numbers are removed before sending",
                "Where the operator's Sentry project is hosted",
            )
        )
    return rows


def sub_processors(config: Mapping[str, Any]) -> list[SubProcessor]:
    """The services the running configuration hands personal data to."""
    return [*_stores(config), *_messengers(config), *_services(config)]
