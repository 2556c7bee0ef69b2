"""Migrations, the OpenAPI document and the health check."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from marketplace.extensions import db
from tests.conftest import conforms_to_openapi, make_test_app, openapi_urls


def test_migrations_build_exactly_the_models(database_url, tmp_path, app):
    """Upgrade an empty database with Alembic and compare it with the models."""
    from marketplace.extensions import limiter

    engine = create_engine(database_url)
    with engine.begin() as connection:  # an empty schema beside the suite's tables
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA IF EXISTS migrated CASCADE"))
            connection.execute(text("CREATE SCHEMA migrated"))
    url = (
        database_url + "?options=-csearch_path%3Dmigrated"
        if engine.dialect.name == "postgresql"
        else f"sqlite:///{tmp_path / 'migrated.db'}"
    )
    migrated = make_test_app(url, tmp_path)
    try:
        with migrated.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
            db.engine.dispose()
        assert differences == []
    finally:
        limiter.init_app(app)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS migrated CASCADE"))
        engine.dispose()


def test_openapi_describes_every_route(app, client):
    """Every route of the API, and the three outside it (the IndiaMART-compatible pull and the
    health probes), is in the served document, and nothing else is."""
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    documented = {
        (url, method.upper()) for url, operations in openapi_urls().items() for method in operations
    }
    outside = {"main.livez", "main.healthz", "indiamart.crm_listing"}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") or rule.endpoint in outside:
            url = rule.rule
            for converter in ("<int:", "<"):
                url = url.replace(converter, "{")
            url = url.replace(">", "}")
            served |= {(url, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented


def test_health_reports_each_part(client, ctx):
    response = client.get("/healthz")
    conforms_to_openapi("GET", "/healthz", response)
    body = response.get_json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "search": body["search"],
        "tasks": "inline",
        "backlog": {"tasks": 0, "search": 0, "notices": 0},
    }


def test_liveness_answers_as_documented(client):
    response = client.get("/livez")
    conforms_to_openapi("GET", "/livez", response)
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_health_is_degraded_when_the_database_is_down(client, ctx, monkeypatch):
    from marketplace import health

    monkeypatch.setattr(health, "database_status", lambda: "unavailable")
    response = client.get("/healthz")
    assert response.status_code == 503
    conforms_to_openapi("GET", "/healthz", response)
    assert response.get_json()["status"] == "degraded"
