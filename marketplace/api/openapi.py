"""The served OpenAPI 3.1 document, written from the declared operations of the running app."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from marketplace import openapi as declared
from marketplace.api.blueprint import bp
from marketplace.extensions import limiter

INFO = {
    "title": "TradeSetu marketplace API",
    "version": "1",
    "description": "Errors are application/problem+json. Money is a decimal string in "
    "rupees. Timestamps are ISO 8601 in UTC. A session token (POST /auth/tokens) acts "
    "with its account's full power; an integration key only within its scopes, and "
    "never on the account's identity, password, keys or webhooks: anything else is "
    "a 403 problem.",
}


def document() -> dict[str, Any]:
    """Written once per process, on first request: the routes do not change while it runs."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = declared.document(app, INFO)
    served: dict[str, Any] = app.extensions["openapi"]
    return served


@bp.get("/openapi.json")
@limiter.exempt
@declared.operation(
    "This document", tag="meta", responses={200: declared.Reply({"type": "object"})}
)
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(document())
