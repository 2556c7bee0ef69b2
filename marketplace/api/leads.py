"""Enquiries, leads and conversations over JSON; the CRM pull is `GET /leads`."""

from __future__ import annotations

from flask import request

from marketplace.accounts.models import BUSINESS_ROLES
from marketplace.accounts.policy import Scope
from marketplace.api.blueprint import (
    authenticated,
    bp,
    current_api_user,
    current_api_user_id,
    rate_limit_key,
    verified_credential,
)
from marketplace.extensions import limiter
from marketplace.fields import Page, PageQuery
from marketplace.formatting import iso_utc
from marketplace.leads import (
    buyer_blocks,
    conversations,
    enquiries,
    guest_enquiries,
    pipeline,
    policy,
    preferences,
    queries,
    requirements,
    schemas,
)
from marketplace.leads.inputs import (
    EnquiryIn,
    GuestCodeIn,
    GuestEnquiryIn,
    LeadChange,
    LeadPullQuery,
    MessageIn,
    RequirementIn,
)
from marketplace.leads.limits import (
    ENQUIRY_LIMITS_PER_ADDRESS,
    ENQUIRY_LIMITS_PER_BUYER,
    GUEST_LIMITS_PER_ADDRESS,
    REQUIREMENT_LIMITS_PER_BUYER,
)
from marketplace.leads.models import BuyRequirement, LeadSource
from marketplace.leads.preferences import why_shown
from marketplace.openapi import Reply, operation
from marketplace.web import address_key


def buyer_rate_key() -> str:
    """Per account, however many tokens it holds; per address for a request without one."""
    bearer = verified_credential()
    return f"buyer:{bearer.user_id}" if bearer else f"ip:{request.remote_addr}"


@bp.post("/enquiries")
@limiter.limit(ENQUIRY_LIMITS_PER_BUYER, key_func=buyer_rate_key)
@limiter.limit(ENQUIRY_LIMITS_PER_ADDRESS, key_func=address_key)
@authenticated(person=True)
@operation(
    "Send an enquiry to a product's supplier (or a storefront's): it becomes one lead",
    tag="leads",
    body=EnquiryIn,
    responses={
        201: Reply(schemas.EnquiryCreated, "Sent"),
        200: Reply(
            schemas.EnquiryCreated,
            "The same enquiry within 24 hours: the existing lead, no new one",
        ),
    },
)
def send_enquiry(body: EnquiryIn):  # type: ignore[no-untyped-def]
    lead_id, duplicate = enquiries.send_enquiry(current_api_user_id(), body, source=LeadSource.API)
    return schemas.created(lead_id, duplicate=duplicate), 200 if duplicate else 201


@bp.get("/enquiries")
@authenticated(person=True)
@operation(
    "The enquiries I sent, newest first, with their status",
    tag="leads",
    query=PageQuery,
    responses={200: Page[schemas.Enquiry]},
)
def my_enquiries(query: PageQuery):  # type: ignore[no-untyped-def]
    page, per_page = query.page, query.per_page
    rows, total = queries.buyer_enquiries(current_api_user().id, page=page, per_page=per_page)
    items = [schemas.enquiry_for_buyer(lead) for lead in rows]
    return query.answer(items, total)


@bp.get("/enquiries/<int:lead_id>")
@authenticated(person=True)
@operation(
    "One of my enquiries with the supplier's replies (marks them read)",
    tag="leads",
    responses={200: schemas.Enquiry},
    problems=(404,),
)
def my_enquiry(lead_id: int):  # type: ignore[no-untyped-def]
    lead, replies = conversations.buyer_conversation(current_api_user(), lead_id)
    return schemas.enquiry_for_buyer(lead, replies)


