"""The rules of accounts: the only code that creates or changes users, suppliers and keys.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from marketplace import audit
from marketplace.accounts import identity
from marketplace.accounts.india import State
from marketplace.accounts.models import (
    BUSINESS_TYPES,
    EMPLOYEE_BANDS,
    STAFF_ROLES,
    TURNOVER_BANDS,
    ApiCredential,
    CredentialKind,
    GstVerification,
    Role,
    SignInThrottle,
    SupplierProfile,
    User,
    UserRole,
    UserSession,
)
from marketplace.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_matches,
    spend_equal_time,
)
from marketplace.accounts.policy import DEFAULT_KEY_SCOPES, Bearer, Scope
from marketplace.crypto import blind_index, token_digest
from marketplace.db import UTCDateTime, after_commit, get_owned, utcnow
from marketplace.errors import (
    Conflict,
    FieldErrors,
    Forbidden,
    NotFound,
    ServiceError,
    ValidationFailed,
)
from marketplace.extensions import db
from marketplace.notifications import absolute_url, send_email
from marketplace.privacy import purposes
from marketplace.privacy.services import initial_consents, record_consents
from marketplace.signals import supplier_changed
from marketplace.validation import Input, Invalid

log = logging.getLogger(__name__)

# Sign-in throttling is keyed on the source, never on the account alone: the pair (address,
# typed email) after 5 wrong passwords in a row, the address alone (many accounts tried from one
# place) after 20. Each further failure locks that source for twice as long as the last, up to the
# cap; an hour without failures forgets them. The owner signing in from elsewhere is never held
# up, and known and unknown emails are counted, answered and timed alike.
FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
FAILURE_MEMORY = timedelta(hours=1)
LAST_USED_RESOLUTION = timedelta(minutes=5)
SESSION_TOUCH_RESOLUTION = timedelta(minutes=1)
EMAIL_CHANGE_UNDO_TTL = timedelta(days=14)


class SignInFailed(ServiceError):
    status = 401
    title = "Sign-in failed"

    def __init__(self) -> None:
        super().__init__("The email or password is not correct.")


class SignInThrottled(ServiceError):
    status = 429
    title = "Too many failed sign-ins"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"Too many failed sign-ins from here. Try again in about {minutes} "
            f"minute{'s' if minutes != 1 else ''}, or reset your password."
        )
        self.retry_after = retry_after


# --- reading input ------------------------------------------------------------------------


def _person_name(value: str) -> str:
    if not any(char.isalpha() for char in value):
        raise Invalid("must contain letters")
    return value


def _read_consents(inp: Input) -> dict[str, bool]:
    raw = inp.data.get("consents")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        inp.fail("consents", "must be an object of purpose ids to true or false")
        return {}
    choices: dict[str, bool] = {}
    for purpose_id, granted in raw.items():
        field = f"consents.{purpose_id}"
        if purpose_id not in purposes.BY_ID:
            inp.errors.add(field, f"unknown purpose; purposes are {', '.join(purposes.BY_ID)}")
        elif not isinstance(granted, bool):
            inp.errors.add(field, "must be true or false")
        elif purpose_id in purposes.REQUIRED and not granted:
            inp.errors.add(field, "needed to run your account; it is accepted with the terms")
        elif purpose_id in purposes.OPTIONAL:
            choices[purpose_id] = granted
    return choices


@dataclass
class _Address:
    line1: str
    city: str
    state: State
    pincode: str


def _read_address(inp: Input, *, required: bool = True) -> _Address | None:
    address = inp.nested("address", required=required)
    if address is None:
        return None
    line1 = address.text("line1", min_length=3, max_length=200)
    city = address.text("city", min_length=2, max_length=100, check=_person_name)
    state = address.text("state", max_length=64, check=identity.check_state)
    pincode = address.text("pincode", max_length=10, check=identity.check_pincode)
    if state and pincode:
        try:
            identity.check_pincode_in_state(pincode, state)
        except Invalid as error:
            address.fail("pincode", str(error))
    if None in (line1, city, state, pincode):
        return None
    return _Address(line1, city, state, pincode)


def _check_business_identity(
    inp: Input, gstin: str | None, pan: str | None, state: State | None
) -> None:
    """The PAN inside the GSTIN must be the PAN given, and the GSTIN's state the address's."""
    if gstin and pan and gstin[2:12] != pan:
        inp.fail("pan", "does not match the PAN inside the GSTIN (its characters 3 to 12)")
    if gstin and state:
        gst_state = identity.gstin_state(gstin)
        if gst_state != state:
            inp.fail(
                "address.state",
                f"the GSTIN is registered in {gst_state.name} (state code {gstin[:2]}), "
                f"not in {state.name}",
            )


def _personal_details(*values: str | None) -> list[str]:
    return [value for value in values if value]


def _read_password(inp: Input, field: str, personal: list[str]) -> str | None:
    raw = inp.data.get(field)
    if raw is None or raw == "":
        inp.fail(field, "this field is required")
        return None
    if not isinstance(raw, str):
        inp.fail(field, "must be a string")
        return None
    try:
        return identity.check_password(raw, personal=personal)
    except Invalid as error:
        inp.fail(field, str(error))
        return None


# --- registration -------------------------------------------------------------------------


def register_account(data: Any) -> User:
    """Register a buyer or a supplier. Raises ValidationFailed (422) or Conflict (409)."""
    inp = Input(data)
    role = inp.text("role", check=_role_choice)
    name = inp.text("name", min_length=2, max_length=100, check=_person_name)
    email = inp.text("email", max_length=254, check=identity.check_email)
    phone = inp.text("phone", max_length=20, check=identity.check_mobile)
    inp.accepted("age_confirmed", "you must be 18 or older to register")
    inp.accepted("accept_terms", "you must accept the terms of use and the privacy policy")
    consents = _read_consents(inp)

    company_name = gstin = pan = None
    address = None
    if role == Role.SUPPLIER:
        company_name = inp.text("company_name", min_length=2, max_length=200)
        gstin = inp.text("gstin", max_length=20, check=identity.check_gstin)
        pan = inp.text("pan", required=False, max_length=12, check=identity.check_pan)
        address = _read_address(inp)
        state = address.state if address else None
        _check_business_identity(inp, gstin, pan, state)
    password = _read_password(inp, "password", _personal_details(email, name, phone, company_name))
    inp.raise_if_invalid()

    _refuse_duplicates(email=email, phone=phone, gstin=gstin)
    now = utcnow()
    user = User(
        email=email,
        name=name,
        phone=phone,
        phone_digest=blind_index(phone),
        password_hash=hash_password(password),
        terms_version=current_app.config["TERMS_VERSION"],
        age_confirmed_at=now,
    )
    user.role_rows = [UserRole(role=Role.BUYER)]
    if role == Role.SUPPLIER:
        assert address is not None and gstin is not None
        user.role_rows.append(UserRole(role=Role.SUPPLIER))
        user.supplier = SupplierProfile(
            company_name=company_name,
            gstin=gstin,
            gst_state_code=gstin[:2],
            pan=gstin[2:12],
            gst_verification=GstVerification.PENDING,
            address_line1=address.line1,
            city=address.city,
            state=address.state.name,
            pincode=address.pincode,
        )
    db.session.add(user)
    db.session.flush()
    record_consents(user.id, initial_consents(consents), source="registration")
    audit.record("account.registered", actor_id=user.id, subject=user, roles=list(user.roles))
    send_email_verification(user)
    return user


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str


def read_contact(inp: Input) -> Contact | None:
    """A visitor's name, email and mobile, by the same rules as registration (for a guest
    enquiry, which creates the account once the mobile is confirmed)."""
    name = inp.text("name", min_length=2, max_length=100, check=_person_name)
    email = inp.text("email", max_length=254, check=identity.check_email)
    phone = inp.text("phone", max_length=20, check=identity.check_mobile)
    inp.accepted("age_confirmed", "you must be 18 or older")
    inp.accepted("accept_terms", "you must accept the terms of use and the privacy policy")
    return Contact(name, email, phone) if name and email and phone else None


def refuse_registered(contact: Contact) -> None:
    """409 when the email or mobile already belongs to an account: its owner signs in."""
    _refuse_duplicates(email=contact.email, phone=contact.phone)


def register_guest_buyer(contact: Contact) -> User:
    """A buyer account for a visitor who proved the mobile with a one-time code. There is no
    password yet: the welcome email carries a link to set one."""
    _refuse_duplicates(email=contact.email, phone=contact.phone)
    now = utcnow()
    user = User(
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        phone_digest=blind_index(contact.phone),
        phone_verified_at=now,
        # Nobody knows this password: the account is used through the emailed link first.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        terms_version=current_app.config["TERMS_VERSION"],
        age_confirmed_at=now,
    )
    user.role_rows = [UserRole(role=Role.BUYER)]
    db.session.add(user)
    db.session.flush()
    record_consents(user.id, initial_consents({}), source="guest_enquiry")
    audit.record("account.registered", actor_id=user.id, subject=user, roles=["buyer"], via="guest")
    send_email(
        user.email,
        "Your TradeSetu account: choose a password",
        "welcome_guest",
        user=user,
        link=absolute_url("accounts.reset_password", token=_reset_token(user)),
        minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"],
    )
    return user


def _role_choice(value: str) -> Role:
    if value not in (Role.BUYER, Role.SUPPLIER):
        raise Invalid("must be buyer or supplier")
    return Role(value)


def _refuse_duplicates(
    *,
    email: str | None = None,
    phone: str | None = None,
    gstin: str | None = None,
    except_user: User | None = None,
) -> None:
    errors = FieldErrors()
    checks = (
        ("email", email, select(User.id).where(User.email == email)),
        ("phone", phone, select(User.id).where(User.phone_digest == blind_index(phone or ""))),
        (
            "gstin",
            gstin,
            select(SupplierProfile.user_id).where(SupplierProfile.gstin == gstin),
        ),
    )
    for field, value, query in checks:
        if value is None:
            continue
        owner = db.session.scalar(query)
        if owner is not None and (except_user is None or owner != except_user.id):
            errors.add(field, "already registered to another account")
    if errors:
        raise Conflict(
            "An account with these details already exists. Sign in, or reset your password.",
            errors.errors,
        )


# --- signing in ---------------------------------------------------------------------------


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _request_address() -> str:
    return (request.remote_addr if has_request_context() else None) or "local"


def _sign_in_sources(address: str, email: str) -> list[tuple[str, int]]:
    """The throttled sources of one attempt, as (keyed digest, failures allowed before a lock)."""
    return [
        (blind_index(f"sign-in|{address}"), ADDRESS_FREE_FAILURES),
        (blind_index(f"sign-in|{address}|{email}"), FREE_FAILURES),
    ]


def _throttle_rows(digests: list[str]) -> dict[str, SignInThrottle]:
    rows = db.session.scalars(
        select(SignInThrottle).where(SignInThrottle.source_digest.in_(digests))
    )
    return {row.source_digest: row for row in rows}


def _count_failure(sources: list[tuple[str, int]], now: Any) -> None:
    db.session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.last_failure_at < now - FAILURE_MEMORY - LONGEST_LOCK
        )
    )
    rows = _throttle_rows([digest for digest, _ in sources])
    for digest, free in sources:
        row = rows.get(digest)
        if row is None:
            row = SignInThrottle(source_digest=digest, failures=0, last_failure_at=now)
            try:
                with db.session.begin_nested():  # another node may count the same source now
                    db.session.add(row)
            except IntegrityError:
                row = db.session.scalars(
                    select(SignInThrottle).where(SignInThrottle.source_digest == digest)
                ).one()
        if now - row.last_failure_at > FAILURE_MEMORY:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= free:
            lock = FIRST_LOCK * 2 ** min(row.failures - free, 16)
            row.locked_until = now + min(lock, LONGEST_LOCK)


def authenticate(email: Any, password: Any, *, channel: str, address: str | None = None) -> User:
    """Check a password sign-in. Failures are recorded (and committed by the caller, which must
    catch SignInFailed/SignInThrottled and return normally)."""
    email = email.strip().lower() if isinstance(email, str) else ""
    password = password if isinstance(password, str) else ""
    sources = _sign_in_sources(address or _request_address(), email)
    user = find_user_by_email(email) if email else None
    # A deactivated account (never an erased one) signs in, and signing in reactivates it.
    known = user is not None and (
        user.is_active_account or (user.deactivated_at is not None and user.erased_at is None)
    )
    now = utcnow()
    locks = [
        row.locked_until
        for row in _throttle_rows([digest for digest, _ in sources]).values()
        if row.locked_until and row.locked_until > now
    ]
    if locks:
        audit.record(
            "auth.sign_in_throttled",
            subject=user if known else None,
            # Never the address itself: a keyed digest still tells repeated attempts apart.
            email_digest=blind_index(f"audit-email|{email}"),
            channel=channel,
        )
        raise SignInThrottled(int((max(locks) - now).total_seconds()) + 1)
    if user is None or not known:
        spend_equal_time(password)  # as long as a wrong password takes
        matches = False
    else:
        matches = password_matches(password, user.password_hash)
    if not matches:
        _count_failure(sources, now)
        if user is not None and known:
            user.failed_sign_ins += 1
            audit.record(
                "auth.sign_in_failed",
                subject=user,
                reason="wrong_password",
                failures=user.failed_sign_ins,
                channel=channel,
            )
        else:
            audit.record(
                "auth.sign_in_failed",
                reason="unknown_account",
                email_digest=blind_index(f"audit-email|{email}"),
                channel=channel,
            )
        raise SignInFailed()
    assert user is not None
    # The right password clears this source's count; the address's own count stays, so one
    # account of the attacker's cannot wash away failures against others.
    pair = _throttle_rows([sources[1][0]]).get(sources[1][0])
    if pair is not None:
        db.session.delete(pair)
    user.failed_sign_ins = 0
    user.last_sign_in_at = now
    user.inactivity_warned_at = None  # an inactivity warning is answered by signing in
    if not user.is_active_account:
        from marketplace.privacy.requests import reactivate

        reactivate(user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("auth.signed_in", actor_id=user.id, subject=user, channel=channel)
    return user


# --- browser sessions ---------------------------------------------------------------------


def _session_expired(row: UserSession, now: Any) -> bool:
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    longest = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return now - row.last_seen_at > idle or now - row.created_at > longest


def start_web_session(user: User) -> str:
    """Record a browser's sign-in on the server; the returned id goes in its cookie."""
    now = utcnow()
    for row in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        if _session_expired(row, now):
            db.session.delete(row)
    session_id = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            id_digest=token_digest(session_id), user_id=user.id, created_at=now, last_seen_at=now
        )
    )
    db.session.flush()
    user.web_session_id = session_id
    return session_id


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader (session and remember-me cookie alike): the session must still be on
    the server and within its idle and absolute lifetimes."""
    row = db.session.scalar(
        select(UserSession).where(UserSession.id_digest == token_digest(session_id))
    )
    if row is None:
        return None
    now = utcnow()
    if _session_expired(row, now):
        db.session.delete(row)
        return None
    user = row.user
    if not user.is_active_account:
        return None
    if now - row.last_seen_at > SESSION_TOUCH_RESOLUTION:  # one write a minute, not a request
        row.last_seen_at = now
    user.web_session_id = session_id
    return user


def end_web_session(user: User) -> None:
    """Sign out: the session ends on the server, so a copy of the cookie is worth nothing."""
    if user.web_session_id:
        db.session.execute(
            delete(UserSession).where(UserSession.id_digest == token_digest(user.web_session_id))
        )
    audit.record("auth.signed_out", actor_id=user.id, subject=user)


def _sign_out_everywhere(user: User, *, revoke_keys: bool) -> dict[str, int]:
    """End every browser session and session token; with `revoke_keys`, every integration key."""
    sessions = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.session_nonce = secrets.token_urlsafe(16)  # every session token dies with it
    user.web_session_id = None
    keys = integration_keys(user) if revoke_keys else []
    now = utcnow()
    for key in keys:
        key.revoked_at = now
    return {"sessions_ended": sessions.rowcount or 0, "keys_revoked": len(keys)}


# --- API credentials ----------------------------------------------------------------------


def _new_credential(
    user: User, kind: CredentialKind, prefix: str, **fields: Any
) -> tuple[str, ApiCredential]:
    secret = prefix + secrets.token_urlsafe(32)
    credential = ApiCredential(
        user=user,
        kind=kind,
        token_digest=token_digest(secret),
        prefix=secret[:12],
        session_nonce=user.session_nonce,
        **fields,
    )
    db.session.add(credential)
    db.session.flush()
    return secret, credential


def issue_bearer_token(user: User) -> tuple[str, ApiCredential]:
    ttl = timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
    token, credential = _new_credential(
        user, CredentialKind.SESSION, "mkt_", expires_at=utcnow() + ttl
    )
    audit.record("auth.token_issued", actor_id=user.id, subject=credential)
    return token, credential


_KEY_FIELDS = ("name", "scopes")


def _read_scopes(inp: Input) -> list[str]:
    raw = inp.data.get("scopes")
    if "scopes" not in inp.data:
        return [str(scope) for scope in DEFAULT_KEY_SCOPES]
    known = ", ".join(Scope)
    if not isinstance(raw, list) or not raw:
        inp.fail("scopes", f"must be a non-empty list of scopes: {known}")
        return []
    scopes: list[str] = []
    for item in raw:
        if not isinstance(item, str) or item not in Scope.__members__.values():
            inp.fail("scopes", f"unknown scope {str(item)[:40]!r}; scopes are {known}")
        elif item not in scopes:
            scopes.append(item)
    return scopes


def create_integration_key(user: User, data: Any) -> tuple[str, ApiCredential]:
    """A supplier's long-lived key for its CRM, acting only within the scopes named."""
    if not user.has_role(Role.SUPPLIER):
        raise Forbidden("Only suppliers can create integration keys.")
    inp = Input(data)
    for field in inp.data:
        if field not in _KEY_FIELDS:
            inp.fail(field, f"unknown field; a key takes {' and '.join(_KEY_FIELDS)}")
    if "name" in inp.data and inp.data["name"] is None:
        inp.fail("name", "must be a string (leave it out for the default name)")
        name = None
    else:
        name = inp.text("name", required=False, max_length=100)
    scopes = _read_scopes(inp)
    inp.raise_if_invalid()
    name = name or "Integration key"
    key, credential = _new_credential(
        user, CredentialKind.INTEGRATION, "mkk_", name=name, scopes=scopes
    )
    audit.record("api_key.created", actor_id=user.id, subject=credential, name=name, scopes=scopes)
    return key, credential


