"""What a person reads of a privacy request: its kind, its state and the fields they may have
corrected, in words (the codes stay in the database, the API and the CSV)."""

from __future__ import annotations

from marketplace.privacy.models import RequestStatus, RequestType
from marketplace.privacy.retention import RULES

KIND_LABELS = {
    RequestType.ACCESS: "Copy of your data",
    RequestType.CORRECTION: "Correction",
    RequestType.DELETION: "Account deletion",
    RequestType.OBJECTION: "Objection",
    RequestType.DEACTIVATION: "Deactivation",
}

STATUS_LABELS = {
    RequestStatus.PENDING: "Waiting for the grievance officer",
    RequestStatus.APPROVED: "Approved",
    RequestStatus.DENIED: "Refused",
    RequestStatus.IN_PROGRESS: "In progress",
    RequestStatus.COMPLETE: "Done",
    RequestStatus.COMPLETE_WITH_RETENTION: "Done; records the law requires are kept",
    RequestStatus.PAUSED: "Paused by a legal hold",
    RequestStatus.FAILED: "Could not be completed; we are looking into it",
}

# The fields of CORRECTABLE_FIELDS as the settings page names them.
FIELD_LABELS = {
    "name": "Your name",
    "company_name": "Business name",
    "address_line1": "Business address",
    "city": "City",
}


def kind_label(kind: RequestType | str) -> str:
    return KIND_LABELS[RequestType(kind)]


def status_label(status: RequestStatus | str) -> str:
    return STATUS_LABELS[RequestStatus(status)]


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def retention_label(record_type: str) -> str:
    """A kept record's kind as its legal rule names it ('Tax invoices')."""
    return RULES[record_type].label if record_type in RULES else record_type


# How an archived record's reference reads: "invoice:TS/26-27/000001" -> "Invoice TS/26-27/000001".
_REFERENCES = {
    "invoice": "Invoice {}",
    "user": "Account #{}",
    "supplier": "Business profile #{}",
    "audit:user": "Activity of account #{}",
}


def reference_label(reference: str) -> str:
    kind, _, number = reference.rpartition(":")
    return _REFERENCES[kind].format(number) if kind in _REFERENCES else reference
