"""The app factory: `create_app()` builds the marketplace application; wsgi.py serves it.

It sits above every other module (nothing imports it but the entry points), so it imports them all
at the top: the domains, the task runner and the platform helpers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace import (
    demo,
    error_reporting,
    formatting,
    i18n,
    locations,
    logs,
    metrics_endpoint,
    search_backend,
    web,
)
from marketplace.accounts import cli as accounts_cli
from marketplace.accounts import gst_admin_views, gst_views, user_views
from marketplace.accounts import views as accounts_views
from marketplace.accounts.sessions import load_session_user
from marketplace.accounts.team_views import bp as team_bp
from marketplace.api import bp as api_bp
from marketplace.api import indiamart
from marketplace.catalog import cli as catalog_cli
from marketplace.catalog import moderation_views
from marketplace.catalog import views as catalog_views
from marketplace.config import load_config
from marketplace.config_rules import validate_config
from marketplace.credits import cli as credits_cli
from marketplace.credits import views as credits_views
from marketplace.db import commit
from marketplace.error_handlers import register_error_handlers
from marketplace.extensions import csrf, db, limiter, login_manager, migrate
from marketplace.grievances import cli as grievances_cli
from marketplace.grievances import views as grievances_views
from marketplace.jsonio import JSONProvider
from marketplace.leads import buylead_views, webhook_views
from marketplace.leads import cli as leads_cli
from marketplace.leads import views as leads_views
from marketplace.leads.rule_views import bp as lead_rules_bp
from marketplace.privacy import cli as privacy_cli
from marketplace.privacy import newsletter_views
from marketplace.privacy import views as privacy_views
from marketplace.reviews import views as reviews_views
from marketplace.validation import IdConverter
from workers import celery_init_app
from workers import cli as tasks_cli


class Marketplace(Flask):
    json_provider_class = JSONProvider  # standard JSON only: bad bodies are a 400, not a 500

    def dispatch_request(self) -> ResponseReturnValue:
        """One transaction per request: commit when the handler returns, and only then let its
        side effects (tasks, mail, index updates) go. A handler that raises is rolled back by the
        error handlers instead."""
        response = super().dispatch_request()
        commit()
        return response


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Marketplace(
        "marketplace",  # the app's name, which its logger and its Celery app take
        instance_path=locations.instance_path(os.environ),
        template_folder=str(locations.TEMPLATES),
        static_folder=str(locations.STATIC),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    # Every <int:...> in a route is a database id: one the columns cannot hold is simply not found.
    app.url_map.converters["int"] = IdConverter

    # 1. configuration
    app.config.update(load_config(os.environ, app.instance_path))
    app.config.update(config or {})
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    # Redis gone: each process keeps counting in its own memory (docs-faults.md), never a 500
    # (a request racing the switch to memory is let through uncounted rather than failed).
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.config.setdefault(
        "REMEMBER_COOKIE_DURATION", timedelta(hours=app.config["SESSION_MAX_HOURS"])
    )
    logs.init_app(app)  # log lines, request ids and the access line
    error_reporting.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    # 2. extensions
    db.init_app(app)
    migrate.init_app(app, db, directory=str(locations.MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    search_backend.init_app(app)
    metrics_endpoint.init_app(app)
    celery_init_app(app)

    # 3. blueprints, CLI, error pages, templates
    _register_blueprints(app)
    _register_web_helpers(app)

    # 4. validation of the whole
    validate_config(app.config)
    return app


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(web.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(gst_views.bp)
    app.register_blueprint(gst_admin_views.bp)
    app.register_blueprint(user_views.bp)
    app.register_blueprint(team_bp)
    app.register_blueprint(lead_rules_bp)
    app.register_blueprint(catalog_views.bp)
    app.register_blueprint(moderation_views.bp)
    app.register_blueprint(leads_views.bp)
    app.register_blueprint(buylead_views.bp)
    app.register_blueprint(webhook_views.bp)
    app.register_blueprint(credits_views.bp)
    app.register_blueprint(grievances_views.bp)
    app.register_blueprint(grievances_views.notices_bp)
    app.register_blueprint(privacy_views.bp)
    app.register_blueprint(newsletter_views.bp)
    app.register_blueprint(reviews_views.bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(indiamart.bp)
    for group in (
        accounts_cli.group,
        catalog_cli.catalog_group,
        catalog_cli.search_group,
        leads_cli.group,
        credits_cli.group,
        grievances_cli.group,
        privacy_cli.group,
        demo.group,
        tasks_cli.group,
    ):
        app.cli.add_command(group)
    register_error_handlers(app)


def _register_web_helpers(app: Flask) -> None:
    login_manager.user_loader(load_session_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"

    formatting.register_filters(app)

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        # Everything is served from this origin: no inline script, nothing from other hosts.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS only: browsers must stay there
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
