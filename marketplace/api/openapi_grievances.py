"""The served document's grievances and breach register (joined into openapi.PATHS)."""

from __future__ import annotations

from typing import Any

from marketplace.api.openapi import (
    MAYBE_TIME,
    NULLABLE_STRING,
    PAGE_PARAMETERS,
    PATHS,
    SCHEMAS,
    TIME,
    _json,
    _op,
    _page_of,
    _path_id,
    _query,
    _ref,
)
from marketplace.grievances.models import BreachStatus, Category, EventKind, Status

_ID = {"type": "integer", "minimum": 1}

_COMPLAINT_FIELDS: dict[str, Any] = {
    "category": {"enum": [str(c) for c in Category]},
    "subject": {"type": "string", "minLength": 4, "maxLength": 200},
    "description": {"type": "string", "minLength": 10, "maxLength": 8000},
    "related": {
        "type": "object",
        "description": "at most one of product_id, lead_id (one's own) or order_id (one's own)",
        "properties": {"product_id": _ID, "lead_id": _ID, "order_id": _ID},
    },
}

_HISTORY_ITEM = {
    "type": "object",
    "required": ["kind", "at", "text"],
    "properties": {
        "kind": {"enum": [str(k) for k in EventKind]},
        "at": TIME,
        "status_from": NULLABLE_STRING,
        "status_to": NULLABLE_STRING,
        "text": {"type": "string"},
        "by": NULLABLE_STRING,
        "public": {"type": "boolean", "description": "false: an officers' note"},
    },
}

GRIEVANCE_SCHEMAS: dict[str, Any] = {
    "GrievanceInput": {
        "type": "object",
        "required": ["category", "subject", "description"],
        "properties": {
            **_COMPLAINT_FIELDS,
            "name": {"type": "string", "description": "a guest (no token) only"},
            "email": {"type": "string", "description": "a guest (no token) only: gets a code"},
        },
    },
    "GrievanceCreated": {
        "type": "object",
        "required": ["id", "reference", "status", "acknowledge_by", "resolve_by"],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "status": {"enum": [str(s) for s in Status]},
            "acknowledge_by": TIME,
            "resolve_by": TIME,
        },
    },
    "Grievance": {
        "type": "object",
        "required": [
            "id",
            "reference",
            "status",
            "acknowledge_by",
            "resolve_by",
            "category",
            "subject",
            "description",
            "received_at",
            "history",
        ],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "status": {"enum": [str(s) for s in Status]},
            "acknowledge_by": TIME,
            "resolve_by": TIME,
            "category": {"enum": [str(c) for c in Category]},
            "subject": {"type": "string"},
            "description": {"type": "string"},
            "received_at": TIME,
            "acknowledged_at": MAYBE_TIME,
            "resolved_at": MAYBE_TIME,
            "appeal_by": {
                **MAYBE_TIME,
                "description": "the last moment to appeal a decision (30 days)",
            },
            "response": NULLABLE_STRING,
            "related": {"type": ["object", "null"]},
            "history": {"type": "array", "items": _HISTORY_ITEM},
            "complainant": {
                "type": "object",
                "description": "officers only",
                "properties": {
                    "id": {"type": ["integer", "null"]},
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                },
            },
            "assigned_to": {
                "type": ["object", "null"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "overdue": {"type": "boolean", "description": "officers only"},
        },
    },
    "GrievanceChange": {
        "type": "object",
        "properties": {
            "status": {
                "enum": [str(s) for s in Status if s not in (Status.APPEALED,)],
                "description": "received → acknowledged → in_review → resolved | rejected → "
                "closed; resolved and rejected need a response",
            },
            "response": {"type": "string", "description": "shown and mailed to the complainant"},
            "note": {"type": "string", "description": "internal: officers only"},
            "assigned_to": {"type": ["integer", "null"], "description": "an officer's user id"},
        },
    },
    "GrievanceReport": {
        "type": "object",
        "required": [
            "received",
            "acknowledged_on_time",
            "resolved_on_time",
            "by_category",
            "median_hours_to_resolve",
        ],
        "properties": {
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "received": {"type": "integer"},
            "acknowledged_on_time": {"type": "integer"},
            "resolved": {"type": "integer"},
            "resolved_on_time": {"type": "integer"},
            "appealed": {"type": "integer"},
            "by_category": {"type": "object", "additionalProperties": {"type": "integer"}},
            "by_status": {"type": "object", "additionalProperties": {"type": "integer"}},
            "median_hours_to_resolve": {"type": ["number", "null"]},
            "privacy_requests_by_type": {
                "type": "object",
                "description": "privacy requests received in the period, by type",
                "additionalProperties": {"type": "integer"},
            },
        },
    },
    "BreachInput": {
        "type": "object",
        "required": ["detected_at", "nature", "data_affected", "users_affected"],
        "properties": {
            "detected_at": {**TIME, "description": "not in the future"},
            "nature": {"type": "string", "minLength": 10},
            "data_affected": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "users_affected": {"type": "integer", "minimum": 0},
            "measures": {"type": "string"},
            "consequences": {"type": "string", "description": "told to affected users"},
            "user_safety_steps": {"type": "string", "description": "told to affected users"},
        },
    },
    "BreachChange": {
        "type": "object",
        "properties": {
            "board_intimated_at": TIME,
            "board_report_at": {**TIME, "description": "the detailed report (72 hours)"},
            "nature": {"type": "string", "minLength": 10},
            "measures": {"type": "string"},
            "consequences": {"type": "string"},
            "user_safety_steps": {"type": "string"},
            "data_affected": {"type": "array", "items": {"type": "string"}},
            "users_affected": {"type": "integer", "minimum": 0},
            "notify_emails": {
                "type": "array",
                "items": {"type": "string"},
                "description": "mail each affected person what DPDP Rules 2025 r.7(1) requires",
            },
            "status": {"enum": [str(s) for s in BreachStatus]},
        },
    },
    "Breach": {
        "type": "object",
        "required": ["id", "reference", "detected_at", "board_report_due", "status"],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "detected_at": TIME,
            "nature": {"type": "string"},
            "data_affected": {"type": "array", "items": {"type": "string"}},
            "users_affected": {"type": "integer"},
            "measures": {"type": "string"},
            "consequences": {"type": "string"},
            "user_safety_steps": {"type": "string"},
            "board_report_due": {**TIME, "description": "72 hours after detected_at"},
            "board_intimated_at": MAYBE_TIME,
            "board_report_at": MAYBE_TIME,
            "users_notified_at": MAYBE_TIME,
            "users_notified": {"type": "integer"},
            "status": {"enum": [str(s) for s in BreachStatus]},
            "closed_at": MAYBE_TIME,
        },
    },
}

