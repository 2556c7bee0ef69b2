"""The served OpenAPI 3.1 document. A test checks that it names every route of the blueprint."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from marketplace import openapi as declared
from marketplace.api import bp
from marketplace.extensions import limiter


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"description": description or "OK", "content": {"application/json": {"schema": schema}}}


_PROBLEM = {
    "description": "Problem",
    "content": {"application/problem+json": {"schema": _ref("Problem")}},
}


_RATE_LIMITED = {
    **_PROBLEM,
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}


def _op(
    summary: str,
    *,
    tag: str,
    ok: tuple[str, dict[str, Any]] = ("200", {"description": "OK"}),
    body: dict[str, Any] | None = None,
    auth: bool = True,
    problems: tuple[str, ...] = (),
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": {ok[0]: ok[1]}}
    for status in (*problems, "400", "429") + (("401",) if auth else ()):
        operation["responses"][status] = _RATE_LIMITED if status == "429" else _PROBLEM
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    operation["security"] = [{"bearer": []}] if auth else []
    if parameters:
        operation["parameters"] = parameters
    return operation


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


# Fragments every module of the document uses.
TIME = {"type": "string", "format": "date-time"}
MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_STRING = {"type": ["string", "null"]}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


PAGE_PARAMETERS = [
    _query("page", {"type": "integer", "minimum": 1, "default": 1}),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
]


def _page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    }


_SUPPLIER_CARD = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "company_name": {"type": "string"},
        "city": {"type": "string"},
        "state": {"type": "string"},
        "gst_verified": {"type": "boolean"},
    },
}

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "Consents": {
        "type": "object",
        "properties": {
            "policy_version": {"type": "string"},
            "purposes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "purpose": {"type": "string"},
                        "label": {"type": "string"},
                        "required": {"type": "boolean"},
                        "granted": {"type": "boolean"},
                        "updated_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
            },
        },
    },
    "WebhookInput": {
        "type": "object",
        "required": ["url", "events"],
        "additionalProperties": False,
        "properties": {
            "url": {
                "type": "string",
                "maxLength": 2000,
                "description": "https:// (or http://), no user name or password; a host that "
                "resolves to a private, loopback or link-local address is refused",
            },
            "events": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"enum": ["lead.created", "lead.updated", "message.created"]},
            },
            "format": {
                "enum": ["native", "indiamart"],
                "default": "native",
                "description": "indiamart: IndiaMART's push format (one new lead in its "
                "envelope), for connectors written for IndiaMART; events must be [lead.created]",
            },
        },
    },
    "Webhook": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "events": {"type": "array", "items": {"type": "string"}},
            "format": {"type": "string"},
            "active": {"type": "boolean", "description": "false once disabled"},
            "failures_in_a_row": {"type": "integer"},
            "disabled_at": {"type": ["string", "null"], "format": "date-time"},
            "disabled_reason": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "WebhookDelivery": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "webhook_id": {"type": "integer"},
            "event": {"type": "string"},
            "event_id": {
                "type": "string",
                "description": "sent as X-Marketplace-Delivery: the receiver's idempotency key",
            },
            "status": {"enum": ["pending", "delivered", "failed"]},
            "attempts": {"type": "integer"},
            "last_status_code": {"type": ["integer", "null"]},
            "last_error": {"type": ["string", "null"]},
            "last_duration_ms": {"type": ["integer", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "delivered_at": {"type": ["string", "null"], "format": "date-time"},
            "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
            "attempt_log": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "attempted_at": {"type": "string", "format": "date-time"},
                        "status_code": {"type": ["integer", "null"]},
                        "duration_ms": {"type": "integer"},
                        "error": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
}


PATHS: dict[str, dict[str, Any]] = {
    "/webhooks": {
        "post": _op(
            "Register a webhook (a person or session token only, never a key; at most 10). "
            "The answer carries the signing secret, shown this once (Cache-Control: no-store). "
            "Each delivery is a POST with X-Marketplace-Event, X-Marketplace-Delivery (the "
            "event id), X-Marketplace-Timestamp (Unix seconds) and X-Marketplace-Signature: "
            'sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>; failures are '
            "retried with backoff, 20 in a row disable the webhook, a 410 deletes it",
            tag="webhooks",
            body=_ref("WebhookInput"),
            ok=(
                "201",
                _json(
                    {
                        "allOf": [
                            _ref("Webhook"),
                            {
                                "type": "object",
                                "required": ["id", "secret"],
                                "properties": {"secret": {"type": "string"}},
                            },
                        ]
                    },
                    "Registered",
                ),
            ),
            problems=("403", "409", "422"),
        ),
        "get": _op(
            "The supplier's webhooks (never their secrets); a key needs webhooks:manage",
            tag="webhooks",
            ok=("200", _json(_page_of(_ref("Webhook")))),
            problems=("403",),
        ),
    },
    "/webhooks/{webhook_id}": {
        "delete": _op(
            "Delete a webhook; its waiting deliveries are given up (a person only)",
            tag="webhooks",
            ok=("204", {"description": "Deleted"}),
            problems=("403", "404"),
            parameters=[_path_id("webhook_id")],
        ),
    },
    "/webhooks/{webhook_id}/enable": {
        "post": _op(
            "Turn a disabled webhook back on, with its failure count reset (a person only)",
            tag="webhooks",
            ok=("200", _json(_ref("Webhook"))),
            problems=("403", "404"),
            parameters=[_path_id("webhook_id")],
        ),
    },
    "/webhooks/{webhook_id}/deliveries": {
        "get": _op(
            "A webhook's deliveries, newest first, each with its attempts (status, timing, "
            "error); a key needs webhooks:manage",
            tag="webhooks",
            ok=("200", _json(_page_of(_ref("WebhookDelivery")))),
            problems=("403", "404", "422"),
            parameters=[_path_id("webhook_id"), *PAGE_PARAMETERS],
        ),
    },
}


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
    """The served document: generated from the declared operations of the running app (and,
    until every operation is declared, the hand-written paths of those that are not)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = declared.document(app, INFO, PATHS, SCHEMAS)
    served: dict[str, Any] = app.extensions["openapi"]
    return served


@bp.get("/openapi.json")
@limiter.exempt
@declared.operation(
    "This document", tag="meta", responses={200: declared.Reply({"type": "object"})}
)
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(document())
