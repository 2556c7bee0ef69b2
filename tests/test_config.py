"""Configuration: embedded defaults, generated secrets, and a clear stop on bad values."""

from __future__ import annotations

import os
import stat

import pytest

from marketplace.accounts.passwords import hash_password
from marketplace.app import create_app
from marketplace.config import ConfigError, load_config
from marketplace.config_rules import validate_config


def test_embedded_defaults(tmp_path):
    config = load_config({}, str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'marketplace.db'}"
    assert config["CELERY_BROKER_URL"] is None and config["ELASTICSEARCH_URL"] is None
    assert config["BCRYPT_ROUNDS"] == 12
    assert config["MAIL_BACKEND"] == "file" and config["RATELIMIT_ENABLED"] is True


def test_secrets_are_generated_once_and_kept_private(tmp_path):
    first = load_config({}, str(tmp_path))
    second = load_config({}, str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 48
    assert first["FIELD_ENCRYPTION_KEYS"] == second["FIELD_ENCRYPTION_KEYS"]
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_postgres_urls_are_driven_by_psycopg3(tmp_path):
    config = load_config({"DATABASE_URL": "postgres://u@db/market"}, str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/market"


@pytest.mark.parametrize(
    "environ, named",
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"RATELIMIT_ENABLED": "sometimes"}, "RATELIMIT_ENABLED"),
        ({"BCRYPT_ROUNDS": "twelve"}, "BCRYPT_ROUNDS"),
        ({"BCRYPT_ROUNDS": "40"}, "BCRYPT_ROUNDS"),
        ({"FIELD_ENCRYPTION_KEYS": "not-a-key"}, "FIELD_ENCRYPTION_KEYS"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"MAIL_BACKEND": "pigeon"}, "MAIL_BACKEND"),
        ({"ENQUIRY_NOTICE_INTERVAL": "0"}, "ENQUIRY_NOTICE_INTERVAL"),
        ({"ENQUIRY_NOTICE_INTERVAL": "soon"}, "ENQUIRY_NOTICE_INTERVAL"),
        ({"TASK_RELAY_POLL_MS": "10"}, "TASK_RELAY_POLL_MS"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN"),
        ({"SENTRY_DSN": "sentry.example/1"}, "SENTRY_DSN"),
    ],
)
def test_bad_values_stop_the_start_naming_the_variable(tmp_path, environ, named):
    with pytest.raises(ConfigError, match=named):
        load_config(environ, str(tmp_path))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"BCRYPT_ROUNDS": 10, "TESTING": False}, "BCRYPT_ROUNDS must be 12 or more"),
        ({"MAIL_BACKEND": "smtp", "SMTP_HOST": None}, "needs SMTP_HOST"),
        ({"SMS_BACKEND": "http", "SMS_GATEWAY_URL": None}, "needs SMS_GATEWAY_URL"),
        (
            {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "TESTING": False, "BCRYPT_ROUNDS": 12},
            "CELERY_BROKER_URL needs PUBLIC_BASE_URL",
        ),
    ],
)
def test_inconsistent_settings_stop_the_app(tmp_path, sqlite_url, overrides, message, app):
    from marketplace.extensions import limiter

    try:
        with pytest.raises(ConfigError, match=message):
            create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, **overrides})
    finally:
        limiter.init_app(app)


def test_production_hashes_use_cost_12(tmp_path, app):
    with app.app_context():
        app.config["BCRYPT_ROUNDS"] = 12
        try:
            assert hash_password("monsoon-ledger-pepper-8").startswith("$2b$12$")
        finally:
            app.config["BCRYPT_ROUNDS"] = 4


