"""One table of legal numbers: the clocks and retention rules read it, the notices and the
officer's pages are drawn from it (a notice that states a period the table does not hold fails
here), and the sub-processors page lists only the services the running configuration uses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from marketplace.credits import invoices
from marketplace.grievances.notices import fill_rules
from marketplace.grievances.sub_processors import sub_processors
from marketplace.legal_clocks import CLOCKS
from marketplace.legal_rules import RULES, Kind, markdown, of_kind, periods_not_held, rule
from marketplace.privacy import export
from marketplace.privacy.notice import ANNOUNCE_DAYS
from marketplace.privacy.retention import RULES as RETENTION
from tests import factories
from tests.conftest import sign_in_page

PUBLISHED = (
    "/notices/privacy",
    "/notices/terms",
    "/notices/grievance-officer",
    "/notices/sub-processors",
    "/grievances/new",
)


def _text(html: str) -> str:
    without_markup = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(without_markup))


# --- the table --------------------------------------------------------------------------------


def test_the_table_holds_every_number_the_issue_names() -> None:
    expected = {
        "grievance_acknowledge": (24, "hours"),
        "grievance_resolve": (15, "days"),
        "content_removal": (72, "hours"),
        "privacy_request": (90, "days"),
        "breach_report": (72, "hours"),
        "inactive_erasure_notice": (48, "hours"),
        "inactive_period": (3, "years"),
        "account_registration": (180, "days"),
        "tax_invoice": (72, "months"),
        "processing_log": (1, "years"),
        "adult_age": (18, "years"),
        "gst_credit_packs": (Decimal("18"), "percent"),
    }
    assert {key: (RULES[key].value, str(RULES[key].unit)) for key in expected} == expected
    for item in RULES.values():
        assert item.law and item.what and "{period}" in item.words, item.key


def test_the_clocks_and_retention_rules_are_the_tables() -> None:
    assert set(CLOCKS) == {item.key for item in of_kind(Kind.CLOCK)}
    start = datetime(2026, 5, 15, 4, 30, tzinfo=UTC)
    assert CLOCKS["content_removal"].due(start) == datetime(2026, 5, 18, 4, 30, tzinfo=UTC)
    assert RETENTION["account_registration"].retain_until(start) == datetime(
        2026, 11, 11, 4, 30, tzinfo=UTC
    )
    # One year on the calendar (a year from 29 February ends on 28 February), to the second.
    assert RETENTION["processing_log"].retain_until(
        datetime(2028, 2, 29, 10, 0, 1, tzinfo=UTC)
    ) == datetime(2029, 2, 28, 10, 0, 1, tzinfo=UTC)
    for record_type, retention in RETENTION.items():
        assert retention.legal_basis == rule(record_type).law


def test_numbers_kept_elsewhere_agree_with_the_table() -> None:
    """Until their owners read the table, the copies kept elsewhere must not drift from it."""
    assert rule("gst_credit_packs").value == invoices.GST_RATE
    assert rule("access_export").value == export.EXPORT_DAYS
    assert rule("notice_announcement").value == ANNOUNCE_DAYS


def test_the_period_check_finds_a_period_the_table_does_not_hold() -> None:
    assert periods_not_held("tax law requires us to keep invoices for eight years") == [
        "eight years"
    ]
    assert periods_not_held("answered within 15 days, and 90-days at the latest") == []
    assert periods_not_held("within 14 days") == ["14 days"]


def test_an_unknown_rule_in_a_notice_fails_loudly() -> None:
    with pytest.raises(KeyError):
        fill_rules("kept for {period:no_such_rule}")


# --- the notices --------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLISHED)
def test_no_published_notice_states_a_period_the_table_does_not_hold(client, path) -> None:
    page = client.get(path)
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert periods_not_held(text) == []
    assert "{" not in text.replace("{}", "")  # every rule reference was filled


def test_the_privacy_page_and_officer_pages_state_only_the_tables_periods(app, ctx, client) -> None:
    sign_in_page(client, factories.buyer())
    assert periods_not_held(_text(client.get("/privacy/").get_data(as_text=True))) == []
    officer_client = app.test_client()
    sign_in_page(officer_client, factories.staff())
    page = _text(officer_client.get("/privacy/officer").get_data(as_text=True))
    assert periods_not_held(page) == []
    # The retention table is drawn from the rules: each one's sentence and law are shown.
    for item in of_kind(Kind.RETENTION):
        assert item.sentence in page and item.law in page


def test_the_privacy_notice_states_the_periods_the_code_keeps(client) -> None:
    text = _text(client.get("/notices/privacy").get_data(as_text=True))
    assert "eight years" not in text
    assert rule("tax_invoice").sentence in text
    assert "72 months after the due date of the annual GST return" in text
    assert rule("account_registration").sentence in text
    assert rule("processing_log").sentence in text


def test_the_grievance_officers_page_gives_90_days_for_privacy_requests(client) -> None:
    text = _text(client.get("/notices/grievance-officer").get_data(as_text=True))
    assert "within the same time" not in text
    for key in ("grievance_acknowledge", "grievance_resolve", "content_removal"):
        assert rule(key).sentence in text
    assert "personal data within 90 days at the latest" in text


# --- sub-processors -----------------------------------------------------------------------


def _config(app: Flask, **overrides: Any) -> dict[str, Any]:
    return {**app.config, "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db", **overrides}


def test_the_embedded_defaults_hand_data_to_no_one(app) -> None:
    config = _config(
        app, MAIL_BACKEND="file", SMS_BACKEND="file", PAYMENT_GATEWAY="sandbox", SENTRY_DSN=None
    )
    assert sub_processors(config) == []


def test_only_the_configured_services_are_listed_by_their_providers_names(app) -> None:
    config = _config(
        app,
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u:secret@db.internal/marketplace",
        HOSTING_PROVIDER_NAME="Amazon Web Services India Private Limited",
        HOSTING_PROVIDER_LOCATION="India (Mumbai)",
        MAIL_BACKEND="smtp",
        SMTP_HOST="email-smtp.ap-south-1.amazonaws.com",
        MAIL_PROVIDER_NAME="Amazon SES",
        MAIL_PROVIDER_LOCATION="India (Mumbai)",
        SMS_BACKEND="http",
        SMS_GATEWAY_URL="https://api.msg91.example/send?authkey=secret",
        PAYMENT_GATEWAY="sandbox",
        SENTRY_DSN=None,
        ELASTICSEARCH_URL=None,
        CELERY_BROKER_URL=None,
        REDIS_URL=None,
    )
    rows = {row.name: row for row in sub_processors(config)}
    assert set(rows) == {
        "Amazon Web Services India Private Limited (PostgreSQL database)",
        "Amazon SES",
        "The SMS gateway at api.msg91.example",
    }
    assert rows["Amazon SES"].location == "India (Mumbai)"
    shown = repr(list(rows.values()))
    assert "secret" not in shown and "db.internal" not in shown  # never a credential or host
    assert not any("Razorpay" in name or "Sentry" in name for name in rows)

    more = sub_processors(
        {
            **config,
            "SMS_PROVIDER_NAME": "MSG91 (Walkover Web Solutions)",
            "PAYMENT_GATEWAY": "razorpay",
            "SENTRY_DSN": "https://key@o1.ingest.de.sentry.io/7",
            "ELASTICSEARCH_URL": "https://search.internal:9200",
            "REDIS_URL": "redis://cache.internal:6379/0",
        }
    )
    names = [row.name for row in more]
    assert "MSG91 (Walkover Web Solutions)" in names
    assert "Razorpay Software Private Limited" in names
    assert any("o1.ingest.de.sentry.io" in name and "key" not in name for name in names)
    assert any(name.endswith("(Elasticsearch)") for name in names)
    assert any(name.endswith("(Redis)") for name in names)


def test_the_sub_processors_page_shows_the_running_configuration(app, client) -> None:
    page = _text(client.get("/notices/sub-processors").get_data(as_text=True))
    # The tests' app runs on the embedded file backends and the payment sandbox.
    assert "Razorpay" not in page and "SMS gateway" not in page and "email service" not in page
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="smtp.example.in", MAIL_PROVIDER_NAME="Zoho")
    try:
        page = _text(client.get("/notices/sub-processors").get_data(as_text=True))
    finally:
        app.config.update(MAIL_BACKEND="file", SMTP_HOST=None, MAIL_PROVIDER_NAME=None)
    assert "Zoho" in page and "Sending account, enquiry and complaint emails" in page


# --- the README's privacy section ---------------------------------------------------------

START, END = "<!-- legal-rules:start -->\n", "<!-- legal-rules:end -->"


def test_the_readmes_privacy_table_is_the_rules_table(app) -> None:
    """The README (or, until the lead folds it in, this branch's docs file) states what is kept,
    where, for how long and why in the table's own words: `flask privacy rules` prints them."""
    printed = app.test_cli_runner().invoke(args=["privacy", "rules"])
    assert printed.exit_code == 0 and printed.output == markdown()
    root = Path(__file__).resolve().parent.parent
    checked = 0
    for name in ("README.md", "docs-privacy-rules.md"):
        path = root / name
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if START in text:
            assert text.split(START, 1)[1].split(END, 1)[0] == markdown(), name
            checked += 1
    assert checked, "no README text holds the rules table"
