"""What each audience may see of an account (public, the owner, staff)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from typing_extensions import TypedDict

from marketplace.accounts.identity import gstin_state
from marketplace.accounts.models import ApiCredential, BusinessPhoto, SupplierProfile, User
from marketplace.formatting import iso_utc, mask_pan, mask_phone


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


def business_profile(profile: SupplierProfile) -> dict[str, Any]:
    """What a storefront tells buyers about the business (public, and flat in the account)."""
    return {
        "business_type": profile.business_type,
        "year_established": profile.year_established,
        "employees": profile.employees,
        "turnover_band": profile.turnover_band,
        "about": profile.about,
    }


def business_photo(photo: BusinessPhoto) -> dict[str, Any]:
    return {
        "id": photo.id,
        "url": url_for("catalog.business_photo", name=photo.stored_name),
        "caption": photo.caption,
    }


def supplier_owner(profile: SupplierProfile) -> dict[str, Any]:
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


def account_owner(user: User) -> dict[str, Any]:
    """The account as its owner sees it: their own contact in full, the PAN masked."""
    return {
        "id": user.id,
        "roles": [str(role) for role in user.roles],
        "name": user.name,
        "email": user.email,
        "email_verified": user.email_verified_at is not None,
        "pending_email": user.pending_email,
        "phone": user.phone,
        "created_at": iso_utc(user.created_at),
        "supplier": supplier_owner(user.supplier) if user.supplier else None,
    }


def integration_key(key: ApiCredential) -> dict[str, Any]:
    """A key as its owner sees it: never the secret, which is shown once, at creation."""
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": key.scopes,
        "created_at": iso_utc(key.created_at),
        "last_used_at": iso_utc(key.last_used_at),
    }


def account_staff(user: User) -> dict[str, Any]:
    """What an officer or admin sees in a queue: enough to identify, contact masked."""
    return {
        "id": user.id,
        "roles": [str(role) for role in user.roles],
        "name": user.name,
        "email": user.email,
        "phone": mask_phone(user.phone),
        "created_at": iso_utc(user.created_at),
        "supplier": supplier_public(user.supplier) if user.supplier else None,
    }