@bp.post("/enquiries/guest")
@limiter.limit(GUEST_LIMITS_PER_ADDRESS, key_func=address_key)
@operation(
    "Enquire without an account: a one-time code goes to the mobile by SMS",
    tag="leads",
    body=GuestEnquiryIn,
    responses={202: Reply(schemas.GuestEnquiryStarted, "Code sent")},
    problems=(409,),
)
def start_guest_enquiry(body: GuestEnquiryIn):  # type: ignore[no-untyped-def]
    pending = guest_enquiries.start_guest_enquiry(body)
    started = {"verification_id": pending.id, "expires_at": iso_utc(pending.expires_at)}
    return started, 202


@bp.post("/enquiries/guest/<verification_id>/confirm")
@limiter.limit("10 per minute", key_func=address_key)
@operation(
    "Confirm the code: the buyer account is created and the enquiry sent",
    tag="leads",
    body=GuestCodeIn,
    responses={201: Reply(schemas.EnquiryCreated, "Sent")},
    problems=(404, 409),
)
def confirm_guest_enquiry(verification_id: str, body: GuestCodeIn):  # type: ignore[no-untyped-def]
    lead_id, _ = guest_enquiries.confirm_guest_enquiry(verification_id, body)
    return schemas.created(lead_id), 201


# --- the supplier's leads --------------------------------------------------------------------


@bp.get("/leads")
@limiter.limit("60 per minute", key_func=rate_limit_key)
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_READ)
@operation(
    "My leads in a window of at most 7 days, oldest first (the CRM pull)",
    tag="leads",
    query=LeadPullQuery,
    responses={200: schemas.LeadPull},
)
def leads(query: LeadPullQuery):  # type: ignore[no-untyped-def]
    chosen = pipeline.lead_filter(query, pull=True)
    rows, total = pipeline.list_leads(
        current_api_user(), chosen, oldest_first=True, page=query.page, per_page=query.per_page
    )
    signals = queries.trust_signals(rows)
    items = [schemas.lead_for_supplier(lead, signals[lead.id]) for lead in rows]
    window = {"start_time": iso_utc(chosen.start), "end_time": iso_utc(chosen.end)}
    return {**query.answer(items, total), "window": window}


def _lead_body(lead_id: int) -> schemas.Lead:
    lead = policy.supplier_lead(current_api_user(), lead_id)
    signals = queries.trust_signals([lead])
    return schemas.lead_for_supplier(lead, signals[lead.id], notes=True)


@bp.get("/leads/<int:lead_id>")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_READ)
@operation(
    "One of my leads, with my notes",
    tag="leads",
    responses={200: schemas.Lead},
    problems=(404,),
)
def lead(lead_id: int):  # type: ignore[no-untyped-def]
    return _lead_body(lead_id)


@bp.patch("/leads/<int:lead_id>")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_WRITE)
@operation(
    "Move a lead through the pipeline, add a note, set a follow-up",
    tag="leads",
    body=LeadChange,
    responses={200: schemas.Lead},
    problems=(404,),
)
def update_lead(lead_id: int, body: LeadChange):  # type: ignore[no-untyped-def]
    pipeline.update_lead(current_api_user(), lead_id, body)
    return _lead_body(lead_id)


@bp.post("/leads/<int:lead_id>/block")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_WRITE)
@operation(
    "Mark spam and block the buyer: their later enquiries land in spam",
    tag="leads",
    responses={200: schemas.Lead},
    problems=(404,),
)
def block_buyer(lead_id: int):  # type: ignore[no-untyped-def]
    buyer_blocks.block_buyer(current_api_user(), lead_id)
    return _lead_body(lead_id)


@bp.get("/leads/<int:lead_id>/messages")
@authenticated(scope=Scope.LEADS_READ)
@operation(
    "The lead's conversation, oldest first (buyer or supplier; marks it read)",
    tag="leads",
    responses={200: schemas.Conversation},
    problems=(404,),
)
def messages(lead_id: int):  # type: ignore[no-untyped-def]
    _, _, rows = conversations.conversation(current_api_user(), lead_id)
    return {"items": [schemas.message(entry) for entry in rows], "total": len(rows)}


