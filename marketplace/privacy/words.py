"""What a person reads of a privacy request: its kind, its state and the fields they may have
corrected, in words (the codes stay in the database, the API and the CSV)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.privacy.models import RequestStatus, RequestType
from marketplace.privacy.retention import RULES

KIND_LABELS = {
    RequestType.ACCESS: _l("Copy of your data"),
    RequestType.CORRECTION: _l("Correction"),
    RequestType.DELETION: _l("Account deletion"),
    RequestType.OBJECTION: _l("Objection"),
    RequestType.DEACTIVATION: _l("Deactivation"),
}

STATUS_LABELS = {
    RequestStatus.PENDING: _l("Waiting for the grievance officer"),
    RequestStatus.APPROVED: _l("Approved"),
    RequestStatus.DENIED: _l("Refused"),
    RequestStatus.IN_PROGRESS: _l("In progress"),
    RequestStatus.COMPLETE: _l("Done"),
    RequestStatus.COMPLETE_WITH_RETENTION: _l("Done; records the law requires are kept"),
    RequestStatus.PAUSED: _l("Paused by a legal hold"),
    RequestStatus.FAILED: _l("Could not be completed; we are looking into it"),
}

# The fields of CORRECTABLE_FIELDS as the settings page names them.
FIELD_LABELS = {
    "name": _l("Your name"),
    "company_name": _l("Business name"),
    "address_line1": _l("Business address"),
    "city": _l("City"),
}


def kind_label(kind: RequestType | str) -> str:
    return str(KIND_LABELS[RequestType(kind)])


def status_label(status: RequestStatus | str) -> str:
    return str(STATUS_LABELS[RequestStatus(status)])


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def retention_label(record_type: str) -> str:
    """A kept record's kind as its legal rule names it ('Tax invoices')."""
    return RULES[record_type].label if record_type in RULES else record_type


# How an archived record's reference reads: "invoice:TS/26-27/000001" -> "Invoice TS/26-27/000001".
_REFERENCES = {
    "invoice": _l("Invoice {}"),
    "user": _l("Account #{}"),
    "supplier": _l("Business profile #{}"),
    "audit:user": _l("Activity of account #{}"),
}


def reference_label(reference: str) -> str:
    kind, _, number = reference.rpartition(":")
    return _REFERENCES[kind].format(number) if kind in _REFERENCES else reference
