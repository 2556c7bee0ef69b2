"""With whom the portal shared a person's data, what, and when (DPDP Act 2023 s.11(1)(b)).

Three kinds of recipient: the suppliers a buyer's enquiries reached (the contact and the
message), the suppliers a buy requirement was matched to (the requirement, with the buyer
masked) and those who unlocked it (the contact), and the processors that handle data for the
portal in its running configuration.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from marketplace.accounts.models import SupplierProfile, User
from marketplace.extensions import db
from marketplace.grievances.sub_processors import sub_processors
from marketplace.leads.models import BuyRequirement, Lead, LeadType, RequirementMatch

_CONTACT = "your name, email address and mobile number"


def shared_with(user: User) -> list[dict[str, Any]]:
    rows = [*_suppliers_enquired(user), *_suppliers_matched(user)]
    rows.sort(key=lambda row: row["at"])  # one story, oldest first
    return [*rows, *_processors()]


def _row(
    recipient: str, kind: str, gstin: str | None, what: str, why: str, at: Any
) -> dict[str, Any]:
    return {
        "recipient": recipient,
        "kind": kind,
        "gstin": gstin,
        "what": what,
        "why": why,
        "at": at,
    }


def _suppliers_enquired(user: User) -> list[dict[str, Any]]:
    leads = db.session.scalars(select(Lead).where(Lead.buyer_id == user.id).order_by(Lead.id))
    return [_lead_row(lead) for lead in leads]


def _lead_row(lead: Lead) -> dict[str, Any]:
    supplier = lead.supplier
    if lead.type == LeadType.BUYLEAD:
        why = f"it unlocked your buy requirement for {lead.product_name} with a credit"
        return _row(
            supplier.company_name, "supplier", supplier.gstin, _CONTACT, why, lead.created_at
        )
    about = f" about {lead.product_name}" if lead.product_name else ""  # a storefront enquiry
    what = f"{_CONTACT}, and your enquiry{about}"
    why = "you sent it an enquiry"
    return _row(supplier.company_name, "supplier", supplier.gstin, what, why, lead.created_at)


def _suppliers_matched(user: User) -> list[dict[str, Any]]:
    matches = db.session.execute(
        select(RequirementMatch, BuyRequirement, SupplierProfile)
        .join(BuyRequirement, BuyRequirement.id == RequirementMatch.requirement_id)
        .join(SupplierProfile, SupplierProfile.id == RequirementMatch.supplier_id)
        .where(BuyRequirement.buyer_id == user.id)
        .order_by(RequirementMatch.id)
    )
    return [
        _row(
            supplier.company_name,
            "supplier",
            supplier.gstin,
            f"your buy requirement for {requirement.product_name}: what, how much, the budget, "
            "city and state, with your name masked; by email and in its BuyLead list",
            "its products matched your requirement",
            match.created_at,
        )
        for match, requirement, supplier in matches
    ]


def _processors() -> list[dict[str, Any]]:
    """The processors: each handles the person's data for as long as they use the portal, so
    `at` names no single moment."""
    return [
        _row(processor.name, "processor", None, processor.data, processor.purpose, None)
        for processor in sub_processors(current_app.config)
    ]
