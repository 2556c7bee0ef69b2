"""What each audience may see of an account: anyone (a supplier's card), its owner (the account,
its keys), staff (a queue's view, contact masked); and the answers of signing in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from flask import url_for
from pydantic import Field
from typing_extensions import TypedDict

from marketplace.accounts.identity import gstin_state
from marketplace.accounts.models import ApiCredential, BusinessPhoto, SupplierProfile, User
from marketplace.accounts.photos import MAX_CAPTION, MAX_PHOTOS
from marketplace.audit import AuditEvent as AuditEventRow
from marketplace.fields import MaybeTimestamp, Page, Timestamp
from marketplace.formatting import mask_pan, mask_phone

# --- anyone ------------------------------------------------------------------------------------


class SupplierCard(TypedDict):
    """What anyone may see of a supplier beside its products."""

    id: int
    company_name: str
    city: str
    state: str
    gst_verified: bool


def supplier_public(profile: SupplierProfile) -> SupplierCard:
    return {
        "id": profile.id,
        "company_name": profile.company_name,
        "city": profile.city,
        "state": profile.state,
        "gst_verified": profile.gst_verified,
    }


class BusinessProfile(TypedDict):
    """What a storefront tells buyers about the business (public, and flat in the account)."""

    business_type: str | None
    year_established: int | None
    employees: str | None
    turnover_band: Annotated[str | None, Field(description="annual turnover band")]
    about: str | None


def business_profile(profile: SupplierProfile) -> BusinessProfile:
    return {
        "business_type": profile.business_type,
        "year_established": profile.year_established,
        "employees": profile.employees,
        "turnover_band": profile.turnover_band,
        "about": profile.about,
    }


class BusinessPhotoView(TypedDict):
    id: int
    url: str
    caption: Annotated[str | None, Field(max_length=MAX_CAPTION)]


def business_photo(photo: BusinessPhoto) -> BusinessPhotoView:
    return {
        "id": photo.id,
        "url": url_for("catalog.business_photo", name=photo.stored_name),
        "caption": photo.caption,
    }


# --- the owner ---------------------------------------------------------------------------------


class BusinessAddress(TypedDict):
    line1: str
    city: str
    state: str
    pincode: str


class OwnBusiness(BusinessProfile):
    """A supplier's business as its owner sees it: the PAN masked."""

    id: int
    company_name: str
    gstin: str
    gst_state: str
    pan: Annotated[str, Field(description="masked: ABCDEXXXXF")]
    gst_verification: Annotated[str, Field(description="pending, verified or rejected")]
    address: BusinessAddress
    photos: Annotated[
        list[BusinessPhotoView],
        Field(
            max_length=MAX_PHOTOS, description="the storefront's photos of the business, in order"
        ),
    ]


def supplier_owner(profile: SupplierProfile) -> OwnBusiness:
    return {
        **business_profile(profile),
        "photos": [business_photo(photo) for photo in profile.photos],
        "id": profile.id,
        "company_name": profile.company_name,
        "gstin": profile.gstin,
        "gst_state": gstin_state(profile.gstin).name,
        "pan": mask_pan(profile.pan),
        "gst_verification": str(profile.gst_verification),
        "address": {
            "line1": profile.address_line1,
            "city": profile.city,
            "state": profile.state,
            "pincode": profile.pincode,
        },
    }


class OwnAccount(TypedDict):
    """The account as its owner sees it: their own contact in full."""

    id: int
    roles: Annotated[list[str], Field(description="buyer, supplier, grievance_officer, admin")]
    name: str
    email: str
    email_verified: bool
    pending_email: Annotated[
        str | None, Field(description="a new address waiting to be confirmed from its inbox")
    ]
    phone: str | None
    phone_verified: Annotated[bool, Field(description="the mobile was proved with an SMS code")]
    created_at: Timestamp
    supplier: OwnBusiness | None


def account_owner(user: User) -> OwnAccount:
    return {
        "id": user.id,
        "roles": [str(role) for role in user.roles],
        "name": user.name,
        "email": user.email,
        "email_verified": user.email_verified_at is not None,
        "pending_email": user.pending_email,
        "phone": user.phone,
        "phone_verified": user.phone_verified_at is not None,
        "created_at": user.created_at,
        "supplier": supplier_owner(user.supplier) if user.supplier else None,
    }


class IntegrationKey(TypedDict):
    """A key as its owner sees it: never the secret, which is shown once, at creation."""

    id: int
    name: str | None
    prefix: Annotated[str, Field(description="the key's first 12 characters, to recognise it")]
    scopes: list[str]
    created_at: Timestamp
    last_used_at: MaybeTimestamp


def integration_key(key: ApiCredential) -> IntegrationKey:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": list(key.scopes or ()),
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
    }


def integration_keys(keys: list[ApiCredential]) -> Page[IntegrationKey]:
    items = [integration_key(key) for key in keys]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


class NewIntegrationKey(IntegrationKey):
    key: Annotated[str, Field(description="the key itself: shown this once, stored hashed")]


def new_integration_key(secret: str, key: ApiCredential) -> NewIntegrationKey:
    return {**integration_key(key), "key": secret}


class BearerToken(TypedDict):
    token: str
    expires_at: Timestamp


def bearer_token(token: str, expires_at: datetime) -> BearerToken:
    return {"token": token, "expires_at": expires_at}


class Notice(TypedDict):
    detail: str


# --- staff ----------------------------------------------------------------------------------------


class StaffAccountView(TypedDict):
    """What an officer or admin sees in a queue: enough to identify, contact masked."""

    id: int
    roles: list[str]
    name: str
    email: str
    phone: Annotated[str | None, Field(description="masked: +91 98XXXXXX10")]
    created_at: Timestamp
    supplier: SupplierCard | None


def account_staff(user: User) -> StaffAccountView:
    return {
        "id": user.id,
        "roles": [str(role) for role in user.roles],
        "name": user.name,
        "email": user.email,
        "phone": mask_phone(user.phone),
        "created_at": user.created_at,
        "supplier": supplier_public(user.supplier) if user.supplier else None,
    }


class AuditEvent(TypedDict):
    """One entry of the audit log, as the grievance officer and admins read it."""

    id: int
    occurred_at: Timestamp
    action: str
    actor_id: int | None
    subject_type: str | None
    subject_id: str | None
    ip_address: str | None
    details: dict[str, Any]


def audit_event(row: AuditEventRow) -> AuditEvent:
    return {
        "id": row.id,
        "occurred_at": row.occurred_at,
        "action": row.action,
        "actor_id": row.actor_id,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "ip_address": row.ip_address,
        "details": row.details,
    }
