"""Enquiries, leads and conversations over JSON; the CRM pull is `GET /leads`."""

from __future__ import annotations

from flask import jsonify, request

from marketplace.accounts.models import Role
from marketplace.accounts.policy import Scope
from marketplace.api import (
    authenticated,
    bp,
    current_api_user,
    current_api_user_id,
    json_body,
    page_body,
    pagination,
    rate_limit_key,
    verified_credential,
)
from marketplace.extensions import limiter
from marketplace.formatting import iso_utc
from marketplace.leads import (
    buyer_blocks,
    conversations,
    enquiries,
    guest_enquiries,
    pipeline,
    policy,
    queries,
    requirements,
    schemas,
)
from marketplace.leads.limits import (
    ENQUIRY_LIMITS_PER_ADDRESS,
    ENQUIRY_LIMITS_PER_BUYER,
    GUEST_LIMITS_PER_ADDRESS,
    REQUIREMENT_LIMITS_PER_BUYER,
)
from marketplace.leads.models import BuyRequirement, LeadSource
from marketplace.web import address_key


def buyer_rate_key() -> str:
    """Per account, however many tokens it holds; per address for a request without one."""
    bearer = verified_credential()
    return f"buyer:{bearer.user_id}" if bearer else f"ip:{request.remote_addr}"


@bp.post("/enquiries")
@limiter.limit(ENQUIRY_LIMITS_PER_BUYER, key_func=buyer_rate_key)
@limiter.limit(ENQUIRY_LIMITS_PER_ADDRESS, key_func=address_key)
@authenticated(person=True)
def send_enquiry():  # type: ignore[no-untyped-def]
    lead_id, duplicate = enquiries.send_enquiry(
        current_api_user_id(), json_body(), source=LeadSource.API
    )
    return jsonify(schemas.created(lead_id, duplicate=duplicate)), 200 if duplicate else 201


@bp.get("/enquiries")
@authenticated(person=True)
def my_enquiries():  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    rows, total = queries.buyer_enquiries(current_api_user().id, page=page, per_page=per_page)
    return jsonify(
        page_body([schemas.enquiry_for_buyer(lead) for lead in rows], total, page, per_page)
    )


@bp.get("/enquiries/<int:lead_id>")
@authenticated(person=True)
def my_enquiry(lead_id: int):  # type: ignore[no-untyped-def]
    lead, replies = conversations.buyer_conversation(current_api_user(), lead_id)
    return jsonify(schemas.enquiry_for_buyer(lead, replies))


@bp.post("/enquiries/guest")
@limiter.limit(GUEST_LIMITS_PER_ADDRESS, key_func=address_key)
def start_guest_enquiry():  # type: ignore[no-untyped-def]
    pending = guest_enquiries.start_guest_enquiry(json_body())
    return jsonify({"verification_id": pending.id, "expires_at": iso_utc(pending.expires_at)}), 202


@bp.post("/enquiries/guest/<verification_id>/confirm")
@limiter.limit("10 per minute", key_func=address_key)
def confirm_guest_enquiry(verification_id: str):  # type: ignore[no-untyped-def]
    lead_id, _ = guest_enquiries.confirm_guest_enquiry(verification_id, json_body())
    return jsonify(schemas.created(lead_id)), 201


# --- the supplier's leads --------------------------------------------------------------------


@bp.get("/leads")
@limiter.limit("60 per minute", key_func=rate_limit_key)
@authenticated(Role.SUPPLIER, scope=Scope.LEADS_READ)
def leads():  # type: ignore[no-untyped-def]
    chosen = pipeline.read_lead_filter(request.args, pull=True)
    page, per_page = pagination()
    rows, total = pipeline.list_leads(
        current_api_user(), chosen, oldest_first=True, page=page, per_page=per_page
    )
    signals = queries.trust_signals(rows)
    body = page_body(
        [schemas.lead_for_supplier(lead, signals[lead.id]) for lead in rows], total, page, per_page
    )
    body["window"] = {"start_time": iso_utc(chosen.start), "end_time": iso_utc(chosen.end)}
    return jsonify(body)


