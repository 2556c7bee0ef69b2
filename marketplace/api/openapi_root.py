"""The served document's paths outside /api/v1: the IndiaMART-compatible lead pull and the
health probes. Each names the site's root as its server (joined into openapi.PATHS)."""

from __future__ import annotations

from typing import Any

from marketplace.api.openapi import PATHS, SCHEMAS, _json, _query, _ref
from marketplace.leads import indiamart

AT_ROOT = [{"url": "/", "description": "the site's root, outside /api/v1"}]

ROOT_SCHEMAS: dict[str, Any] = {
    "IndiaMartLead": {
        "type": "object",
        "description": "One lead as IndiaMART writes it: every field a string, empty when we "
        "do not have it.",
        "required": list(indiamart.FIELDS),
        "additionalProperties": False,
        "properties": {
            field: {"type": "string", "description": note}
            for field, note in indiamart.FIELD_NOTES.items()
        },
    },
}

ROOT_PATHS: dict[str, Any] = {
    "/wservce/crm/crmListing/v2/": {
        "servers": AT_ROOT,
        "get": {
            "summary": "IndiaMART's lead pull (CRM Listing API v2) on this host: a connector "
            "written for IndiaMART needs only the host name changed",
            "description": "Always HTTP 200 with IndiaMART's envelope; CODE says what happened "
            "(200 leads, 204 none, 401 a key that is not valid or may not read leads, 400 bad "
            "times, 429 pulled too soon). At most 7 days per call; without times, the last 24 "
            "hours.",
            "tags": ["leads"],
            "security": [{"indiamartKey": []}],
            "parameters": [
                _query("start_time", {"type": "string"}, indiamart.FORMATS_HELP),
                _query("end_time", {"type": "string"}, indiamart.FORMATS_HELP),
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["CODE", "STATUS", "MESSAGE", "TOTAL_RECORDS", "RESPONSE"],
                        "additionalProperties": False,
                        "properties": {
                            "CODE": {"type": "integer"},
                            "STATUS": {"enum": ["SUCCESS", "FAILURE"]},
                            "MESSAGE": {"type": "string"},
                            "TOTAL_RECORDS": {"type": "integer", "minimum": 0},
                            "RESPONSE": {"type": "array", "items": _ref("IndiaMartLead")},
                        },
                    },
                    "IndiaMART's envelope",
                )
            },
        },
    },
}

SCHEMAS.update(ROOT_SCHEMAS)
PATHS.update(ROOT_PATHS)
