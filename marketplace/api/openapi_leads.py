"""The served document's enquiries, leads and conversations (joined into openapi.PATHS)."""

from __future__ import annotations

from typing import Any

from marketplace.api.openapi import (
    _SUPPLIER_CARD,
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
from marketplace.catalog.models import UNITS
from marketplace.leads.models import LeadSource, LeadStatus, LeadType

_QUANTITY = {"type": ["string", "null"], "description": 'a decimal string, e.g. "500" or "2.5"'}
_UNIT = {"enum": [*UNITS, None]}

_ENQUIRY_FIELDS: dict[str, Any] = {
    "product_id": {"type": "integer", "description": "the product asked about"},
    "supplier_id": {
        "type": "integer",
        "description": "instead of product_id, from a storefront; beside it, the product's own "
        "supplier (any other is a 422)",
    },
    "quantity": {"type": ["string", "number"], "description": "more than zero"},
    "unit": {"enum": list(UNITS), "description": "defaults to the product's unit"},
    "message": {"type": "string", "minLength": 4, "maxLength": 4000},
    "city": {"type": "string", "description": "the delivery city"},
}

LEAD_SCHEMAS: dict[str, Any] = {
    "EnquiryCreated": {
        "type": "object",
        "required": ["id", "lead_id"],
        "properties": {
            "id": {"type": "integer"},
            "lead_id": {"type": "integer"},
            "duplicate": {"const": True, "description": "the same enquiry within 24 hours"},
        },
    },
    "ProductRef": {
        "type": ["object", "null"],
        "properties": {"id": {"type": ["integer", "null"]}, "name": NULLABLE_STRING},
    },
    "Trust": {
        "type": "object",
        "required": [
            "mobile_verified",
            "email_verified",
            "gst_verified",
            "member_since",
            "enquiries_last_30_days",
        ],
        "properties": {
            "mobile_verified": {"type": "boolean"},
            "email_verified": {"type": "boolean"},
            "gst_verified": {"type": "boolean", "description": "a GST-verified business"},
            "member_since": {"type": ["string", "null"], "format": "date-time"},
            "enquiries_last_30_days": {"type": "integer"},
        },
    },
    "Lead": {
        "type": "object",
        "required": [
            "id",
            "type",
            "created_at",
            "updated_at",
            "status",
            "product",
            "quantity",
            "unit",
            "message",
            "buyer",
            "trust",
        ],
        "properties": {
            "id": {"type": "integer"},
            "type": {"enum": [str(t) for t in LeadType]},
            "source": {"enum": [str(s) for s in LeadSource]},
            "created_at": TIME,
            "updated_at": TIME,
            "status": {"enum": [str(s) for s in LeadStatus]},
            "product": _ref("ProductRef"),
            "quantity": _QUANTITY,
            "unit": _UNIT,
            "message": {"type": "string"},
            "city": NULLABLE_STRING,
            "follow_up_on": {"type": ["string", "null"], "format": "date"},
            "unread": {"type": "boolean", "description": "new, or the buyer wrote since"},
            "buyer": {
                "type": "object",
                "properties": {
                    "id": {"type": ["integer", "null"]},
                    "name": {"type": "string"},
                    "email": NULLABLE_STRING,
                    "phone": NULLABLE_STRING,
                    "company_name": NULLABLE_STRING,
                    "city": NULLABLE_STRING,
                },
            },
            "trust": _ref("Trust"),
            "notes": {
                "type": "array",
                "description": "the supplier's private notes (single lead only)",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "text": {"type": "string"},
                        "created_at": TIME,
                    },
                },
            },
        },
    },
    "Message": {
        "type": "object",
        "required": ["id", "lead_id", "from", "text", "quotation", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "lead_id": {"type": "integer"},
            "from": {"enum": ["buyer", "supplier"]},
            "text": {"type": "string"},
            "quotation": {
                "type": ["object", "null"],
                "properties": {
                    "price": {"type": "string", "description": "rupees per unit"},
                    "quantity": {"type": "string"},
                    "unit": {"type": "string"},
                    "valid_until": {"type": "string", "format": "date"},
                },
            },
            "created_at": TIME,
        },
    },
    "Enquiry": {
        "type": "object",
        "required": ["id", "lead_id", "created_at", "status", "supplier"],
        "properties": {
            "id": {"type": "integer"},
            "lead_id": {"type": "integer"},
            "created_at": TIME,
            "status": {
                "enum": ["sent", "seen", "replied"],
                "description": "what the buyer is told; never the supplier's pipeline",
            },
            "unread": {"type": "boolean", "description": "the supplier replied since"},
            "product": _ref("ProductRef"),
            "quantity": _QUANTITY,
            "unit": _UNIT,
            "message": {"type": "string"},
            "city": NULLABLE_STRING,
            "supplier": _SUPPLIER_CARD,
            "replies": {"type": "array", "items": _ref("Message")},
        },
    },
}

