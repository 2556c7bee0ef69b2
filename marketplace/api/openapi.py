"""The served OpenAPI 3.1 document. A test checks that it names every route of the blueprint."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from marketplace import openapi as declared
from marketplace.accounts.models import BUSINESS_TYPES, EMPLOYEE_BANDS, TURNOVER_BANDS
from marketplace.accounts.photos import MAX_CAPTION, MAX_PHOTOS
from marketplace.accounts.policy import DEFAULT_KEY_SCOPES, SCOPE_LABELS, Scope
from marketplace.api import bp
from marketplace.extensions import limiter
from marketplace.privacy.purposes import PURPOSES


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


_ADDRESS = {
    "type": "object",
    "required": ["line1", "city", "state", "pincode"],
    "properties": {
        "line1": {"type": "string", "maxLength": 200},
        "city": {"type": "string", "maxLength": 100},
        "state": {"type": "string", "description": "Name, ISO code (MH) or GST code (27)"},
        "pincode": {"type": "string", "pattern": "^[1-9][0-9]{5}$"},
    },
}


_BUSINESS_PROFILE = {
    "business_type": {"enum": [*BUSINESS_TYPES, None]},
    "year_established": {"type": ["integer", "null"], "minimum": 1800},
    "employees": {"enum": [*EMPLOYEE_BANDS, None]},
    "turnover_band": {"enum": [*TURNOVER_BANDS, None], "description": "annual turnover band"},
    "about": {"type": ["string", "null"], "maxLength": 3000},
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
    "Registration": {
        "type": "object",
        "required": ["role", "name", "email", "phone", "password", "age_confirmed", "accept_terms"],
        "properties": {
            "role": {"enum": ["buyer", "supplier"]},
            "name": {"type": "string", "minLength": 2, "maxLength": 100},
            "email": {"type": "string", "format": "email"},
            "phone": {"type": "string", "description": "Indian mobile; +91 optional"},
            "password": {"type": "string", "minLength": 10, "maxLength": 128},
            "age_confirmed": {"const": True},
            "accept_terms": {"const": True},
            "consents": {
                "type": "object",
                "properties": {p.id: {"type": "boolean"} for p in PURPOSES if not p.required},
            },
            "company_name": {"type": "string", "description": "supplier only"},
            "gstin": {"type": "string", "description": "supplier only; 15 characters"},
            "pan": {"type": "string", "description": "supplier only, optional"},
            "address": _ADDRESS,
        },
    },
    "Supplier": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "company_name": {"type": "string"},
            "gstin": {"type": "string"},
            "gst_state": {"type": "string"},
            "pan": {"type": "string", "description": "masked: ABCDEXXXXF"},
            "gst_verification": {"enum": ["pending", "verified", "rejected"]},
            "address": _ADDRESS,
            **_BUSINESS_PROFILE,
            "photos": {
                "type": "array",
                "maxItems": MAX_PHOTOS,
                "items": _ref("BusinessPhoto"),
                "description": "the storefront's photos of the business, in order",
            },
        },
    },
    "BusinessPhoto": {
        "type": "object",
        "required": ["id", "url", "caption"],
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "caption": {"type": ["string", "null"], "maxLength": MAX_CAPTION},
        },
    },
    "Account": {
        "type": "object",
        "required": ["id", "roles", "email", "supplier"],
        "properties": {
            "id": {"type": "integer"},
            "roles": {
                "type": "array",
                "items": {"enum": ["buyer", "supplier", "grievance_officer", "admin"]},
            },
            "name": {"type": "string"},
            "email": {"type": "string"},
            "email_verified": {"type": "boolean"},
            "pending_email": {
                "type": ["string", "null"],
                "description": "a new address waiting to be confirmed from its inbox",
            },
            "phone": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "supplier": {"oneOf": [_ref("Supplier"), {"type": "null"}]},
        },
    },
    "ProfileChange": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "email": {
                "type": "string",
                "description": "takes effect once confirmed from the new inbox; the old one "
                "is told, with a link to undo",
            },
            "phone": {"type": "string"},
            "current_password": {
                "type": "string",
                "description": "needed to change email or phone",
            },
            "company_name": {"type": "string"},
            "gstin": {"type": "string"},
            "pan": {"type": "string"},
            "address": _ADDRESS,
            **_BUSINESS_PROFILE,
        },
    },
    "Scopes": {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"enum": [str(scope) for scope in Scope]},
        "default": [str(scope) for scope in DEFAULT_KEY_SCOPES],
        "description": "; ".join(f"{scope}: {label}" for scope, label in SCOPE_LABELS.items()),
    },
    "AuditEvent": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "occurred_at": {"type": "string", "format": "date-time"},
            "action": {"type": "string"},
            "actor_id": {"type": ["integer", "null"]},
            "subject_type": {"type": ["string", "null"]},
            "subject_id": {"type": ["string", "null"]},
            "ip_address": {"type": ["string", "null"]},
            "details": {"type": "object"},
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
}


# The body of every call that carries a token from an emailed link.
_TOKEN_BODY = {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}

PATHS: dict[str, dict[str, Any]] = {
    "/accounts": {
        "post": _op(
            "Register a buyer or a supplier",
            tag="accounts",
            auth=False,
            body=_ref("Registration"),
            ok=("201", _json(_ref("Account"), "Registered")),
            problems=("409", "422"),
        ),
    },
    "/auth/tokens": {
        "post": _op(
            "Exchange email and password for a bearer token",
            tag="auth",
            auth=False,
            body={
                "type": "object",
                "required": ["email", "password"],
                "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
            },
            ok=(
                "201",
                _json(
                    {
                        "type": "object",
                        "properties": {
                            "token": {"type": "string"},
                            "expires_at": {"type": "string", "format": "date-time"},
                        },
                    }
                ),
            ),
            problems=("401",),
        ),
    },
    "/auth/password-reset": {
        "post": _op(
            "Email a password reset link (the answer is the same for unknown emails)",
            tag="auth",
            auth=False,
            ok=("202", {"description": "Accepted"}),
            body={"type": "object", "properties": {"email": {"type": "string"}}},
        ),
    },
    "/auth/password-reset/confirm": {
        "post": _op(
            "Set a new password with the emailed token",
            tag="auth",
            auth=False,
            ok=("204", {"description": "Changed"}),
            problems=("422",),
            body={
                "type": "object",
                "required": ["token", "password"],
                "properties": {"token": {"type": "string"}, "password": {"type": "string"}},
            },
        ),
    },
    "/auth/email-verification": {
        "post": _op(
            "Confirm an email address with the emailed token",
            tag="auth",
            auth=False,
            ok=("200", _json(_ref("Account"))),
            problems=("422",),
            body=_TOKEN_BODY,
        ),
    },
    "/auth/email-change/confirm": {
        "post": _op(
            "Confirm a new email address with the token emailed to it",
            tag="auth",
            auth=False,
            ok=("200", _json(_ref("Account"))),
            problems=("409", "422"),
            body=_TOKEN_BODY,
        ),
    },
    "/auth/email-change/undo": {
        "post": _op(
            "Undo a change of email with the token sent to the old address (cancels or "
            "reverts it, and ends every session, token and integration key)",
            tag="auth",
            auth=False,
            ok=("204", {"description": "Undone"}),
            problems=("409", "422"),
            body=_TOKEN_BODY,
        ),
    },
    "/me": {
        "get": _op("The signed-in account", tag="accounts", ok=("200", _json(_ref("Account")))),
        "patch": _op(
            "Correct one's own details (a person or session token only, never a key); a "
            "changed GSTIN is validated again; email and phone need the current password",
            tag="accounts",
            body=_ref("ProfileChange"),
            ok=("200", _json(_ref("Account"))),
            problems=("403", "409", "422"),
        ),
    },
    "/me/photos": {
        "post": {
            **_op(
                f"Add a photo of the business to the storefront (supplier; at most {MAX_PHOTOS}; "
                "multipart field 'image': JPEG, PNG or WebP, at most 5 MB; stored re-encoded as "
                "WebP without metadata). A key needs catalog:write",
                tag="accounts",
                ok=("201", _json(_ref("BusinessPhoto"), "Added")),
                problems=("403", "413", "422"),
            ),
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["image"],
                            "properties": {
                                "image": {"type": "string", "format": "binary"},
                                "caption": {
                                    "type": "string",
                                    "maxLength": MAX_CAPTION,
                                    "examples": ["Our factory at Ludhiana"],
                                },
                            },
                        }
                    }
                },
            },
        },
    },
    "/me/photos/{photo_id}": {
        "delete": _op(
            "Remove a photo of the business (a key needs catalog:write)",
            tag="accounts",
            ok=("204", {"description": "Removed"}),
            problems=("403", "404"),
            parameters=[_path_id("photo_id")],
        ),
    },
    "/me/password": {
        "post": _op(
            "Change the password (a person or session token only): ends every session and "
            "session token; integration keys too with revoke_integration_keys",
            tag="accounts",
            ok=("204", {"description": "Changed"}),
            problems=("403", "422"),
            body={
                "type": "object",
                "required": ["current_password", "new_password"],
                "properties": {
                    "current_password": {"type": "string"},
                    "new_password": {"type": "string"},
                    "revoke_integration_keys": {"type": "boolean", "default": False},
                },
            },
        ),
    },
    "/me/email-verification": {
        "post": _op(
            "Send the email confirmation link again (a person or session token only)",
            tag="accounts",
            ok=("202", {"description": "Sent"}),
            problems=("403",),
        ),
    },
    "/api-keys": {
        "post": _op(
            "Create a CRM integration key (shown once, stored hashed, Cache-Control: no-store); "
            "it acts only within its scopes. A person or session token only, never a key",
            tag="api-keys",
            body={
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}, "scopes": _ref("Scopes")},
            },
            ok=(
                "201",
                _json(
                    {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "key": {"type": "string"},
                            "name": {"type": "string"},
                            "scopes": _ref("Scopes"),
                        },
                    }
                ),
            ),
            problems=("403", "422"),
        ),
        "get": _op(
            "The supplier's integration keys (never the keys themselves)",
            tag="api-keys",
            ok=("200", _json(_page_of({"type": "object"}))),
            problems=("403",),
        ),
    },
    "/api-keys/{key_id}": {
        "delete": _op(
            "Revoke an integration key",
            tag="api-keys",
            ok=("204", {"description": "Revoked"}),
            problems=("403", "404"),
            parameters=[_path_id("key_id")],
        ),
    },
    "/privacy/consents": {
        "get": _op(
            "The current consent per purpose", tag="privacy", ok=("200", _json(_ref("Consents")))
        ),
    },
    "/audit-events": {
        "get": _op(
            "The audit log (grievance officer, admin)",
            tag="audit",
            ok=("200", _json(_page_of(_ref("AuditEvent")))),
            problems=("403", "422"),
            parameters=[
                *PAGE_PARAMETERS,
                _query("action", {"type": "string"}),
                _query("actor_id", {"type": "integer"}),
            ],
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