# Every variable production mode looks at, set safely (no value here is a real secret).
SAFE_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "FIELD_INDEX_KEY": "i" * 48,
    "FIELD_ENCRYPTION_KEYS": "qDRvQhMIMkV7ErY2fKDEY3wpSazN1FsDDhJnz6UZDa4=",
    "SESSION_COOKIE_SECURE": "true",
    "PAYMENT_GATEWAY": "razorpay",
    "RAZORPAY_KEY_ID": "rzp_live_example",
    "RAZORPAY_KEY_SECRET": "razorpay-key-secret",
    "RAZORPAY_WEBHOOK_SECRET": "razorpay-webhook-secret",
    "MAIL_BACKEND": "smtp",
    "SMTP_HOST": "smtp.example.in",
    "SMS_BACKEND": "http",
    "SMS_GATEWAY_URL": "https://sms.example.in/send",
    "PORTAL_LEGAL_NAME": "Kaveri Trade Exchange Private Limited",
    "PORTAL_GSTIN": "29AABCK1234M1ZG",
    "GRIEVANCE_OFFICER_NAME": "Anil Kulkarni",
    "GRIEVANCE_OFFICER_EMAIL": "grievance@kaveritrade.example",
    "PORTAL_ADDRESS": "12 Residency Road, Bengaluru 560025, Karnataka",
    "GRIEVANCE_OFFICER_PHONE": "+91 80 4000 5678",
    "GRIEVANCE_OFFICER_ADDRESS": "Grievance Officer, 12 Residency Road, Bengaluru 560025",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": "false",
    "BCRYPT_ROUNDS": "12",
    "PUBLIC_BASE_URL": "https://kaveritrade.example",
    "DATABASE_URL": "postgresql://app@db.internal/marketplace",
    "METRICS_TOKEN": "m" * 40,
    "GST_REGISTRY": "http",
    "GST_REGISTRY_URL": "https://gsp.example.in/commonapi/v1.1/search",
    "GST_REGISTRY_KEY": "gsp-api-key",
}
UNSET = None


@pytest.mark.parametrize(
    "environ_changes, config_changes, named",
    [
        ({"SECRET_KEY": UNSET}, {}, "SECRET_KEY"),
        ({"FIELD_INDEX_KEY": UNSET}, {}, "FIELD_INDEX_KEY"),
        ({"FIELD_ENCRYPTION_KEYS": UNSET}, {}, "FIELD_ENCRYPTION_KEYS"),
        # (the remember cookie follows the session cookie unless set on its own)
        (
            {"SESSION_COOKIE_SECURE": "false"},
            {"REMEMBER_COOKIE_SECURE": True},
            "SESSION_COOKIE_SECURE",
        ),
        ({}, {"REMEMBER_COOKIE_SECURE": False}, "REMEMBER_COOKIE_SECURE"),
        ({"PAYMENT_GATEWAY": "sandbox"}, {}, "PAYMENT_GATEWAY"),
        ({"GST_REGISTRY": "sandbox"}, {}, "GST_REGISTRY"),
        ({"GST_REGISTRY_KEY": UNSET}, {}, "GST_REGISTRY_KEY"),
        ({"GST_REGISTRY_URL": UNSET}, {}, "GST_REGISTRY_URL"),
        ({"MAIL_BACKEND": "file"}, {}, "MAIL_BACKEND"),
        ({"SMS_BACKEND": "file"}, {}, "SMS_BACKEND"),
        ({"PORTAL_GSTIN": UNSET}, {}, "PORTAL_GSTIN"),
        ({"PORTAL_LEGAL_NAME": UNSET}, {}, "PORTAL_LEGAL_NAME"),
        ({"GRIEVANCE_OFFICER_NAME": UNSET}, {}, "GRIEVANCE_OFFICER_NAME"),
        ({"GRIEVANCE_OFFICER_EMAIL": UNSET}, {}, "GRIEVANCE_OFFICER_EMAIL"),
        ({"PORTAL_ADDRESS": UNSET}, {}, "PORTAL_ADDRESS"),
        ({"GRIEVANCE_OFFICER_PHONE": UNSET}, {}, "GRIEVANCE_OFFICER_PHONE"),
        ({"GRIEVANCE_OFFICER_ADDRESS": UNSET}, {}, "GRIEVANCE_OFFICER_ADDRESS"),
        ({"REDIS_URL": UNSET}, {}, "RATELIMIT_STORAGE_URI"),
        ({}, {"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"}, {}, "WEBHOOK_ALLOW_PRIVATE_TARGETS"),
        ({"BCRYPT_ROUNDS": "10"}, {}, "BCRYPT_ROUNDS"),
        ({"PUBLIC_BASE_URL": UNSET}, {}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "http://kaveritrade.example"}, {}, "PUBLIC_BASE_URL"),
        ({"DATABASE_URL": UNSET}, {}, "DATABASE_URL"),
        ({}, {"BCRYPT_ROUNDS": 4, "TESTING": True}, "BCRYPT_ROUNDS"),
        ({"METRICS_TOKEN": UNSET}, {}, "METRICS_TOKEN"),
        # the placeholders retyped are still the placeholders
        ({"PORTAL_GSTIN": "27aajct4821k1z0"}, {}, "PORTAL_GSTIN"),
        ({"PORTAL_GSTIN": "27 AAJCT 4821 K1Z0"}, {}, "PORTAL_GSTIN"),
        ({"GRIEVANCE_OFFICER_EMAIL": "Grievance@TradeSetu.example"}, {}, "GRIEVANCE_OFFICER_EMAIL"),
        ({"GRIEVANCE_OFFICER_NAME": "MEERA  IYER"}, {}, "GRIEVANCE_OFFICER_NAME"),
    ],
)
def test_production_refuses_each_unsafe_setting(tmp_path, environ_changes, config_changes, named):
    environ = {**SAFE_PRODUCTION, **environ_changes}
    environ = {variable: value for variable, value in environ.items() if value is not UNSET}
    config = {**load_config(environ, str(tmp_path)), **config_changes}
    with pytest.raises(ConfigError, match=named) as refused:
        validate_config(config)
    assert str(refused.value).count(";") == 0  # only the broken setting is named
    assert not (tmp_path / "secret_key").exists()  # production generates no secret


