"""Configuration: embedded defaults, generated secrets, and a clear stop on bad values."""

from __future__ import annotations

import os
import stat

import pytest

from marketplace.accounts.passwords import hash_password
from marketplace.app import create_app
from marketplace.config import ConfigError, load_config


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
