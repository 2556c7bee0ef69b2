from __future__ import annotations

from typing import Annotated, Any

from flask import url_for
from pydantic import WithJsonSchema
from typing_extensions import TypedDict

from marketplace.formatting import iso_utc
from marketplace.legal_clocks import clock
from marketplace.privacy.models import ArchivedRecord, PrivacyRequest
from marketplace.privacy.notice import current_version
from marketplace.privacy.services import current_consents


class ConsentState(TypedDict):
    purpose: str
    label: str
    required: bool
    granted: bool
    # A string already (the answer is also sent through jsonify): ISO 8601 in UTC.
    updated_at: Annotated[
        str | None, WithJsonSchema({"type": ["string", "null"], "format": "date-time"})
    ]


class Consents(TypedDict):
    """The account's current consent per purpose, under the privacy notice's version."""

    policy_version: str
    purposes: list[ConsentState]


def consents_owner(user_id: int) -> Consents:
    return {
        "policy_version": current_version(),
        "purposes": [
            {
                "purpose": state.purpose.id,
                "label": state.purpose.label,
                "required": state.purpose.required,
                "granted": state.granted,
                "updated_at": iso_utc(state.updated_at),
            }
            for state in current_consents(user_id)
        ],
    }


def _history(row: PrivacyRequest) -> list[dict[str, Any]]:
    return [
        {"status": event.status.value, "at": iso_utc(event.occurred_at), "note": event.note}
        for event in row.history
    ]


def request_owner(row: PrivacyRequest) -> dict[str, Any]:
    """A request as its maker sees it."""
    body: dict[str, Any] = {
        "id": row.id,
        "type": row.type.value,
        "status": row.status.value,
        "due_at": iso_utc(row.due_at),
        "created_at": iso_utc(row.created_at),
        "completed_at": iso_utc(row.completed_at),
        "decision_reason": row.decision_reason,
        "hold_reason": row.hold_reason,
        "history": _history(row),
    }
    if row.export_name and row.export_expires_at:
        body["download_url"] = url_for("api.privacy_request_download", request_id=row.id)
        body["download_expires_at"] = iso_utc(row.export_expires_at)
    if row.certificate:
        body["certificate"] = row.certificate
    return body


def request_created(row: PrivacyRequest) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type.value,
        "status": row.status.value,
        "due_at": iso_utc(row.due_at),
    }


def request_officer(row: PrivacyRequest) -> dict[str, Any]:
    """What the grievance officer needs to decide: the request, its details, the account id."""
    return {
        **request_owner(row),
        "user_id": row.user_id,
        "details": row.stated_details,
        "decided_by": row.decided_by_id,
        "decided_at": iso_utc(row.decided_at),
        "legal_clock": clock("privacy_request").source,
    }


def archived_officer(record: ArchivedRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "subject": record.subject_id,
        "record_type": record.record_type,
        "reference": record.reference,
        "legal_basis": record.legal_basis,
        "retain_until": iso_utc(record.retain_until),
        "archived_at": iso_utc(record.archived_at),
    }