_LEAD_ID = [_path_id("lead_id")]
_LEAD_FILTERS = [
    _query("status", {"enum": [str(s) for s in LeadStatus]}, "spam is left out unless asked for"),
    _query("type", {"enum": [str(t) for t in LeadType]}),
    _query("product_id", {"type": "integer", "minimum": 1}),
    _query(
        "start_time",
        {"type": "string"},
        "ISO 8601 with a zone (or a date: that day's midnight in India); default end_time - 7 days",
    ),
    _query(
        "end_time",
        {"type": "string"},
        "exclusive; default and at most 10 seconds ago; at most 7 days after start_time",
    ),
    _query("unread", {"type": "boolean"}),
    *PAGE_PARAMETERS,
]

LEAD_PATHS: dict[str, Any] = {
    "/enquiries": {
        "post": _op(
            "Send an enquiry to a product's supplier (or a storefront's): it becomes one lead",
            tag="leads",
            body={"type": "object", "required": ["message"], "properties": _ENQUIRY_FIELDS},
            ok=("201", _json(_ref("EnquiryCreated"), "Sent; 200 with duplicate: true")),
            problems=("403", "422"),
        ),
        "get": _op(
            "The enquiries I sent, newest first, with their status",
            tag="leads",
            ok=("200", _json(_page_of(_ref("Enquiry")))),
            problems=("403", "422"),
            parameters=PAGE_PARAMETERS,
        ),
    },
    "/enquiries/{lead_id}": {
        "get": _op(
            "One of my enquiries with the supplier's replies (marks them read)",
            tag="leads",
            ok=("200", _json(_ref("Enquiry"))),
            problems=("403", "404"),
            parameters=_LEAD_ID,
        ),
    },
    "/enquiries/guest": {
        "post": _op(
            "Enquire without an account: a one-time code goes to the mobile by SMS",
            tag="leads",
            auth=False,
            body={
                "type": "object",
                "required": ["name", "email", "phone", "age_confirmed", "accept_terms", "message"],
                "properties": {
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                    "phone": {"type": "string", "description": "an Indian mobile"},
                    "age_confirmed": {"type": "boolean"},
                    "accept_terms": {"type": "boolean"},
                    **_ENQUIRY_FIELDS,
                },
            },
            ok=(
                "202",
                _json(
                    {
                        "type": "object",
                        "required": ["verification_id"],
                        "properties": {
                            "verification_id": {"type": "string"},
                            "expires_at": TIME,
                        },
                    },
                    "Code sent",
                ),
            ),
            problems=("409", "422"),
        ),
    },
    "/enquiries/guest/{verification_id}/confirm": {
        "post": _op(
            "Confirm the code: the buyer account is created and the enquiry sent",
            tag="leads",
            auth=False,
            body={
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string"}},
            },
            ok=("201", _json(_ref("EnquiryCreated"), "Sent")),
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
    "/leads": {
        "get": _op(
            "My leads in a window of at most 7 days, oldest first (the CRM pull; scope leads:read)",
            tag="leads",
            ok=(
                "200",
                _json(
                    {
                        **_page_of(_ref("Lead")),
                        "properties": {
                            **_page_of(_ref("Lead"))["properties"],
                            "window": {
                                "type": "object",
                                "description": "the window read; poll on from its end_time",
                                "properties": {"start_time": TIME, "end_time": TIME},
                            },
                        },
                    }
                ),
            ),
            problems=("403", "422"),
            parameters=_LEAD_FILTERS,
        ),
    },
    "/leads/{lead_id}": {
        "get": _op(
            "One of my leads, with my notes (scope leads:read)",
            tag="leads",
            ok=("200", _json(_ref("Lead"))),
            problems=("403", "404"),
            parameters=_LEAD_ID,
        ),
        "patch": _op(
            "Move a lead through the pipeline, add a note, set a follow-up (scope leads:write)",
            tag="leads",
            body={
                "type": "object",
                "properties": {
                    "status": {"enum": [str(s) for s in LeadStatus]},
                    "note": {"type": "string", "maxLength": 2000},
                    "follow_up_on": {"type": ["string", "null"], "format": "date"},
                },
            },
            ok=("200", _json(_ref("Lead"))),
            problems=("403", "404", "422"),
            parameters=_LEAD_ID,
        ),
    },
    "/leads/{lead_id}/block": {
        "post": _op(
            "Mark spam and block the buyer: their later enquiries land in spam (leads:write)",
            tag="leads",
            ok=("200", _json(_ref("Lead"))),
            problems=("403", "404"),
            parameters=_LEAD_ID,
        ),
    },
    "/leads/{lead_id}/messages": {
        "get": _op(
            "The lead's conversation, oldest first (buyer or supplier; marks it read)",
            tag="leads",
            ok=(
                "200",
                _json(
                    {
                        "type": "object",
                        "required": ["items", "total"],
                        "properties": {
                            "items": {"type": "array", "items": _ref("Message")},
                            "total": {"type": "integer"},
                        },
                    }
                ),
            ),
            problems=("403", "404"),
            parameters=_LEAD_ID,
        ),
        "post": _op(
            "Write to the other side: text, or (supplier) a quotation",
            tag="leads",
            body={
                "type": "object",
                "properties": {
                    "text": {"type": "string", "maxLength": 4000},
                    "quotation": {
                        "type": "object",
                        "required": ["price", "quantity", "unit", "valid_until"],
                        "properties": {
                            "price": {"type": "string", "description": "rupees per unit"},
                            "quantity": {"type": ["string", "number"]},
                            "unit": {"enum": list(UNITS)},
                            "valid_until": {"type": "string", "format": "date"},
                        },
                    },
                },
            },
            ok=("201", _json(_ref("Message"), "Sent")),
            problems=("403", "404", "422"),
            parameters=_LEAD_ID,
        ),
    },
}

_REQUIREMENT_COMMON: dict[str, Any] = {
    "id": {"type": "integer"},
    "product_name": {"type": "string"},
    "description": {"type": "string"},
    "category": NULLABLE_STRING,
    "quantity": {"type": "string"},
    "unit": {"type": "string"},
    "budget": {"type": ["string", "null"], "description": "rupees"},
    "city": {"type": "string"},
    "state": {"type": "string"},
    "status": {
        "enum": ["open", "closed", "expired", "full"],
        "description": "full: as many suppliers unlocked it as it allows",
    },
    "unlocks": {"type": "integer"},
    "created_at": TIME,
    "expires_at": TIME,
}
LEAD_SCHEMAS["Requirement"] = {
    "type": "object",
    "required": ["id", "matched_suppliers", "expires_at", "status", "unlocked_by"],
    "properties": {
        **_REQUIREMENT_COMMON,
        "matched_suppliers": {"type": "integer"},
        "unlocked_by": {"type": "array", "items": _SUPPLIER_CARD},
    },
}
LEAD_SCHEMAS["BuyLead"] = {
    "type": "object",
    "required": ["id", "status", "unlocked", "buyer"],
    "properties": {
        **_REQUIREMENT_COMMON,
        "unlocked": {"type": "boolean"},
        "lead_id": {"type": ["integer", "null"]},
        "buyer": {
            "type": "object",
            "description": "masked (Ra***h, r***@gmail.com, +91 98XXXXXX10) until unlocked",
            "properties": {
                "name": {"type": "string"},
                "email": NULLABLE_STRING,
                "phone": NULLABLE_STRING,
            },
        },
    },
}
_REQUIREMENT_ID = [_path_id("requirement_id")]
LEAD_PATHS.update(
    {
        "/requirements": {
            "post": _op(
                "Post a buy requirement: it is matched to suppliers, who are told",
                tag="buyleads",
                body={
                    "type": "object",
                    "required": ["product_name", "quantity", "unit", "city", "state"],
                    "properties": {
                        "product_name": {"type": "string", "minLength": 3, "maxLength": 200},
                        "description": {"type": "string", "maxLength": 4000},
                        "category": {"type": "string", "description": "a category slug"},
                        "quantity": {"type": ["string", "number"]},
                        "unit": {"enum": list(UNITS)},
                        "budget": {"type": "string", "description": "rupees"},
                        "city": {"type": "string"},
                        "state": {"type": "string", "description": "name, ISO or GST code"},
                        "open_days": {"type": "integer", "minimum": 1, "maximum": 30},
                    },
                },
                ok=("201", _json(_ref("Requirement"), "Posted")),
                problems=("403", "422", "503"),
            ),
            "get": _op(
                "My buy requirements, with who unlocked each",
                tag="buyleads",
                ok=("200", _json(_page_of(_ref("Requirement")))),
                problems=("403", "422"),
                parameters=PAGE_PARAMETERS,
            ),
        },
        "/requirements/{requirement_id}": {
            "get": _op(
                "One of my buy requirements",
                tag="buyleads",
                ok=("200", _json(_ref("Requirement"))),
                problems=("403", "404"),
                parameters=_REQUIREMENT_ID,
            ),
        },
        "/requirements/{requirement_id}/close": {
            "post": _op(
                "Close my requirement: no more unlocks",
                tag="buyleads",
                ok=("200", _json(_ref("Requirement"))),
                problems=("403", "404"),
                parameters=_REQUIREMENT_ID,
            ),
        },
        "/buyleads": {
            "get": _op(
                "Buy requirements matched to me: open ones, and those I unlocked (leads:read)",
                tag="buyleads",
                ok=("200", _json(_page_of(_ref("BuyLead")))),
                problems=("403", "422"),
                parameters=PAGE_PARAMETERS,
            ),
        },
        "/buyleads/{requirement_id}/unlock": {
            "post": _op(
                "Spend one credit to see the buyer's contact; it becomes a lead. Again: the same "
                "lead, no second debit (leads:write)",
                tag="buyleads",
                ok=("200", _json(_ref("Lead"))),
                problems=("403", "404", "409"),
                parameters=_REQUIREMENT_ID,
            ),
        },
    }
)

LEAD_PATHS["/enquiries"]["post"]["responses"]["200"] = _json(
    _ref("EnquiryCreated"), "The same enquiry within 24 hours: the existing lead, no new one"
)
LEAD_PATHS["/enquiries"]["post"]["responses"]["201"]["description"] = "Sent"

SCHEMAS.update(LEAD_SCHEMAS)
PATHS.update(LEAD_PATHS)
