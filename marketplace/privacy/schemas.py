"""What each audience sees of a person's privacy: their consents, their own requests, and what
the grievance officer needs to decide one (the stated details, never the workflow's own
bookkeeping: see PrivacyRequest.stated_details)."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from flask import url_for
from pydantic import Field, WithJsonSchema
from typing_extensions import TypedDict

from marketplace.fields import MaybeTimestamp, Timestamp
from marketplace.formatting import iso_utc
from marketplace.legal_clocks import clock
from marketplace.privacy.models import ArchivedRecord as ArchivedRecordRow
from marketplace.privacy.models import PrivacyRequest as PrivacyRequestRow
from marketplace.privacy.models import RequestStatus, RequestType
from marketplace.privacy.notice import current_version
from marketplace.privacy.services import current_consents

_STATUS = Field(json_schema_extra={"enum": [status.value for status in RequestStatus]})
_TYPE = Field(json_schema_extra={"enum": [kind.value for kind in RequestType]})


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


class PrivacyRequestCreated(TypedDict):
    id: int
    type: Annotated[str, _TYPE]
    status: Annotated[str, _STATUS]
    due_at: Timestamp


class PrivacyRequestStep(TypedDict):
    status: Annotated[str, _STATUS]
    at: Timestamp
    note: str | None


class PrivacyRequest(PrivacyRequestCreated):
    """A request as its maker sees it, with its status history."""

    created_at: Timestamp
    completed_at: MaybeTimestamp
    decision_reason: str | None
    hold_reason: str | None
    history: list[PrivacyRequestStep]
    download_url: NotRequired[
        Annotated[
            str, Field(description="a finished access request's ZIP (same bearer token, 7 days)")
        ]
    ]
    download_expires_at: NotRequired[Timestamp]
    certificate: NotRequired[
        Annotated[
            dict[str, Any],
            Field(
                description="a deletion's certificate: what was erased, what was kept, why and "
                "until when"
            ),
        ]
    ]


class PrivacyRequestForOfficer(PrivacyRequest):
    """What the grievance officer needs to decide: the request, what was stated, the account."""

    user_id: int
    details: Annotated[dict[str, Any], Field(description="what the person stated")]
    decided_by: int | None
    decided_at: MaybeTimestamp
    legal_clock: str


# What a person reads of a request: the officer's view, or its maker's.
PrivacyRequestView = PrivacyRequestForOfficer | PrivacyRequest


class PrivacyRequestPage(TypedDict):
    """One page of privacy requests, each as its reader may see it: `?page=1&per_page=20`
    (named here: fields.Page of a union would be named for no one type)."""

    items: list[PrivacyRequestView]
    total: int
    page: int
    per_page: int


def _history(row: PrivacyRequestRow) -> list[PrivacyRequestStep]:
    return [
        {"status": event.status.value, "at": event.occurred_at, "note": event.note}
        for event in row.history
    ]


def request_created(row: PrivacyRequestRow) -> PrivacyRequestCreated:
    return {
        "id": row.id,
        "type": row.type.value,
        "status": row.status.value,
        "due_at": row.due_at,
    }


def request_owner(row: PrivacyRequestRow) -> PrivacyRequest:
    """A request as its maker sees it."""
    body: PrivacyRequest = {
        **request_created(row),
        "created_at": row.created_at,
        "completed_at": row.completed_at,
        "decision_reason": row.decision_reason,
        "hold_reason": row.hold_reason,
        "history": _history(row),
    }
    if row.export_name and row.export_expires_at:
        body["download_url"] = url_for("api.privacy_request_download", request_id=row.id)
        body["download_expires_at"] = row.export_expires_at
    if row.certificate:
        body["certificate"] = row.certificate
    return body


def request_officer(row: PrivacyRequestRow) -> PrivacyRequestForOfficer:
    """What the grievance officer needs to decide: the request, its details, the account id."""
    return {
        **request_owner(row),
        "user_id": row.user_id,
        "details": row.stated_details,
        "decided_by": row.decided_by_id,
        "decided_at": row.decided_at,
        "legal_clock": clock("privacy_request").source,
    }


class ArchivedRecord(TypedDict):
    """A statutory record kept after a person's erasure."""

    id: int
    subject: int
    record_type: str
    reference: str
    legal_basis: str
    retain_until: Timestamp
    archived_at: Timestamp


def archived_officer(record: ArchivedRecordRow) -> ArchivedRecord:
    return {
        "id": record.id,
        "subject": record.subject_id,
        "record_type": record.record_type,
        "reference": record.reference,
        "legal_basis": record.legal_basis,
        "retain_until": record.retain_until,
        "archived_at": record.archived_at,
    }