def test_production_names_every_unsafe_default_at_once(tmp_path):
    config = load_config({"APP_ENV": "production"}, str(tmp_path))
    with pytest.raises(ConfigError) as refused:
        validate_config(config)
    for named in (
        "SECRET_KEY",
        "FIELD_INDEX_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "SESSION_COOKIE_SECURE",
        "REMEMBER_COOKIE_SECURE",
        "PAYMENT_GATEWAY",
        "GST_REGISTRY",
        "MAIL_BACKEND",
        "SMS_BACKEND",
        "PORTAL_LEGAL_NAME",
        "PORTAL_GSTIN",
        "GRIEVANCE_OFFICER_NAME",
        "GRIEVANCE_OFFICER_EMAIL",
        "RATELIMIT_STORAGE_URI",
        "METRICS_TOKEN",
    ):
        assert named in str(refused.value)
    assert not list(tmp_path.iterdir())  # nothing generated into instance/


@pytest.mark.parametrize(
    "variable, secret",
    [
        ("METRICS_TOKEN", "my-short-metrics-secret"),
        ("SECRET_KEY", "short-but-secret"),
        ("SENTRY_DSN", "ftp://publickey@sentry.example/7"),
        ("DATABASE_URL", "mysql://app:hunter2-password@db/market"),
        ("FIELD_ENCRYPTION_KEYS", "not-a-fernet-key-but-secret"),
        ("GST_REGISTRY_URL", "ftp://gsp-user:gsp-password@gsp.example/search"),
    ],
)
def test_a_refused_secret_is_named_but_never_echoed(tmp_path, variable, secret):
    with pytest.raises(ConfigError, match=variable) as refused:
        load_config({variable: secret}, str(tmp_path))
    assert secret not in str(refused.value)
    assert f"{len(secret)} characters" in str(refused.value)


def test_a_refused_plain_setting_is_echoed(tmp_path):
    with pytest.raises(ConfigError, match="got 'pigeon'"):
        load_config({"MAIL_BACKEND": "pigeon"}, str(tmp_path))


def test_logs_are_json_in_production_unless_asked_for_text(tmp_path):
    assert load_config({}, str(tmp_path))["LOG_FORMAT"] == "text"
    assert load_config({"APP_ENV": "production"}, str(tmp_path))["LOG_FORMAT"] == "json"
    asked = {"APP_ENV": "production", "LOG_FORMAT": "text"}
    assert load_config(asked, str(tmp_path))["LOG_FORMAT"] == "text"


def test_the_embedded_defaults_are_not_production(tmp_path):
    for environ in ({}, {"APP_ENV": "development"}):
        config = load_config(environ, str(tmp_path))
        assert config["APP_ENV"] == "development"
        validate_config({**config, "RATELIMIT_STORAGE_URI": "memory://"})


def _production_app(monkeypatch, sqlite_url):
    """The app as production would start it (its PostgreSQL is never asked: nothing here
    touches the database)."""
    for variable, value in SAFE_PRODUCTION.items():
        monkeypatch.setenv(variable, value)
    return create_app()


def test_a_safe_production_config_starts(monkeypatch, sqlite_url, app):
    from marketplace.extensions import limiter

    try:
        production = _production_app(monkeypatch, sqlite_url)
        assert production.config["APP_ENV"] == "production"
        assert production.config["REMEMBER_COOKIE_SECURE"] is True
        assert production.config["RATELIMIT_STORAGE_URI"] == SAFE_PRODUCTION["REDIS_URL"]
    finally:
        limiter.init_app(app)


def test_demo_seed_refuses_in_production(monkeypatch, sqlite_url, app):
    from marketplace.extensions import limiter

    try:
        production = _production_app(monkeypatch, sqlite_url)
        result = production.test_cli_runner().invoke(args=["demo", "seed", "--products", "10"])
    finally:
        limiter.init_app(app)
    assert result.exit_code == 1
    assert "refuses to run with APP_ENV=production" in result.output