_GRIEVANCE_ID = [_path_id("grievance_id")]

GRIEVANCE_PATHS: dict[str, Any] = {
    "/grievances": {
        "post": {  # a token, or none at all (a guest)
            **_op(
                "File a grievance. With a token: filed (201) and the clocks start (acknowledge in "
                "24 hours, resolve in 15 days, IT Rules 2021 r.3(2)). Without one: a guest, who "
                "also sends name and email and gets a one-time code by email (202)",
                tag="grievances",
                body=_ref("GrievanceInput"),
                ok=("201", _json(_ref("GrievanceCreated"), "Filed")),
                problems=("403", "422"),
            ),
            "security": [{"bearer": []}, {}],
        },
        "get": _op(
            "Grievances: a person's own; the officer sees all, nearest deadline first",
            tag="grievances",
            ok=("200", _json(_page_of(_ref("Grievance")))),
            problems=("403", "422"),
            parameters=[
                *PAGE_PARAMETERS,
                _query("status", {"enum": [str(s) for s in Status]}),
                _query("overdue", {"type": "boolean"}),
                _query("category", {"enum": [str(c) for c in Category]}),
                _query("q", {"type": "string"}, "reference, subject or complainant"),
                _query("assigned_to", {"type": "integer"}),
            ],
        ),
    },
    "/grievances/guest/{verification_id}/confirm": {
        "post": _op(
            "A guest confirms the email with the code it was sent: the grievance is filed",
            tag="grievances",
            auth=False,
            body={
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string"}},
            },
            ok=("201", _json(_ref("GrievanceCreated"), "Filed")),
            problems=("404", "409", "422"),
            parameters=[
                {
                    "name": "verification_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
        ),
    },
    # before /grievances/{grievance_id}, whose pattern would also match it
    "/grievances/report": {
        "get": _op(
            "The compliance report for a period (officer); format=csv for CSV",
            tag="grievances",
            ok=(
                "200",
                {
                    "description": "OK",
                    "content": {
                        "application/json": {"schema": _ref("GrievanceReport")},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
            ),
            problems=("403", "422"),
            parameters=[
                _query("from", {"type": "string", "format": "date"}, "first day (India)"),
                _query("to", {"type": "string", "format": "date"}, "last day (India)"),
                _query("format", {"enum": ["json", "csv"]}),
            ],
        ),
    },
    "/grievances/{grievance_id}": {
        "get": _op(
            "One grievance with its history (the complainant sees replies, not notes)",
            tag="grievances",
            ok=("200", _json(_ref("Grievance"))),
            problems=("403", "404"),
            parameters=_GRIEVANCE_ID,
        ),
        "patch": _op(
            "Work a grievance (officer): status, a response to the complainant, an internal "
            "note, assignment",
            tag="grievances",
            body=_ref("GrievanceChange"),
            ok=("200", _json(_ref("Grievance"))),
            problems=("403", "404", "422"),
            parameters=_GRIEVANCE_ID,
        ),
    },
    "/grievances/{grievance_id}/appeal": {
        "post": _op(
            "Appeal a decision (the complainant, within 30 days of it)",
            tag="grievances",
            body={
                "type": "object",
                "required": ["reason"],
                "properties": {"reason": {"type": "string", "minLength": 10}},
            },
            ok=("200", _json(_ref("Grievance"))),
            problems=("403", "404", "409", "422"),
            parameters=_GRIEVANCE_ID,
        ),
    },
    "/breaches": {
        "post": _op(
            "Record a personal-data breach (officer): the detailed report to the Data "
            "Protection Board is due 72 hours after detection (DPDP Rules 2025 r.7)",
            tag="breaches",
            body=_ref("BreachInput"),
            ok=("201", _json(_ref("Breach"), "Recorded")),
            problems=("403", "422"),
        ),
        "get": _op(
            "The breach register (officer)",
            tag="breaches",
            ok=("200", _json(_page_of(_ref("Breach")))),
            problems=("403", "422"),
            parameters=PAGE_PARAMETERS,
        ),
    },
    "/breaches/{breach_id}": {
        "patch": _op(
            "Record notices, notify affected users, change or close a breach (officer)",
            tag="breaches",
            body=_ref("BreachChange"),
            ok=("200", _json(_ref("Breach"))),
            problems=("403", "404", "422"),
            parameters=[_path_id("breach_id")],
        ),
    },
}

GRIEVANCE_PATHS["/grievances"]["post"]["responses"]["202"] = _json(
    {
        "type": "object",
        "required": ["verification_id", "expires_at"],
        "properties": {"verification_id": {"type": "string"}, "expires_at": TIME},
    },
    "A guest: confirm with the code sent by email",
)

SCHEMAS.update(GRIEVANCE_SCHEMAS)
PATHS.update(GRIEVANCE_PATHS)