def _lead_body(lead_id: int):  # type: ignore[no-untyped-def]
    lead = policy.supplier_lead(current_api_user(), lead_id)
    signals = queries.trust_signals([lead])
    return jsonify(schemas.lead_for_supplier(lead, signals[lead.id], notes=True))


@bp.get("/leads/<int:lead_id>")
@authenticated(Role.SUPPLIER, scope=Scope.LEADS_READ)
def lead(lead_id: int):  # type: ignore[no-untyped-def]
    return _lead_body(lead_id)


@bp.patch("/leads/<int:lead_id>")
@authenticated(Role.SUPPLIER, scope=Scope.LEADS_WRITE)
def update_lead(lead_id: int):  # type: ignore[no-untyped-def]
    pipeline.update_lead(current_api_user(), lead_id, json_body())
    return _lead_body(lead_id)


@bp.post("/leads/<int:lead_id>/block")
@authenticated(Role.SUPPLIER, scope=Scope.LEADS_WRITE)
def block_buyer(lead_id: int):  # type: ignore[no-untyped-def]
    buyer_blocks.block_buyer(current_api_user(), lead_id)
    return _lead_body(lead_id)


@bp.get("/leads/<int:lead_id>/messages")
@authenticated(scope=Scope.LEADS_READ)
def messages(lead_id: int):  # type: ignore[no-untyped-def]
    _, _, rows = conversations.conversation(current_api_user(), lead_id)
    return jsonify({"items": [schemas.message(entry) for entry in rows], "total": len(rows)})


@bp.post("/leads/<int:lead_id>/messages")
@limiter.limit("30 per minute", key_func=rate_limit_key)
@authenticated(scope=Scope.LEADS_WRITE)
def post_message(lead_id: int):  # type: ignore[no-untyped-def]
    entry = conversations.post_message(current_api_user(), lead_id, json_body())
    return jsonify(schemas.message(entry)), 201


# --- buy requirements and BuyLeads -----------------------------------------------------------


def _requirement_body(requirement: BuyRequirement) -> dict:  # type: ignore[type-arg]
    unlocked = requirements.unlocked_by([requirement.id])[requirement.id]
    return schemas.requirement_for_buyer(requirement, unlocked)


@bp.post("/requirements")
@limiter.limit(REQUIREMENT_LIMITS_PER_BUYER, key_func=buyer_rate_key)
@authenticated(person=True)
def post_requirement():  # type: ignore[no-untyped-def]
    requirement = requirements.post_requirement(current_api_user(), json_body())
    return jsonify(_requirement_body(requirement)), 201


@bp.get("/requirements")
@authenticated(person=True)
def my_requirements():  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    rows, total = requirements.own_requirements(current_api_user(), page=page, per_page=per_page)
    unlocked = requirements.unlocked_by([row.id for row in rows])
    items = [schemas.requirement_for_buyer(row, unlocked[row.id]) for row in rows]
    return jsonify(page_body(items, total, page, per_page))


@bp.get("/requirements/<int:requirement_id>")
@authenticated(person=True)
def my_requirement(requirement_id: int):  # type: ignore[no-untyped-def]
    return jsonify(
        _requirement_body(requirements.own_requirement(current_api_user(), requirement_id))
    )


@bp.post("/requirements/<int:requirement_id>/close")
@authenticated(person=True)
def close_requirement(requirement_id: int):  # type: ignore[no-untyped-def]
    requirement = requirements.close_requirement(current_api_user(), requirement_id)
    return jsonify(_requirement_body(requirement))


@bp.get("/buyleads")
@authenticated(Role.SUPPLIER, scope=Scope.LEADS_READ)
def buyleads():  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    rows, total = requirements.feed(current_api_user(), page=page, per_page=per_page)
    items = [schemas.buylead_for_supplier(row.requirement, row.lead) for row in rows]
    return jsonify(page_body(items, total, page, per_page))


@bp.post("/buyleads/<int:requirement_id>/unlock")
@authenticated(Role.SUPPLIER, scope=Scope.LEADS_WRITE)
def unlock_buylead(requirement_id: int):  # type: ignore[no-untyped-def]
    lead = requirements.unlock(current_api_user(), requirement_id)
    return _lead_body(lead.id)
