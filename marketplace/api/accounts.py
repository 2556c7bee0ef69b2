"""Accounts, sign-in tokens, integration keys, the audit log and consents over JSON."""

from __future__ import annotations

from flask import request

from marketplace import audit
from marketplace.accounts import (
    api_keys,
    authentication,
    email_addresses,
    password_changes,
    phone_verification,
    photos,
    profile_edits,
    registration,
    schemas,
)
from marketplace.accounts.inputs import (
    AuditQuery,
    IntegrationKeyIn,
    LinkTokenIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ProfileChange,
    RegistrationIn,
    SignInIn,
)
from marketplace.accounts.models import BUSINESS_ROLES
from marketplace.accounts.photos import MAX_CAPTION, MAX_PHOTOS
from marketplace.accounts.policy import OFFICER_ROLES, Scope
from marketplace.api.blueprint import authenticated, bp, current_api_user, rate_limit_key
from marketplace.errors import problem
from marketplace.extensions import limiter
from marketplace.fields import Page
from marketplace.openapi import Reply, operation
from marketplace.privacy import schemas as privacy_schemas
from marketplace.web import NO_STORE

# An answer that carries a secret (a token, a key shown once): no cache may keep it.

_PHOTO_UPLOAD = Reply(
    {
        "type": "object",
        "required": ["image"],
        "properties": {
            "image": {"type": "string", "format": "binary"},
            "caption": {
                "type": "string",
                "maxLength": MAX_CAPTION,
                "examples": ["Our factory at Ludhiana"],
            },
        },
    },
    media="multipart/form-data",
)


# Read by the handler itself: a request without a body makes the default key.
@bp.post("/accounts")
@limiter.limit("10 per hour; 3 per minute")
@operation(
    "Register a buyer or a supplier",
    tag="accounts",
    body=RegistrationIn,
    responses={201: Reply(schemas.OwnAccount, "Registered")},
    problems=(409,),
)
def register(body: RegistrationIn):  # type: ignore[no-untyped-def]
    return schemas.account_owner(registration.register_account(body)), 201


@bp.post("/auth/tokens")
@limiter.limit("10 per minute; 100 per hour")
@operation(
    "Exchange email and password for a bearer token",
    tag="auth",
    body=SignInIn,
    responses={201: Reply(schemas.BearerToken, "Signed in")},
    problems=(401,),
)
def create_token(body: SignInIn):  # type: ignore[no-untyped-def]
    try:
        user = authentication.authenticate(body.email, body.password, channel="api")
    except authentication.SignInThrottled as refused:
        # Returned, not raised: the failure counters and the audit row must be committed.
        response = problem(refused.status, refused.detail, title=refused.title)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    except authentication.SignInFailed as refused:
        return problem(refused.status, refused.detail, title=refused.title)
    token, credential = api_keys.issue_bearer_token(user)
    return schemas.bearer_token(token, credential.expires_at), 201, NO_STORE


@bp.post("/auth/password-reset")
@limiter.limit("5 per hour")
@operation(
    "Email a password reset link (the answer is the same for unknown emails)",
    tag="auth",
    body=PasswordResetIn,
    responses={202: Reply(schemas.Notice, "Accepted")},
)
def password_reset_request(body: PasswordResetIn):  # type: ignore[no-untyped-def]
    password_changes.request_password_reset(body.email)
    return {"detail": "If an account has this email, a reset link is on its way."}, 202


@bp.post("/auth/password-reset/confirm")
@limiter.limit("10 per hour")
@operation(
    "Set a new password with the emailed token",
    tag="auth",
    body=PasswordResetConfirmIn,
    responses={204: Reply(None, "Changed")},
)
def password_reset_confirm(body: PasswordResetConfirmIn):  # type: ignore[no-untyped-def]
    password_changes.reset_password(body)
    return None, 204


@bp.post("/auth/email-verification")
@operation(
    "Confirm an email address with the emailed token",
    tag="auth",
    body=LinkTokenIn,
    responses={200: schemas.OwnAccount},
)
def email_verification(body: LinkTokenIn):  # type: ignore[no-untyped-def]
    return schemas.account_owner(email_addresses.verify_email(body.token))


@bp.post("/auth/email-change/confirm")
@limiter.limit("10 per hour")
@operation(
    "Confirm a new email address with the token emailed to it",
    tag="auth",
    body=LinkTokenIn,
    responses={200: schemas.OwnAccount},
    problems=(409,),
)
def email_change_confirm(body: LinkTokenIn):  # type: ignore[no-untyped-def]
    return schemas.account_owner(email_addresses.confirm_email_change(body.token))


@bp.post("/auth/email-change/undo")
@limiter.limit("10 per hour")
@operation(
    "Undo a change of email with the token sent to the old address (cancels or reverts it, "
    "and ends every session, token and integration key)",
    tag="auth",
    body=LinkTokenIn,
    responses={204: Reply(None, "Undone")},
    problems=(409,),
)
def email_change_undo(body: LinkTokenIn):  # type: ignore[no-untyped-def]
    email_addresses.undo_email_change(body.token)
    return None, 204


@bp.get("/me")
@authenticated(any_key=True)
@operation("The signed-in account", tag="accounts", responses={200: schemas.OwnAccount})
def me():  # type: ignore[no-untyped-def]
    return schemas.account_owner(current_api_user())


@bp.patch("/me")
@authenticated(person=True)
@operation(
    "Correct one's own details; a changed GSTIN is validated again; email and phone need the "
    "current password",
    tag="accounts",
    body=ProfileChange,
    responses={200: schemas.OwnAccount},
    problems=(409,),
)
def update_me(body: ProfileChange):  # type: ignore[no-untyped-def]
    return schemas.account_owner(profile_edits.update_profile(current_api_user(), body))