def integration_keys(user: User) -> list[ApiCredential]:
    return list(
        db.session.scalars(
            select(ApiCredential)
            .where(
                ApiCredential.user_id == user.id,
                ApiCredential.kind == CredentialKind.INTEGRATION,
                ApiCredential.revoked_at.is_(None),
            )
            .order_by(ApiCredential.id)
        )
    )


def revoke_integration_key(user: User, key_id: int) -> None:
    credential = get_owned(
        ApiCredential,
        key_id,
        (ApiCredential.user_id == user.id)
        & (ApiCredential.kind == CredentialKind.INTEGRATION)
        & ApiCredential.revoked_at.is_(None),
    )
    credential.revoked_at = utcnow()
    audit.record("api_key.revoked", actor_id=user.id, subject=credential)


@cache
def _bearer_by_digest() -> Select[tuple[Any, ...]]:
    """The live credential with this digest: not revoked, not expired, its account active and,
    for a session token, issued since the account's last sign-out everywhere. One row per role
    the account holds (none when the credential is not live). Built once: every API request
    runs it, on the tables rather than through the ORM."""
    credentials, users, roles = ApiCredential.__table__, User.__table__, UserRole.__table__
    return (
        select(
            credentials.c.id,
            credentials.c.user_id,
            credentials.c.kind,
            credentials.c.scopes,
            credentials.c.last_used_at,
            roles.c.role,
        )
        .join(users, users.c.id == credentials.c.user_id)
        .outerjoin(roles, roles.c.user_id == users.c.id)
        .where(
            credentials.c.token_digest == bindparam("digest"),
            credentials.c.revoked_at.is_(None),
            or_(
                credentials.c.expires_at.is_(None),
                credentials.c.expires_at > bindparam("now", type_=UTCDateTime()),
            ),
            users.c.is_active_account.is_(True),
            or_(
                credentials.c.kind != CredentialKind.SESSION,
                credentials.c.session_nonce == users.c.session_nonce,
            ),
        )
    )


