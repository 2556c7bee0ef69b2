"""What each party reads of a report of a bad BuyLead: the supplier that filed it, and the
grievance officer (who also sees who reported, the buyer and the buyer's record)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict

from marketplace.accounts.schemas import SupplierCard, supplier_public
from marketplace.fields import MaybeTimestamp, Timestamp
from marketplace.leads.report_models import REASON_LABELS, BuyLeadReport, ReportReason

_REASONS = [reason.value for reason in ReportReason]
_STATUSES = ["pending", "upheld", "rejected"]


class Report(TypedDict):
    id: int
    reference: Annotated[str, Field(description='"BR-12"')]
    requirement_id: int
    lead_id: int
    reason: Annotated[str, Field(json_schema_extra={"enum": _REASONS})]
    reason_label: str
    note: str
    status: Annotated[
        str,
        Field(
            json_schema_extra={"enum": _STATUSES},
            description="upheld: the credit was returned to the ledger",
        ),
    ]
    created_at: Timestamp
    decided_at: MaybeTimestamp
    decision_reason: str | None


class ReportedBuyer(TypedDict):
    id: int | None
    name: str
    fake_requirements: Annotated[int, Field(description="requirements with a report upheld")]


class ReportForOfficer(Report):
    supplier: SupplierCard
    product_name: str
    buyer: ReportedBuyer


ReportView = ReportForOfficer | Report


class ReportPage(TypedDict):
    """One page of reports, each as its reader may see it."""

    items: list[ReportView]
    total: int
    page: int
    per_page: int


def reference(report: BuyLeadReport) -> str:
    return f"BR-{report.id}"


def report_for_supplier(report: BuyLeadReport) -> Report:
    return {
        "id": report.id,
        "reference": reference(report),
        "requirement_id": report.requirement_id,
        "lead_id": report.lead_id,
        "reason": str(report.reason),
        "reason_label": str(REASON_LABELS[report.reason]),
        "note": report.note,
        "status": str(report.status),
        "created_at": report.created_at,
        "decided_at": report.decided_at,
        "decision_reason": report.decision_reason,
    }


def report_for_officer(report: BuyLeadReport, fake_requirements: int) -> ReportForOfficer:
    buyer = report.requirement.buyer
    return {
        **report_for_supplier(report),
        "supplier": supplier_public(report.supplier),
        "product_name": report.requirement.product_name,
        "buyer": {
            "id": buyer.id if buyer else None,
            "name": buyer.name if buyer else "Deleted account",
            "fake_requirements": fake_requirements,
        },
    }
