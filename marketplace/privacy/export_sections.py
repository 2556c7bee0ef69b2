"""What the access export holds: one section per kind of record the portal keeps about a person.

Each section says which columns that point at a person (a user or their business) it reads, in
`reads`; every such column of every table is either read by a section or listed in
`NOT_EXPORTED` with the reason, and a test walks the models to hold us to it, so a new table
that refers to a person cannot be left out of the export unnoticed.

Never password hashes, key digests, secrets, or other people's contact details; identity and
bank numbers masked to their last four characters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from marketplace.accounts.gst_receipts import export_rows as gst_check_rows
from marketplace.accounts.models import ApiCredential, User, UserSession
from marketplace.accounts.team_models import TeamMember
from marketplace.catalog.models import Product
from marketplace.credits.models import CreditAccount, CreditEntry, CreditOrder, Invoice
from marketplace.extensions import db
from marketplace.grievances.models import Grievance
from marketplace.leads import buylead_export
from marketplace.leads.models import (
    BuyRequirement,
    Lead,
    LeadNote,
    Message,
    MessageSide,
    Webhook,
)
from marketplace.privacy import export_activity, newsletters
from marketplace.privacy.manager_models import ConsentManager
from marketplace.privacy.models import ConsentRecord, PrivacyRequest
from marketplace.privacy.sharing import shared_with
from marketplace.reviews import queries as reviews

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Section:
    name: str
    reads: tuple[str, ...]  # "table.column" pointing at the person or their business
    rows: Callable[[User], Rows]


def last_four(value: str | None) -> str | None:
    if not value:
        return value
    return "X" * max(len(value) - 4, 0) + value[-4:]


def _supplier_id(user: User) -> int:
    return user.supplier.id if user.supplier else -1  # -1: no row matches


def _profile(user: User) -> Rows:
    return [
        {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "phone": user.phone,
            "email_verified_at": user.email_verified_at,
            "phone_verified_at": user.phone_verified_at,
            "roles": " ".join(role.value for role in user.roles),
            "registered_at": user.created_at,
            "last_sign_in_at": user.last_sign_in_at,
        }
    ]


def _business(user: User) -> Rows:
    profile = user.supplier
    if profile is None:
        return []
    return [
        {
            "company_name": profile.company_name,
            "gstin": profile.gstin,
            "pan": last_four(profile.pan),
            "gst_verification": profile.gst_verification.value,
            "gst_verified_at": profile.gst_verified_at,
            "address_line1": profile.address_line1,
            "city": profile.city,
            "state": profile.state,
            "pincode": profile.pincode,
            "business_type": profile.business_type,
            "year_established": profile.year_established,
            "employees": profile.employees,
            "turnover_band": profile.turnover_band,
            "about": profile.about,
            "registered_at": profile.created_at,
        }
    ]


def _business_photos(user: User) -> Rows:
    # The photos the supplier put on its storefront (the files are at /media/business/<file>).
    return [
        {
            "id": photo.id,
            "caption": photo.caption,
            "file": photo.stored_name,
            "uploaded_at": photo.created_at,
        }
        for photo in (user.supplier.photos if user.supplier else [])
    ]


def _products(user: User) -> Rows:
    rows = db.session.scalars(
        select(Product).where(Product.supplier_id == _supplier_id(user)).order_by(Product.id)
    )
    return [
        {
            "id": p.id,
            "name": p.name,
            "description": p.description,
            "price": p.price,
            "unit": p.unit,
            "status": p.status.value,
            "created_at": p.created_at,
        }
        for p in rows
    ]


def _sent_leads(user: User) -> list[Lead]:
    return list(db.session.scalars(select(Lead).where(Lead.buyer_id == user.id).order_by(Lead.id)))


def _enquiries(user: User) -> Rows:
    return [
        {
            "id": lead.id,
            "supplier": lead.supplier.company_name,
            "product": lead.product_name,
            "quantity": lead.quantity,
            "unit": lead.unit,
            "message": lead.message,
            "city": lead.city,
            "sent_at": lead.created_at,
        }
        for lead in _sent_leads(user)
    ]


def _leads(user: User) -> Rows:
    # A supplier's leads: its own pipeline, never the buyers' contact details.
    rows = db.session.scalars(
        select(Lead).where(Lead.supplier_id == _supplier_id(user)).order_by(Lead.id)
    )
    return [
        {
            "id": lead.id,
            "type": lead.type.value,
            "status": lead.status.value,
            "product": lead.product_name,
            "quantity": lead.quantity,
            "unit": lead.unit,
            "received_at": lead.created_at,
        }
        for lead in rows
    ]


def _lead_notes(user: User) -> Rows:
    rows = db.session.scalars(
        select(LeadNote).where(LeadNote.author_id == user.id).order_by(LeadNote.id)
    )
    return [
        {"id": n.id, "lead_id": n.lead_id, "text": n.text, "written_at": n.created_at} for n in rows
    ]


def _messages(user: User) -> Rows:
    """What the person wrote, and the replies written to them on their enquiries."""
    replies_to_them = and_(
        Message.lead_id.in_(select(Lead.id).where(Lead.buyer_id == user.id)),
        Message.side == MessageSide.SUPPLIER,
    )
    rows = db.session.scalars(
        select(Message)
        .where(or_(Message.author_id == user.id, replies_to_them))
        .order_by(Message.id)
    )
    return [
        {
            "id": m.id,
            "lead_id": m.lead_id,
            "side": m.side.value,
            "text": m.text,
            "quote_price": m.quote_price,
            "sent_at": m.created_at,
        }
        for m in rows
    ]


def _buy_requirements(user: User) -> Rows:
    rows = db.session.scalars(
        select(BuyRequirement).where(BuyRequirement.buyer_id == user.id).order_by(BuyRequirement.id)
    )
    return [
        {
            "id": r.id,
            "product_name": r.product_name,
            "description": r.description,
            "quantity": r.quantity,
            "unit": r.unit,
            "budget": r.budget,
            "city": r.city,
            "state": r.state,
            "posted_at": r.created_at,
        }
        for r in rows
    ]


def _credit_account(user: User) -> Rows:
    account = db.session.get(CreditAccount, _supplier_id(user))
    if account is None:
        return []
    return [{"plan": account.plan, "locked_at": account.locked_at, "opened_at": account.created_at}]


def _credits(user: User) -> Rows:
    rows = db.session.scalars(
        select(CreditEntry)
        .where(or_(CreditEntry.supplier_id == _supplier_id(user), CreditEntry.actor_id == user.id))
        .order_by(CreditEntry.id)
    )
    return [
        {"delta": e.delta, "kind": e.kind.value, "reason": e.reason, "at": e.created_at}
        for e in rows
    ]


def _orders(user: User) -> Rows:
    rows = db.session.scalars(
        select(CreditOrder)
        .where(CreditOrder.supplier_id == _supplier_id(user))
        .order_by(CreditOrder.id)
    )
    return [
        {
            "id": o.id,
            "pack": o.pack_id,
            "total": o.total,
            "status": o.status.value,
            "paid_at": o.paid_at,
        }
        for o in rows
    ]


def _invoices(user: User) -> Rows:
    rows = db.session.scalars(
        select(Invoice).where(Invoice.supplier_id == _supplier_id(user)).order_by(Invoice.id)
    )
    return [
        {
            "number": i.number,
            "kind": i.kind.value,
            "issued_at": i.issued_at,
            "total": i.total,
            "recipient_gstin": i.recipient_gstin,
        }
        for i in rows
    ]


def _webhooks(user: User) -> Rows:
    rows = db.session.scalars(
        select(Webhook).where(Webhook.supplier_id == _supplier_id(user)).order_by(Webhook.id)
    )
    return [
        {
            "id": w.id,
            "url": w.url,
            "events": " ".join(w.events),
            "created_at": w.created_at,
            "disabled_at": w.disabled_at,
            "deleted_at": w.deleted_at,
        }
        for w in rows
    ]


def _api_keys_and_tokens(user: User) -> Rows:
    rows = db.session.scalars(
        select(ApiCredential)
        .where(or_(ApiCredential.user_id == user.id, ApiCredential.created_by_id == user.id))
        .order_by(ApiCredential.id)
    )
    return [
        {
            "kind": key.kind,
            "name": key.name,
            "prefix": key.prefix,  # never the digest
            "scopes": " ".join(key.scopes or []),
            "created_at": key.created_at,
            "last_used_at": key.last_used_at,
            "revoked_at": key.revoked_at,
        }
        for key in rows
    ]


def _team_membership(user: User) -> Rows:
    rows = db.session.scalars(select(TeamMember).where(TeamMember.user_id == user.id))
    return [
        {
            "business": m.supplier.company_name,
            "role": str(m.role),
            "away": m.away,
            "invited_at": m.invited_at,
            "joined_at": m.joined_at,
            "removed_at": m.removed_at,
        }
        for m in rows
    ]


def _sessions(user: User) -> Rows:
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    )
    return [{"signed_in_at": s.created_at, "last_seen_at": s.last_seen_at} for s in rows]


def _consent_history(user: User) -> Rows:
    rows = db.session.execute(
        select(ConsentRecord, ConsentManager)
        .outerjoin(ConsentManager, ConsentManager.id == ConsentRecord.consent_manager_id)
        .where(ConsentRecord.user_id == user.id)
        .order_by(ConsentRecord.id)
    )
    return [
        {
            "purpose": c.purpose,
            "granted": c.granted,
            "policy_version": c.policy_version,
            "source": c.source,
            "recorded_at": c.recorded_at,
            "ip_address": c.ip_address,
            "browser": c.user_agent,
            "through_consent_manager": f"{m.name} ({m.registration_number})" if m else None,
        }
        for c, m in rows
    ]


def _privacy_requests(user: User) -> Rows:
    rows = db.session.scalars(
        select(PrivacyRequest).where(PrivacyRequest.user_id == user.id).order_by(PrivacyRequest.id)
    )
    return [
        {
            "id": r.id,
            "type": r.type.value,
            "status": r.status.value,
            "due_at": r.due_at,
            "created_at": r.created_at,
        }
        for r in rows
    ]


def _grievances(user: User) -> Rows:
    rows = db.session.scalars(
        select(Grievance).where(Grievance.complainant_id == user.id).order_by(Grievance.id)
    )
    return [
        {
            "id": g.id,
            "reference": g.reference,
            "category": g.category,
            "subject": g.subject,
            "description": g.description,
            "status": g.status,
            "created_at": g.received_at,
            "response": g.response,
        }
        for g in rows
    ]


# In the export's order (pinned by snapshot tests: new sections go at the end).
SECTIONS: tuple[Section, ...] = (
    Section("profile", ("user_roles.user_id",), _profile),
    Section("business", ("supplier_profiles.user_id",), _business),
    Section("business_photos", ("business_photos.supplier_id",), _business_photos),
    Section("products", ("products.supplier_id",), _products),
    Section("enquiries", ("leads.buyer_id",), _enquiries),
    Section("leads", ("leads.supplier_id",), _leads),
    Section("messages", ("lead_messages.author_id",), _messages),
    Section("buy_requirements", ("buy_requirements.buyer_id",), _buy_requirements),
    Section("credits", ("credit_entries.supplier_id", "credit_entries.actor_id"), _credits),
    Section("orders", ("credit_orders.supplier_id",), _orders),
    Section("invoices", ("invoices.supplier_id",), _invoices),
    Section("consent_history", ("consent_records.user_id",), _consent_history),
    Section("privacy_requests", ("privacy_requests.user_id",), _privacy_requests),
    Section("grievances", ("grievances.complainant_id",), _grievances),
    Section("sign_in_history", ("audit_events.actor_id",), export_activity.sign_in_history),
    Section("shared_with", ("requirement_matches.supplier_id",), shared_with),
    Section("lead_notes", ("lead_notes.author_id",), _lead_notes),
    Section("credit_account", ("credit_accounts.supplier_id",), _credit_account),
    Section("webhooks", ("webhooks.supplier_id",), _webhooks),
    Section(
        "api_keys_and_tokens",
        ("api_credentials.user_id", "api_credentials.created_by_id"),
        _api_keys_and_tokens,
    ),
    Section("sessions", ("user_sessions.user_id",), _sessions),
    Section("activity", ("audit_events.actor_id",), export_activity.activity),
    Section("gst_checks", ("gst_checks.supplier_id",), gst_check_rows),
    Section("team_membership", ("team_members.user_id",), _team_membership),
    Section("newsletters", ("newsletter_deliveries.user_id",), newsletters.received_by),
    Section("reviews", ("reviews.author_id",), reviews.written_by),
    Section("review_replies", ("reviews.supplier_id",), reviews.replies_by),
    Section("review_reports", ("review_reports.reporter_id",), reviews.reports_by),
    Section(
        "buylead_reports",
        ("buylead_reports.supplier_id", "buylead_reports.reporter_id"),
        buylead_export.report_rows,
    ),
    Section(
        "buylead_preferences", ("lead_preferences.supplier_id",), buylead_export.preference_rows
    ),
)

# Columns that point at a person but whose rows are not theirs to receive, and why.
NOT_EXPORTED: dict[str, str] = {
    "breaches.recorded_by_id": "the officer's work record of a breach, not data about them",
    "grievances.assigned_to_id": "the officer's work assignment, not data about them",
    "privacy_requests.decided_by_id": "the officer's decision on another person's request",
    "privacy_legal_holds.placed_by_id": "the officer's work record of a legal hold",
    "privacy_legal_holds.subject_id": (
        "a hold placed for an investigation or proceedings; disclosing it could prejudice them "
        "(DPDP Act s.17(1)(c)); the person is told of a hold when it delays their erasure"
    ),
    "products.hidden_by_id": "a moderator's action on a supplier's listing",
    "reviews.hidden_by_id": "a moderator's action on a review (its author gets the reason)",
    "grievance_events.actor_id": "the steps of a complaint are in its own record, by reference",
    "privacy_request_events.actor_id": "the steps of a request are in its own record",
    "supplier_blocks.supplier_id": "a supplier's list of blocked buyers holds the buyers' data",
    "supplier_blocks.buyer_id": "a supplier's private decision, the supplier's data",
    "enquiry_guards.buyer_id": "a short-lived counter against repeated enquiries, no content",
    "gst_checks.requested_by_user_id": "the administrator's work record of asking for a check",
    "gst_checks.closed_by_id": "the officer's work record of closing a desk item",
    "team_members.supplier_id": "the business's list of its staff holds the staff's data",
    "team_members.invited_by_id": "who invited a colleague is the business's record",
    "leads.assignee_id": "which staff member works a lead is the business's record",
    "lead_assignment_rules.supplier_id": "the business's rules for sharing out leads",
    "lead_assignment_rules.user_id": "the business's rules for sharing out leads",
    "lead_assignment_cursors.supplier_id": "a round-robin position, about nobody",
    "lead_assignment_cursors.last_user_id": "a round-robin position, about nobody",
    "newsletters.created_by_id": "the officer's work record of a newsletter they wrote",
    "newsletters.sent_by_id": "the officer's work record of a newsletter they sent",
    "consent_managers.registered_by_id": "the officer's work record of a registration",
    "buylead_reports.decided_by_id": "the officer's decision on a supplier's report",
    "phone_codes.user_id": "a one-time code's digest, kept for ten minutes: nothing to read",
}


def collect(user: User) -> dict[str, Rows]:
    return {section.name: section.rows(user) for section in SECTIONS}
