"""Migrations, the OpenAPI document and the health check."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from marketplace import health
from marketplace.extensions import db
from tests.conftest import conforms_to_openapi, make_test_app, openapi_urls, stamp


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
    head = health.migrations().get_current_head()
    assert body == {
        "status": "ok",
        "database": "ok",
        "schema": {"status": "ok", "revision": head, "head": head},
        "search": body["search"],
        "tasks": "inline",
        "backlog": {"tasks": 0, "search": 0, "notices": 0, "requirements": 0},
    }


def test_liveness_answers_as_documented(client):
    response = client.get("/livez")
    conforms_to_openapi("GET", "/livez", response)
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_health_is_degraded_when_the_database_is_down(client, ctx, monkeypatch):
    monkeypatch.setattr(health, "database_status", lambda: "unavailable")
    response = client.get("/healthz")
    assert response.status_code == 503
    conforms_to_openapi("GET", "/healthz", response)
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["schema"]["status"] == "unknown"  # not asked


def _schema_not_at_head(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 503
    conforms_to_openapi("GET", "/healthz", response)
    body = response.get_json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    return body["schema"]


def test_health_is_unavailable_when_the_schema_is_a_migration_behind(client, ctx):
    head = health.migrations().get_current_head()
    previous = health.migrations().get_revision(head).down_revision
    stamp(previous)
    try:
        schema = _schema_not_at_head(client)
    finally:
        stamp("head")
    assert schema == {"status": "behind", "revision": previous, "head": head}
    assert client.get("/healthz").status_code == 200


def test_health_is_unavailable_on_a_database_never_migrated(client, ctx):
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    try:
        schema = _schema_not_at_head(client)
    finally:
        stamp("head")
    head = health.migrations().get_current_head()
    assert schema == {"status": "behind", "revision": None, "head": head}
    assert client.get("/healthz").status_code == 200


def test_health_is_unavailable_on_a_revision_the_code_does_not_know(client, ctx):
    """A database migrated by newer code: these queries may not fit it either."""
    head = health.migrations().get_current_head()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    try:
        schema = _schema_not_at_head(client)
    finally:
        with db.engine.begin() as connection:  # alembic cannot stamp over a revision it lacks
            connection.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": head})
    assert schema == {"status": "unknown", "revision": "from_the_future", "head": head}


class _TwoHeads:
    """Migrations with two heads: two branches that each added one."""

    def get_heads(self) -> list[str]:
        return ["0017_b", "0017_a"]

    def get_revision(self, revision: str) -> object:
        return object()


def test_health_reports_two_heads_as_a_schema_not_at_head(client, ctx, monkeypatch):
    monkeypatch.setattr(health, "migrations", _TwoHeads)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["schema"]["head"] == "0017_a,0017_b"


def test_health_says_unknown_when_the_migrations_cannot_be_read(client, ctx, monkeypatch):
    def unreadable() -> None:
        raise FileNotFoundError("migrations")

    monkeypatch.setattr(health, "migrations", unreadable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["schema"] == {"status": "unknown", "revision": None, "head": ""}
