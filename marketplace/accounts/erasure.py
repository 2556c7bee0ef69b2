"""The accounts domain's eraser: the person's row and business profile become pseudonymous,
the business's photos are deleted, rows and files (a photo of the premises can show people),
every session ends and every token and key is revoked; registration and GST details and the
processing log are archived first (marketplace.privacy.retention)."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, or_, select, update

from marketplace.accounts import gst_receipts, phone_verification, photos
from marketplace.accounts.models import (
    ApiCredential,
    BusinessPhoto,
    GstVerification,
    SupplierProfile,
    UserRole,
    UserSession,
)
from marketplace.accounts.passwords import hash_password
from marketplace.audit import AuditEvent
from marketplace.crypto import encrypt
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.privacy.erasure import (
    ERASED,
    ArchiveItem,
    Eraser,
    Subject,
    redact_columns,
    register,
)


def mask(value: str | None) -> str | None:
    """Identity and bank numbers leave the live tables only masked to their last four."""
    if not value:
        return value
    return "X" * max(len(value) - 4, 0) + value[-4:]


def _archive(subject: Subject) -> list[ArchiveItem]:
    user = subject.user
    items = [
        ArchiveItem(
            "account_registration",
            f"user:{user.id}",
            {
                "user_id": user.id,
                "name": subject.name,
                "email": subject.email,
                "phone": subject.phone,
                "registered_at": iso_utc(user.created_at),
                "cancelled_at": iso_utc(subject.now),
            },
            subject.now,
        )
    ]
    profile = user.supplier
    if profile is not None:
        items.append(
            ArchiveItem(
                "gst_registration",
                # The certificate lists this reference: it names the profile, never the GSTIN.
                f"supplier:{profile.id}",
                {
                    "legal_name": profile.company_name,
                    "gstin": profile.gstin,
                    "state_code": profile.gst_state_code,
                    "address": f"{profile.address_line1}, {profile.city}, {profile.state} "
                    f"{profile.pincode}",
                    "registered_at": iso_utc(profile.created_at),
                },
                subject.now,
            )
        )
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.occurred_at).where(
            or_(
                AuditEvent.actor_id == user.id,
                (AuditEvent.subject_type == "users") & (AuditEvent.subject_id == str(user.id)),
            )
        )
    ).all()
    items.append(
        ArchiveItem(
            "processing_log",
            f"audit:user:{user.id}",
            {"events": [{"action": a, "occurred_at": iso_utc(t)} for a, t in events]},
            subject.now,
        )
    )
    return items


def _redact_texts(subject: Subject) -> list[str]:
    """What a person wrote about their own business, anyone's, and the names they gave their
    own keys, without the person's identifiers."""
    about = redact_columns(
        subject, [SupplierProfile.about], SupplierProfile.user_id == subject.user.id
    )
    keys = redact_columns(subject, [ApiCredential.name], ApiCredential.user_id == subject.user.id)
    captions = redact_columns(subject, [BusinessPhoto.caption])
    changed = len(about) + len(keys) + len(captions)
    return (
        [f"{changed} profiles, key names and captions naming the person redacted"]
        if changed
        else []
    )


def _erase(subject: Subject) -> list[str]:
    user = subject.user
    done = _redact_texts(subject)
    sessions = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    revoked = db.session.execute(
        update(ApiCredential)
        .where(ApiCredential.user_id == user.id, ApiCredential.revoked_at.is_(None))
        .values(revoked_at=subject.now)
    )
    done.append(
        f"{sessions.rowcount or 0} sessions ended and {revoked.rowcount or 0} tokens and keys "
        "revoked"
    )
    profile = user.supplier
    if profile is not None:
        profile.company_name = "Deleted business"
        # GSTINs are unique: a placeholder no real GSTIN can equal (a real one starts with digits)
        profile.gstin = f"ERASED{profile.id:09d}"[-15:]
        profile.pan = encrypt(ERASED)
        profile.address_line1 = ERASED
        profile.city = ERASED
        profile.pincode = "000000"
        # Nothing is left to verify: no re-check may ask the registry about the placeholder.
        profile.gst_verification = GstVerification.PENDING
        profile.gst_verified_at = None
        if hasattr(profile, "about"):  # free text the supplier wrote about the business
            profile.about = None
        done.append("business profile pseudonymised (name, GSTIN, PAN, address)")
        done.append(f"{photos.delete_all(profile)} business photos deleted")
        done.append(f"{gst_receipts.erase_receipts(profile.id)} GST check receipts deleted")
    db.session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    user.email = f"erased-{user.id}@erased.invalid"
    user.pending_email = None
    user.name = "Deleted account"
    user.phone = None
    user.phone_digest = None
    user.phone_verified_at = None
    phone_verification.forget_codes(user)
    user.email_verified_at = None
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # known to nobody
    user.session_nonce = secrets.token_urlsafe(16)
    user.is_active_account = False
    user.suspended_reason = None  # an admin's words about the person; the audit log keeps them
    user.erased_at = subject.now
    db.session.expire(user, ["role_rows"])
    done.append("account pseudonymised (name, email, mobile, password) and roles removed")
    return done


register(Eraser("accounts", archive=_archive, erase=_erase, order=90))