def _record_use(credential_id: int, now: datetime) -> None:
    """Best effort, after the request's commit: the request is done, so a failure here (a lock
    wait, a database blip) must neither answer 500 nor keep the commit's other work from running."""
    credentials = ApiCredential.__table__
    try:
        db.session.execute(
            update(credentials)
            .where(
                credentials.c.id == credential_id,
                or_(
                    credentials.c.last_used_at.is_(None),
                    credentials.c.last_used_at <= now - LAST_USED_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("could not record the use of credential %s", credential_id, exc_info=True)


def credential_for_bearer(token: str) -> Bearer | None:
    """The caller behind a live bearer token, or None."""
    now = utcnow()
    rows = db.session.execute(
        _bearer_by_digest(), {"digest": token_digest(token), "now": now}
    ).all()
    if not rows:
        return None
    first = rows[0]
    # Record use coarsely: one write per key every few minutes, not one per request, and after
    # the request's commit, so that its transaction holds no lock on the key meanwhile.
    if first.last_used_at is None or now - first.last_used_at > LAST_USED_RESOLUTION:
        after_commit(lambda: _record_use(first.id, now), once=f"credential-used-{first.id}")
    return Bearer(
        credential_id=first.id,
        user_id=first.user_id,
        kind=first.kind,
        scopes=frozenset(first.scopes or ()),
        roles=frozenset(row.role for row in rows if row.role is not None),
    )


# --- email verification and password reset ----------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"marketplace.{purpose}")


def _password_fingerprint(user: User) -> str:
    # Part of a reset token: once the password changes, every older reset link is dead.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _load_link(purpose: str, token: Any, max_age: timedelta) -> dict[str, Any]:
    if not isinstance(token, str) or not token:
        raise ValidationFailed({"token": ["this field is required"]}, "This link is not valid.")
    try:
        payload = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise ValidationFailed(
            {"token": ["this link has expired"]}, "This link has expired. Please ask for a new one."
        ) from None
    except BadSignature:
        raise ValidationFailed(
            {"token": ["this link is not valid"]}, "This link is not valid."
        ) from None
    if not isinstance(payload, dict):
        raise ValidationFailed({"token": ["this link is not valid"]}, "This link is not valid.")
    return payload


def send_email_verification(user: User) -> None:
    token = _serializer("verify-email").dumps({"uid": user.id, "email": user.email})
    send_email(
        user.email,
        "Confirm your email address",
        "verify_email",
        user=user,
        link=absolute_url("accounts.verify_email", token=token),
        hours=current_app.config["EMAIL_VERIFICATION_TTL_HOURS"],
    )


def verify_email(token: Any) -> User:
    ttl = timedelta(hours=current_app.config["EMAIL_VERIFICATION_TTL_HOURS"])
    payload = _load_link("verify-email", token, ttl)
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        raise ValidationFailed(
            {"token": ["this link is not valid"]},
            "This link is for an email address that is no longer on the account.",
        )
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("account.email_verified", actor_id=user.id, subject=user)
    return user


def _reset_token(user: User) -> str:
    return _serializer("reset-password").dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def request_password_reset(email: Any) -> None:
    """Send a reset link if the account exists; say nothing either way (no account probing)."""
    user = find_user_by_email(email) if isinstance(email, str) and email else None
    if user is None or not user.is_active_account:
        return
    token = _reset_token(user)
    minutes = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
    send_email(
        user.email,
        "Reset your password",
        "reset_password",
        user=user,
        link=absolute_url("accounts.reset_password", token=token),
        minutes=minutes,
    )
    audit.record("auth.password_reset_requested", subject=user)


def reset_password(token: Any, data: Any) -> User:
    ttl = timedelta(minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"])
    payload = _load_link("reset-password", token, ttl)
    user = db.session.get(User, payload.get("uid"))
    if user is None or payload.get("pw") != _password_fingerprint(user):
        raise ValidationFailed(
            {"token": ["this link has already been used"]},
            "This link has already been used. Please ask for a new one.",
        )
    inp = Input(data)
    password = _read_password(inp, "password", _personal_details(user.email, user.name, user.phone))
    inp.raise_if_invalid()
    if user.email_verified_at is None:  # the link reached this address: it is theirs
        user.email_verified_at = utcnow()
    # Account recovery: whoever else held a session, a token or a key loses it.
    _set_password(user, password, "auth.password_reset", revoke_keys=True)
    return user


def _check_current_password(inp: Input, user: User, purpose: str) -> None:
    current = inp.data.get("current_password")
    if current is None or current == "":
        inp.fail("current_password", f"your current password is needed to {purpose}")
    elif not isinstance(current, str) or not password_matches(current, user.password_hash):
        inp.fail("current_password", "not your current password")


def change_password(user: User, data: Any) -> dict[str, int]:
    """Change the password: every session and session token ends (the caller starts the current
    browser's session again); integration keys end too when `revoke_integration_keys` is true."""
    inp = Input(data)
    _check_current_password(inp, user, "change your password")
    password = _read_password(
        inp, "new_password", _personal_details(user.email, user.name, user.phone)
    )
    revoke_keys = inp.boolean("revoke_integration_keys")
    inp.raise_if_invalid()
    return _set_password(user, password, "auth.password_changed", revoke_keys=revoke_keys)


def _set_password(user: User, password: str, action: str, *, revoke_keys: bool) -> dict[str, int]:
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    ended = _sign_out_everywhere(user, revoke_keys=revoke_keys)
    audit.record(action, actor_id=user.id, subject=user, **ended)
    send_email(
        user.email,
        "Your password was changed",
        "password_changed",
        user=user,
        keys_revoked=ended["keys_revoked"],
        keys_kept=len(integration_keys(user)) if not revoke_keys else 0,
    )
    return ended


# --- changing the email address -----------------------------------------------------------


def _request_email_change(user: User, new_email: str) -> None:
    """The new address takes effect once confirmed from it; the old one hears of it at once,
    with a link that undoes the change."""
    user.pending_email = new_email
    confirm = _serializer("change-email").dumps({"uid": user.id, "email": new_email})
    undo = _serializer("undo-email-change").dumps(
        {"uid": user.id, "old": user.email, "new": new_email}
    )
    send_email(
        new_email,
        "Confirm your new email address",
        "confirm_email_change",
        user=user,
        new_email=new_email,
        link=absolute_url("accounts.confirm_email_change", token=confirm),
        hours=current_app.config["EMAIL_VERIFICATION_TTL_HOURS"],
    )
    send_email(
        user.email,
        "A new email address was asked for your account",
        "email_change_notice",
        user=user,
        new_email=new_email,
        link=absolute_url("accounts.undo_email_change", token=undo),
        days=EMAIL_CHANGE_UNDO_TTL.days,
    )
    audit.record("account.email_change_requested", actor_id=user.id, subject=user)


def confirm_email_change(token: Any) -> User:
    ttl = timedelta(hours=current_app.config["EMAIL_VERIFICATION_TTL_HOURS"])
    payload = _load_link("change-email", token, ttl)
    user = db.session.get(User, payload.get("uid"))
    new_email = payload.get("email")
    if user is None or not new_email or user.pending_email != new_email:
        raise ValidationFailed(
            {"token": ["this link is no longer valid"]},
            "This change of email was cancelled or replaced by a newer one.",
        )
    _refuse_duplicates(email=new_email, except_user=user)
    user.email = new_email
    user.email_verified_at = utcnow()  # the link reached the new mailbox
    user.pending_email = None
    audit.record("account.email_changed", actor_id=user.id, subject=user)
    return user


def undo_email_change(token: Any) -> User:
    """From the old address: cancel the change (or revert it if confirmed already), and sign out
    every session, token and key, since someone else may hold them."""
    payload = _load_link("undo-email-change", token, EMAIL_CHANGE_UNDO_TTL)
    user = db.session.get(User, payload.get("uid"))
    old, new = payload.get("old"), payload.get("new")
    if user is None or not isinstance(old, str) or not isinstance(new, str):
        raise ValidationFailed({"token": ["this link is not valid"]}, "This link is not valid.")
    if user.email == new:
        _refuse_duplicates(email=old, except_user=user)
        reverted = True
    elif user.email == old and user.pending_email == new:
        reverted = False
    else:
        raise ValidationFailed(
            {"token": ["this change was already undone or replaced"]},
            "There is nothing left to undo: this change was already undone or replaced.",
        )
    user.email = old
    user.email_verified_at = utcnow()  # the link reached the old mailbox
    user.pending_email = None
    ended = _sign_out_everywhere(user, revoke_keys=True)
    audit.record("account.email_change_undone", subject=user, reverted=reverted, **ended)
    return user


# --- profile ------------------------------------------------------------------------------

_EDITABLE = {"name", "email", "phone", "current_password"}
_BUSINESS_PROFILE = ("business_type", "year_established", "employees", "turnover_band", "about")
_EDITABLE_SUPPLIER = {"company_name", "gstin", "pan", "address", *_BUSINESS_PROFILE}


def _choice(options: Any) -> Any:
    def check(value: str) -> str:
        if value not in options:
            raise Invalid(f"must be one of: {', '.join(options)}")
        return value

    return check


def _read_business_profile(inp: Input) -> dict[str, Any]:
    """The storefront's profile fields given in `inp`; an empty value clears one."""
    values: dict[str, Any] = {}
    if "business_type" in inp.data:
        values["business_type"] = inp.text(
            "business_type", required=False, max_length=24, check=_choice(BUSINESS_TYPES)
        )
    if "year_established" in inp.data:
        values["year_established"] = inp.integer(
            "year_established", required=False, minimum=1800, maximum=utcnow().year
        )
    if "employees" in inp.data:
        values["employees"] = inp.text(
            "employees", required=False, max_length=16, check=_choice(EMPLOYEE_BANDS)
        )
    if "turnover_band" in inp.data:
        values["turnover_band"] = inp.text(
            "turnover_band", required=False, max_length=32, check=_choice(TURNOVER_BANDS)
        )
    if "about" in inp.data:
        values["about"] = inp.text("about", required=False, max_length=3000, multiline=True)
    return values


def update_profile(user: User, data: Any) -> User:
    """Correct one's own details. Only the fields given change; each is validated again."""
    inp = Input(data)
    allowed = _EDITABLE | (_EDITABLE_SUPPLIER if user.supplier else set())
    for field in inp.data:
        if field not in allowed:
            inp.fail(field, "this field cannot be changed here")
    changes: dict[str, Any] = {}
    for field, check, bounds in (
        ("name", _person_name, (2, 100)),
        ("email", identity.check_email, (3, 254)),
        ("phone", identity.check_mobile, (8, 20)),
    ):
        if field in inp.data:
            changes[field] = inp.text(
                field, min_length=bounds[0], max_length=bounds[1], check=check
            )
    supplier = user.supplier
    if supplier is not None:
        if "company_name" in inp.data:
            changes["company_name"] = inp.text("company_name", min_length=2, max_length=200)
        if "gstin" in inp.data:
            changes["gstin"] = inp.text("gstin", max_length=20, check=identity.check_gstin)
        if "pan" in inp.data:
            changes["pan"] = inp.text("pan", max_length=12, check=identity.check_pan)
        if "address" in inp.data:
            changes["address"] = _read_address(inp)
        business = _read_business_profile(inp)
        gstin = changes.get("gstin") or supplier.gstin
        address = changes.get("address")
        state = address.state if address else identity.check_state(supplier.state)
        _check_business_identity(inp, gstin, changes.get("pan") or gstin[2:12], state)
    new_email = changes.get("email") if changes.get("email") not in (None, user.email) else None
    new_phone = changes.get("phone") if changes.get("phone") not in (None, user.phone) else None
    if new_email or new_phone:  # the ways back into an account: only its owner changes them
        _check_current_password(inp, user, "change your email or phone")
    inp.raise_if_invalid()

    _refuse_duplicates(
        email=new_email,
        phone=new_phone,
        gstin=changes.get("gstin") if supplier and changes.get("gstin") != supplier.gstin else None,
        except_user=user,
    )
    changed = sorted(
        field for field, value in changes.items() if value is not None and field != "email"
    )
    if supplier is not None:
        changed = sorted({*changed, *(f for f, v in business.items() if v != getattr(supplier, f))})
        for field, value in business.items():
            setattr(supplier, field, value)
    if changes.get("name"):
        user.name = changes["name"]
    if new_phone:
        user.phone = new_phone
        user.phone_digest = blind_index(new_phone)
    if new_email and new_email != user.pending_email:
        _request_email_change(user, new_email)
    if supplier is not None:
        if changes.get("company_name"):
            supplier.company_name = changes["company_name"]
        if changes.get("gstin") and changes["gstin"] != supplier.gstin:
            supplier.gstin = changes["gstin"]
            supplier.gst_state_code = changes["gstin"][:2]
            supplier.pan = changes["gstin"][2:12]
            supplier.gst_verification = GstVerification.PENDING
            supplier.gst_verified_at = None
        if changes.get("address"):
            address = changes["address"]
            supplier.address_line1 = address.line1
            supplier.city = address.city
            supplier.state = address.state.name
            supplier.pincode = address.pincode
    if changed:
        audit.record("account.updated", actor_id=user.id, subject=user, fields=changed)
        if supplier is not None:
            supplier_changed.send(supplier.id)
    return user


# --- staff and roles ----------------------------------------------------------------------


def create_staff_user(*, email: str, name: str, password: str, role: str) -> User:
    inp = Input({"email": email, "name": name, "password": password, "role": role})
    email = inp.text("email", max_length=254, check=identity.check_email)
    name = inp.text("name", min_length=2, max_length=100, check=_person_name)
    staff_role = inp.text("role", check=_staff_role)
    password = _read_password(inp, "password", _personal_details(email, name))
    inp.raise_if_invalid()
    _refuse_duplicates(email=email)
    now = utcnow()
    user = User(
        email=email, name=name, password_hash=hash_password(password), email_verified_at=now
    )
    user.role_rows = [UserRole(role=staff_role)]
    db.session.add(user)
    db.session.flush()
    audit.record("account.staff_created", subject=user, role=str(staff_role))
    audit.record("role.granted", subject=user, role=str(staff_role))
    return user


def change_role(email: str, role: str, *, grant: bool) -> User:
    """Grant or revoke a role (operators, through the CLI); every change is audited."""
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(f"No account has the email {email}.")
    try:
        wanted = Role(role)
    except ValueError:
        raise ValidationFailed({"role": [f"must be one of {', '.join(Role)}"]}) from None
    if grant == user.has_role(wanted):
        return user  # nothing to change, nothing to audit
    if grant and wanted == Role.SUPPLIER and user.supplier is None:
        raise ValidationFailed({"role": ["a supplier registers its business (GSTIN) first"]})
    if not grant and len(user.role_rows) == 1:
        raise ValidationFailed({"role": ["an account keeps at least one role"]})
    if grant:
        user.role_rows.append(UserRole(role=wanted))
    else:
        user.role_rows = [row for row in user.role_rows if row.role != wanted]
    audit.record("role.granted" if grant else "role.revoked", subject=user, role=str(wanted))
    return user


def _staff_role(value: str) -> Role:
    if value not in STAFF_ROLES:
        raise Invalid(f"must be one of {', '.join(STAFF_ROLES)}")
    return Role(value)


def set_gst_verification(
    supplier_id: int, status: str, *, actor: User | None = None
) -> SupplierProfile:
    """Record the outcome of checking a GSTIN with the GST registry (by an admin or a GSP)."""
    supplier = db.session.get(SupplierProfile, supplier_id)
    if supplier is None:
        raise NotFound("No such supplier.")
    try:
        supplier.gst_verification = GstVerification(status)
    except ValueError:
        raise ValidationFailed(
            {"status": [f"must be one of {', '.join(GstVerification)}"]}
        ) from None
    supplier.gst_verified_at = utcnow() if status == GstVerification.VERIFIED else None
    audit.record(
        "supplier.gst_verification",
        actor_id=actor.id if actor else None,
        subject=supplier,
        status=status,
    )
    supplier_changed.send(supplier.id)
    return supplier
