"""The served document's privacy paths (joined into openapi.PATHS)."""

from __future__ import annotations

from typing import Any

from marketplace.api.openapi import (
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
from marketplace.privacy.models import RequestStatus, RequestType
from marketplace.privacy.purposes import PURPOSES

_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_STATUS = {"enum": [status.value for status in RequestStatus]}

PRIVACY_SCHEMAS: dict[str, Any] = {
    "PrivacyRequestCreated": {
        "type": "object",
        "required": ["id", "type", "status", "due_at"],
        "properties": {
            "id": {"type": "integer"},
            "type": {"enum": [kind.value for kind in RequestType]},
            "status": _STATUS,
            "due_at": TIME,
        },
    },
    "PrivacyRequest": {
        "type": "object",
        "required": ["id", "type", "status", "due_at", "created_at", "history"],
        "properties": {
            "id": {"type": "integer"},
            "type": {"enum": [kind.value for kind in RequestType]},
            "status": _STATUS,
            "due_at": TIME,
            "created_at": TIME,
            "completed_at": _NULLABLE_TIME,
            "decision_reason": NULLABLE_STRING,
            "hold_reason": NULLABLE_STRING,
            "history": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["status", "at"],
                    "properties": {"status": _STATUS, "at": TIME, "note": NULLABLE_STRING},
                },
            },
            "download_url": {
                "type": "string",
                "description": "a finished access request's ZIP (same bearer token, 7 days)",
            },
            "download_expires_at": TIME,
            "certificate": {
                "type": "object",
                "description": "a deletion's certificate: what was erased, what was kept, why "
                "and until when",
            },
            # The officer's view adds these.
            "user_id": {"type": "integer"},
            "details": {"type": "object"},
            "decided_by": {"type": ["integer", "null"]},
            "decided_at": _NULLABLE_TIME,
            "legal_clock": {"type": "string"},
        },
    },
    "ArchivedRecord": {
        "type": "object",
        "required": ["record_type", "legal_basis", "retain_until"],
        "properties": {
            "id": {"type": "integer"},
            "subject": {"type": "integer"},
            "record_type": {"type": "string"},
            "reference": {"type": "string"},
            "legal_basis": {"type": "string"},
            "retain_until": TIME,
            "archived_at": TIME,
        },
    },
}

_REQUEST_ID = [_path_id("request_id")]
PRIVACY_PATHS: dict[str, Any] = {
    "/privacy/consents/{purpose}": {
        "put": {
            **_op(
                "Grant or withdraw an optional purpose, at once (a required one is objected to "
                "with a request)",
                tag="privacy",
                ok=("200", _json(_ref("Consents"))),
                body={
                    "type": "object",
                    "required": ["granted"],
                    "properties": {"granted": {"type": "boolean"}},
                },
                problems=("403", "404", "422"),
            ),
            "parameters": [
                {
                    "name": "purpose",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": [purpose.id for purpose in PURPOSES]},
                }
            ],
        },
    },
    "/privacy/requests": {
        "post": _op(
            "Make a privacy request; the password confirms it is you (a wrong one is a 403)",
            tag="privacy",
            ok=("202", _json(_ref("PrivacyRequestCreated"), "Received")),
            body={
                "type": "object",
                "required": ["type", "password"],
                "properties": {
                    "type": {"enum": [kind.value for kind in RequestType]},
                    "password": {"type": "string"},
                    "purpose": {
                        "enum": [purpose.id for purpose in PURPOSES],
                        "description": "an objection's purpose",
                    },
                    "reason": {"type": "string", "maxLength": 2000},
                    "field": {
                        "enum": ["name", "company_name", "address_line1", "city"],
                        "description": "a correction's field",
                    },
                    "value": {"type": "string", "description": "a correction's requested value"},
                },
            },
            problems=("403", "409", "422"),
        ),
        "get": _op(
            "My privacy requests; the grievance officer sees every request (filter by status)",
            tag="privacy",
            ok=("200", _json(_page_of(_ref("PrivacyRequest")))),
            problems=("403", "422"),
            parameters=[*PAGE_PARAMETERS, _query("status", _STATUS)],
        ),
    },
    "/privacy/requests/{request_id}": {
        "get": _op(
            "One request with its status history (a finished access request has download_url)",
            tag="privacy",
            ok=("200", _json(_ref("PrivacyRequest"))),
            problems=("403", "404"),
            parameters=_REQUEST_ID,
        ),
    },
    "/privacy/requests/{request_id}/download": {
        "get": _op(
            "The access export, a ZIP of JSON and CSV (its maker alone, for 7 days)",
            tag="privacy",
            ok=(
                "200",
                {
                    "description": "The ZIP",
                    "content": {
                        "application/zip": {"schema": {"description": "a ZIP archive (binary)"}}
                    },
                },
            ),
            problems=("403", "404", "410"),
            parameters=_REQUEST_ID,
        ),
    },
    "/privacy/requests/{request_id}/decision": {
        "post": _op(
            "Grievance officer: approve or deny (a reason is required to deny)",
            tag="privacy",
            ok=("200", _json(_ref("PrivacyRequest"))),
            body={
                "type": "object",
                "required": ["decision"],
                "properties": {
                    "decision": {"enum": ["approve", "deny"]},
                    "reason": {"type": "string", "maxLength": 2000},
                },
            },
            problems=("403", "404", "409", "422"),
            parameters=_REQUEST_ID,
        ),
    },
    "/privacy/archives": {
        "get": _op(
            "Grievance officer: the statutory records kept after a person's erasure",
            tag="privacy",
            ok=("200", _json({"type": "array", "items": _ref("ArchivedRecord")})),
            problems=("403", "422"),
            parameters=[
                {
                    "name": "subject",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                    "description": "the user id",
                }
            ],
        ),
    },
    "/privacy/minor-reports": {
        "post": _op(
            "Grievance officer: an account reported as a child's is suspended at once and a "
            "deletion request opens for confirmation (denying it lifts the suspension)",
            tag="privacy",
            ok=("201", _json(_ref("PrivacyRequestCreated"), "Suspended")),
            body={
                "type": "object",
                "required": ["user_id", "reason"],
                "properties": {
                    "user_id": {"type": "integer", "minimum": 1},
                    "reason": {"type": "string", "maxLength": 2000},
                },
            },
            problems=("403", "404", "422"),
        ),
    },
}

SCHEMAS.update(PRIVACY_SCHEMAS)
PATHS.update(PRIVACY_PATHS)
