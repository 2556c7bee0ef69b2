"""Accounts, sign-in tokens, integration keys, the audit log and consents over JSON."""

from __future__ import annotations

from flask import jsonify, request

from marketplace import audit
from marketplace.accounts import (
    api_keys,
    authentication,
    email_addresses,
    password_changes,
    photos,
    profile_edits,
    registration,
    schemas,
)
from marketplace.accounts.models import Role
from marketplace.accounts.policy import OFFICER_ROLES, Scope
from marketplace.api import (
    authenticated,
    bp,
    current_api_user,
    json_body,
    page_body,
    pagination,
    rate_limit_key,
)
from marketplace.errors import ValidationFailed, problem
from marketplace.extensions import limiter
from marketplace.formatting import iso_utc
from marketplace.privacy import schemas as privacy_schemas
from marketplace.validation import record_id
from marketplace.web import no_store


def _token(body: object) -> object:
    """The `token` of a body that carries a link's token (None when there is none)."""
    return body.get("token") if isinstance(body, dict) else None


@bp.post("/accounts")
@limiter.limit("10 per hour; 3 per minute")
def register():  # type: ignore[no-untyped-def]
    user = registration.register_account(json_body())
    return jsonify(schemas.account_owner(user)), 201


@bp.post("/auth/tokens")
@limiter.limit("10 per minute; 100 per hour")
def create_token():  # type: ignore[no-untyped-def]
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"body": ["must be a JSON object"]})
    try:
        user = authentication.authenticate(body.get("email"), body.get("password"), channel="api")
    except authentication.SignInThrottled as refused:
        # Returned, not raised: the failure counters and the audit row must be committed.
        response = problem(refused.status, refused.detail, title=refused.title)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    except authentication.SignInFailed as refused:
        return problem(refused.status, refused.detail, title=refused.title)
    token, credential = api_keys.issue_bearer_token(user)
    response = jsonify({"token": token, "expires_at": iso_utc(credential.expires_at)})
    response.status_code = 201
    return no_store(response)


@bp.post("/auth/password-reset")
@limiter.limit("5 per hour")
def password_reset_request():  # type: ignore[no-untyped-def]
    body = json_body()
    password_changes.request_password_reset(body.get("email") if isinstance(body, dict) else None)
    return jsonify({"detail": "If an account has this email, a reset link is on its way."}), 202


@bp.post("/auth/password-reset/confirm")
@limiter.limit("10 per hour")
def password_reset_confirm():  # type: ignore[no-untyped-def]
    body = json_body()
    token = _token(body)
    password_changes.reset_password(token, body)
    return "", 204


@bp.post("/auth/email-verification")
def email_verification():  # type: ignore[no-untyped-def]
    body = json_body()
    user = email_addresses.verify_email(_token(body))
    return jsonify(schemas.account_owner(user))


@bp.post("/auth/email-change/confirm")
@limiter.limit("10 per hour")
def email_change_confirm():  # type: ignore[no-untyped-def]
    body = json_body()
    user = email_addresses.confirm_email_change(_token(body))
    return jsonify(schemas.account_owner(user))


@bp.post("/auth/email-change/undo")
@limiter.limit("10 per hour")
def email_change_undo():  # type: ignore[no-untyped-def]
    body = json_body()
    email_addresses.undo_email_change(_token(body))
    return "", 204


@bp.get("/me")
@authenticated()
def me():  # type: ignore[no-untyped-def]
    return jsonify(schemas.account_owner(current_api_user()))


@bp.patch("/me")
@authenticated(person=True)
def update_me():  # type: ignore[no-untyped-def]
    user = profile_edits.update_profile(current_api_user(), json_body())
    return jsonify(schemas.account_owner(user))


@bp.post("/me/photos")
@authenticated(Role.SUPPLIER, scope=Scope.CATALOG_WRITE)
def add_photo():  # type: ignore[no-untyped-def]
    upload = request.files.get("image")
    photo = photos.add_photo(current_api_user(), upload.stream if upload else None, request.form)
    return jsonify(schemas.business_photo(photo)), 201


@bp.delete("/me/photos/<int:photo_id>")
@authenticated(Role.SUPPLIER, scope=Scope.CATALOG_WRITE)
def delete_photo(photo_id: int):  # type: ignore[no-untyped-def]
    photos.delete_photo(current_api_user(), photo_id)
    return "", 204


@bp.post("/me/password")
@authenticated(person=True)
@limiter.limit("10 per hour", key_func=rate_limit_key)
def change_password():  # type: ignore[no-untyped-def]
    password_changes.change_password(current_api_user(), json_body())
    return "", 204


@bp.post("/me/email-verification")
@authenticated(person=True)
@limiter.limit("5 per hour", key_func=rate_limit_key)
def resend_verification():  # type: ignore[no-untyped-def]
    email_addresses.send_email_verification(current_api_user())
    return "", 202


@bp.post("/api-keys")
@authenticated(Role.SUPPLIER, person=True)
def create_api_key():  # type: ignore[no-untyped-def]
    body = json_body() if request.content_length else {}
    key, credential = api_keys.create_integration_key(current_api_user(), body)
    response = jsonify({**schemas.integration_key(credential), "key": key})
    response.status_code = 201
    return no_store(response)


@bp.get("/api-keys")
@authenticated(Role.SUPPLIER, person=True)
def list_api_keys():  # type: ignore[no-untyped-def]
    items = [schemas.integration_key(key) for key in api_keys.integration_keys(current_api_user())]
    return jsonify(page_body(items, len(items), 1, max(len(items), 1)))


@bp.delete("/api-keys/<int:key_id>")
@authenticated(Role.SUPPLIER, person=True)
def revoke_api_key(key_id: int):  # type: ignore[no-untyped-def]
    api_keys.revoke_integration_key(current_api_user(), key_id)
    return "", 204


@bp.get("/privacy/consents")
@authenticated()
def consents():  # type: ignore[no-untyped-def]
    return jsonify(privacy_schemas.consents_owner(current_api_user().id))


@bp.get("/audit-events")
@authenticated(*OFFICER_ROLES)
def audit_events():  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    actor = request.args.get("actor_id", "")
    actor_id = record_id(actor) if actor else None
    if actor and actor_id is None:
        raise ValidationFailed({"actor_id": ["must be a user id"]})
    rows, total = audit.recent_events(
        action=request.args.get("action") or None,
        actor_id=actor_id,
        page=page,
        per_page=per_page,
    )
    return jsonify(page_body([audit.as_json(row) for row in rows], total, page, per_page))