@bp.post("/leads/<int:lead_id>/messages")
@limiter.limit("30 per minute", key_func=rate_limit_key)
@authenticated(scope=Scope.LEADS_WRITE)
@operation(
    "Write to the other side: text, or (supplier) a quotation",
    tag="leads",
    body=MessageIn,
    responses={201: Reply(schemas.Message, "Sent")},
    problems=(404,),
)
def post_message(lead_id: int, body: MessageIn):  # type: ignore[no-untyped-def]
    entry = conversations.post_message(current_api_user(), lead_id, body)
    return schemas.message(entry), 201


# --- buy requirements and BuyLeads -----------------------------------------------------------


def _requirement_body(requirement: BuyRequirement) -> schemas.Requirement:
    unlocked = requirements.unlocked_by([requirement.id])[requirement.id]
    return schemas.requirement_for_buyer(requirement, unlocked)


@bp.post("/requirements")
@limiter.limit(REQUIREMENT_LIMITS_PER_BUYER, key_func=buyer_rate_key)
@authenticated(person=True)
@operation(
    "Post a buy requirement: it is matched to suppliers (later if search is down), who are told",
    tag="buyleads",
    body=RequirementIn,
    responses={201: Reply(schemas.Requirement, "Posted")},
    problems=(503,),
)
def post_requirement(body: RequirementIn):  # type: ignore[no-untyped-def]
    requirement = requirements.post_requirement(current_api_user(), body)
    return _requirement_body(requirement), 201


@bp.get("/requirements")
@authenticated(person=True)
@operation(
    "My buy requirements, with who unlocked each",
    tag="buyleads",
    query=PageQuery,
    responses={200: Page[schemas.Requirement]},
)
def my_requirements(query: PageQuery):  # type: ignore[no-untyped-def]
    page, per_page = query.page, query.per_page
    rows, total = requirements.own_requirements(current_api_user(), page=page, per_page=per_page)
    unlocked = requirements.unlocked_by([row.id for row in rows])
    items = [schemas.requirement_for_buyer(row, unlocked[row.id]) for row in rows]
    return query.answer(items, total)


@bp.get("/requirements/<int:requirement_id>")
@authenticated(person=True)
@operation(
    "One of my buy requirements",
    tag="buyleads",
    responses={200: schemas.Requirement},
    problems=(404,),
)
def my_requirement(requirement_id: int):  # type: ignore[no-untyped-def]
    return _requirement_body(requirements.own_requirement(current_api_user(), requirement_id))


@bp.post("/requirements/<int:requirement_id>/close")
@authenticated(person=True)
@operation(
    "Close my requirement: no more unlocks",
    tag="buyleads",
    responses={200: schemas.Requirement},
    problems=(404,),
)
def close_requirement(requirement_id: int):  # type: ignore[no-untyped-def]
    requirement = requirements.close_requirement(current_api_user(), requirement_id)
    return _requirement_body(requirement)


@bp.get("/buyleads")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_READ)
@operation(
    "Buy requirements matched to me: open ones, and those I unlocked",
    tag="buyleads",
    query=PageQuery,
    responses={200: Page[schemas.BuyLead]},
)
def buyleads(query: PageQuery):  # type: ignore[no-untyped-def]
    page, per_page = query.page, query.per_page
    rows, total = requirements.feed(current_api_user(), page=page, per_page=per_page)
    prefs = preferences.own_preferences(current_api_user())
    items = [
        schemas.buylead_for_supplier(row.requirement, row.lead, why_shown(prefs, row.requirement))
        for row in rows
    ]
    return query.answer(items, total)


@bp.post("/buyleads/<int:requirement_id>/unlock")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_WRITE)
@operation(
    "Spend one credit to see the buyer's contact; it becomes a lead. Again: the same lead, no "
    "second debit",
    tag="buyleads",
    responses={200: schemas.Lead},
    problems=(404, 409),
)
def unlock_buylead(requirement_id: int):  # type: ignore[no-untyped-def]
    lead = requirements.unlock(current_api_user(), requirement_id)
    return _lead_body(lead.id)
