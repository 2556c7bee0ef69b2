from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import EncryptedText, UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class Role(enum.StrEnum):
    BUYER = "buyer"
    SUPPLIER = "supplier"
    GRIEVANCE_OFFICER = "grievance_officer"
    ADMIN = "admin"
    # A person on a supplier's team (marketplace.accounts.team): acts for that business only,
    # within the team role the owner gave them.
    TEAM_MEMBER = "team_member"


STAFF_ROLES = (Role.GRIEVANCE_OFFICER, Role.ADMIN)
# Who may act for a business at all: its owner, and its team (each within their team role).
BUSINESS_ROLES = (Role.SUPPLIER, Role.TEAM_MEMBER)


class GstVerification(enum.StrEnum):
    PENDING = "pending"  # the GSTIN passed every offline check; not yet confirmed with GSTN
    VERIFIED = "verified"  # confirmed active for this business with the GST registry
    REJECTED = "rejected"  # the registry does not confirm it


def _new_session_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(100))
    # Personal data: encrypted at rest; the keyed digest keeps numbers unique and searchable.
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set when the person proved the mobile is theirs with a one-time code.
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_hash: Mapped[str] = mapped_column(String(100))
    # A new address waits here until it is confirmed from the link sent to it.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Rotated on password change and reset: every bearer session token issued before it dies.
    session_nonce: Mapped[str] = mapped_column(String(32), default=_new_session_nonce)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Privacy: a deactivated account is hidden until its owner signs in again; an erased one
    # keeps only a pseudonymous row (others' leads and invoices point at it).
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An admin's suspension (marketplace.accounts.suspension): no sign-in, no key, until lifted.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_reason: Mapped[str | None] = mapped_column(String(300))
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # How the account stood when suspended (suspension.Before), so lifting restores that.
    suspended_from: Mapped[str | None] = mapped_column(String(20))
    deactivated_before_suspension: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person was told an unused account will be erased (signing in clears it).
    inactivity_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong passwords since the last good one, for the record only: throttling is keyed on the
    # source (see SignInThrottle), so the owner is never locked out from elsewhere.
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terms_version: Mapped[str | None] = mapped_column(String(16))
    # The language the person chose to read ('en', 'hi'; marketplace.i18n): pages, mails, SMS.
    language: Mapped[str | None] = mapped_column(String(8))
    age_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    supplier: Mapped[SupplierProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The server-side session this request runs in (a browser), set by the session loader; a
    # plain attribute, not a column (hence the type comment, which the ORM does not read).
    web_session_id = None  # type: str | None

    @property
    def roles(self) -> list[Role]:
        return sorted((row.role for row in self.role_rows), key=list(Role).index)

    def has_role(self, *roles: Role) -> bool:
        return any(row.role in roles for row in self.role_rows)

    @property
    def is_staff(self) -> bool:
        return self.has_role(*STAFF_ROLES)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of inactive users
        return self.is_active_account

    def get_id(self) -> str:
        # What Flask-Login keeps in the session and the remember-me cookie: the server-side
        # session's id, so that ending the session on the server ends both.
        if self.web_session_id is None:
            raise RuntimeError("start a web session (services.start_web_session) first")
        return self.web_session_id


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        string_enum(Role, 32),
        primary_key=True,
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_rows")


# A supplier's business profile, in the bands Indian B2B directories use. Turnover bands follow
# the GST thresholds (registration at 40 lakh for goods, composition up to 1.5 crore,
# e-invoicing from 5 crore).
BUSINESS_TYPES: dict[str, str] = {
    "manufacturer": "Manufacturer",
    "trader": "Trader",
    "wholesaler": "Wholesaler",
    "exporter": "Exporter",
    "service_provider": "Service provider",
}
EMPLOYEE_BANDS: tuple[str, ...] = ("1-10", "11-25", "26-50", "51-100", "101-500", "500+")
TURNOVER_BANDS: dict[str, str] = {
    "upto-40l": "Up to ₹40 lakh",
    "40l-1.5cr": "₹40 lakh to 1.5 crore",
    "1.5cr-5cr": "₹1.5 to 5 crore",
    "5cr-25cr": "₹5 to 25 crore",
    "25cr-100cr": "₹25 to 100 crore",
    "100cr-500cr": "₹100 to 500 crore",
    "500cr+": "Above ₹500 crore",
}


class SupplierProfile(db.Model):
    __tablename__ = "supplier_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    company_name: Mapped[str] = mapped_column(String(200))
    gstin: Mapped[str] = mapped_column(String(15), unique=True)
    gst_state_code: Mapped[str] = mapped_column(String(2))
    pan: Mapped[str] = mapped_column(EncryptedText)
    gst_verification: Mapped[GstVerification] = mapped_column(
        string_enum(GstVerification, 16),
        default=GstVerification.PENDING,
    )
    gst_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address_line1: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(64))
    pincode: Mapped[str] = mapped_column(String(6))
    # The business profile a storefront shows (BUSINESS_TYPES and the bands below).
    business_type: Mapped[str | None] = mapped_column(String(24))
    year_established: Mapped[int | None]
    employees: Mapped[str | None] = mapped_column(String(16))
    turnover_band: Mapped[str | None] = mapped_column(String(32))
    about: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="supplier")
    # The storefront's photos (marketplace.accounts.photos adds and removes them).
    photos: Mapped[list[BusinessPhoto]] = relationship(
        back_populates="supplier",
        order_by="(BusinessPhoto.position, BusinessPhoto.id)",
        cascade="all, delete-orphan",
    )

    @property
    def gst_verified(self) -> bool:
        return self.gst_verification == GstVerification.VERIFIED


class BusinessPhoto(db.Model):
    """A photo of the business (its factory, shop or team) on its storefront: checked and
    stored as every uploaded photo is (marketplace.images); the file is `stored_name`."""

    __tablename__ = "business_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    caption: Mapped[str | None] = mapped_column(String(120))
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supplier: Mapped[SupplierProfile] = relationship(back_populates="photos")


class CredentialKind(enum.StrEnum):
    SESSION = "session"  # a bearer token from POST /auth/tokens; expires
    INTEGRATION = "integration"  # a supplier's long-lived key for its CRM


class ApiCredential(db.Model):
    """A bearer token or integration key. Only a SHA-256 digest is stored; the key is shown once."""

    __tablename__ = "api_credentials"
    __table_args__ = (UniqueConstraint("token_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[CredentialKind] = mapped_column(string_enum(CredentialKind, 16))
    name: Mapped[str | None] = mapped_column(String(100))
    token_digest: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists, to tell keys apart
    session_nonce: Mapped[str] = mapped_column(String(32))  # the user's nonce when issued
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What an integration key may do (marketplace.accounts.policy.Scope); None for a session
    # token, which acts with the full power of the person who proved the password.
    scopes: Mapped[list[str] | None] = mapped_column(JSON)
    # The last call of the IndiaMART-compatible lead pull with this key (it has a minimum interval).
    crm_pulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who made an integration key (its `user` is the business's owner: keys belong to the
    # business). A team member who saw the key leaves with it: removing them revokes it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class UserSession(db.Model):
    """A browser's sign-in, kept on the server so that signing out really ends it. The cookie
    carries a random id; only its SHA-256 digest is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class SignInThrottle(db.Model):
    """Wrong passwords from one source: an address, or an address and a typed email (known
    account or not, alike). Only a keyed digest of the source is stored."""

    __tablename__ = "sign_in_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_digest: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