@bp.post("/me/photos")
@authenticated(*BUSINESS_ROLES, scope=Scope.CATALOG_WRITE)
@operation(
    f"Add a photo of the business to the storefront (at most {MAX_PHOTOS}; multipart field "
    "'image': JPEG, PNG or WebP, at most 5 MB; stored re-encoded as WebP without metadata)",
    tag="accounts",
    takes=_PHOTO_UPLOAD,
    responses={201: Reply(schemas.BusinessPhotoView, "Added")},
    problems=(413, 507),
)
def add_photo():  # type: ignore[no-untyped-def]
    upload = request.files.get("image")
    photo = photos.add_photo(current_api_user(), upload.stream if upload else None, request.form)
    return schemas.business_photo(photo), 201


@bp.delete("/me/photos/<int:photo_id>")
@authenticated(*BUSINESS_ROLES, scope=Scope.CATALOG_WRITE)
@operation(
    "Remove a photo of the business",
    tag="accounts",
    responses={204: Reply(None, "Removed")},
    problems=(404,),
)
def delete_photo(photo_id: int):  # type: ignore[no-untyped-def]
    photos.delete_photo(current_api_user(), photo_id)
    return None, 204


@bp.post("/me/password")
@authenticated(person=True)
@limiter.limit("10 per hour", key_func=rate_limit_key)
@operation(
    "Change the password: ends every session and session token; integration keys too with "
    "revoke_integration_keys",
    tag="accounts",
    body=PasswordChangeIn,
    responses={204: Reply(None, "Changed")},
)
def change_password(body: PasswordChangeIn):  # type: ignore[no-untyped-def]
    password_changes.change_password(current_api_user(), body)
    return None, 204


@bp.post("/me/email-verification")
@authenticated(person=True)
@limiter.limit("5 per hour", key_func=rate_limit_key)
@operation(
    "Send the email confirmation link again",
    tag="accounts",
    responses={202: Reply(None, "Sent")},
)
def resend_verification():  # type: ignore[no-untyped-def]
    email_addresses.send_email_verification(current_api_user())
    return None, 202


@bp.post("/me/phone-verification")
@authenticated(person=True)
@limiter.limit("5 per hour; 3 per minute", key_func=rate_limit_key)
@operation(
    "Send a six-digit code by SMS to the account's mobile (valid 10 minutes, 5 tries); it "
    "replaces any code sent before",
    tag="accounts",
    responses={202: Reply(None, "Sent")},
    problems=(409,),
)
def start_phone_verification():  # type: ignore[no-untyped-def]
    phone_verification.start(current_api_user())
    return None, 202


@bp.post("/me/phone-verification/confirm")
@authenticated(person=True)
@limiter.limit("10 per minute; 100 per hour", key_func=rate_limit_key)
@operation(
    "Confirm the mobile with the code sent by SMS",
    tag="accounts",
    body=phone_verification.PhoneCodeIn,
    responses={200: schemas.OwnAccount},
    problems=(409,),
)
def confirm_phone_verification(body: phone_verification.PhoneCodeIn):  # type: ignore[no-untyped-def]
    return schemas.account_owner(phone_verification.confirm(current_api_user(), body))


@bp.post("/api-keys")
@authenticated(*BUSINESS_ROLES, person=True)
@operation(
    "Create a CRM integration key (shown once, stored hashed, Cache-Control: no-store); it "
    "acts only within its scopes. The body may be left out: a key named 'Integration key' "
    "that reads leads",
    tag="api-keys",
    body=IntegrationKeyIn,
    body_optional=True,
    responses={201: Reply(schemas.NewIntegrationKey, "Created")},
)
def create_api_key(body: IntegrationKeyIn):  # type: ignore[no-untyped-def]
    key, credential = api_keys.create_integration_key(current_api_user(), body)
    return schemas.new_integration_key(key, credential), 201, NO_STORE


@bp.get("/api-keys")
@authenticated(*BUSINESS_ROLES, person=True)
@operation(
    "The supplier's integration keys (never the keys themselves), all on one page",
    tag="api-keys",
    responses={200: Page[schemas.IntegrationKey]},
)
def list_api_keys():  # type: ignore[no-untyped-def]
    return schemas.integration_keys(api_keys.business_keys(current_api_user()))


@bp.delete("/api-keys/<int:key_id>")
@authenticated(*BUSINESS_ROLES, person=True)
@operation(
    "Revoke an integration key",
    tag="api-keys",
    responses={204: Reply(None, "Revoked")},
    problems=(404,),
)
def revoke_api_key(key_id: int):  # type: ignore[no-untyped-def]
    api_keys.revoke_integration_key(current_api_user(), key_id)
    return None, 204


@bp.get("/privacy/consents")
@authenticated(person=True)
@operation(
    "The current consent per purpose", tag="privacy", responses={200: privacy_schemas.Consents}
)
def consents():  # type: ignore[no-untyped-def]
    return privacy_schemas.consents_owner(current_api_user().id)


@bp.get("/audit-events")
@authenticated(*OFFICER_ROLES, person=True)
@operation(
    "The audit log, newest first (grievance officer, admin)",
    tag="audit",
    query=AuditQuery,
    responses={200: Page[schemas.AuditEvent]},
)
def audit_events(query: AuditQuery):  # type: ignore[no-untyped-def]
    rows, total = audit.recent_events(
        action=query.action or None,
        actor_id=query.actor_id,
        page=query.page,
        per_page=query.per_page,
    )
    items = [schemas.audit_event(row) for row in rows]
    return query.answer(items, total)
