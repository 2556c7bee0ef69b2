"""The JSON API's blueprint and who is calling: every handler module registers on `bp` and asks
`authenticated` who may call it.

Only bearer tokens authenticate here, never the browser's session cookie, which is why this
blueprint can be exempt from CSRF protection.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, request
from flask_babel import gettext as _
from sqlalchemy.orm import defer, joinedload, lazyload

from marketplace.accounts import policy
from marketplace.accounts.api_keys import credential_for_bearer
from marketplace.accounts.models import Role, User
from marketplace.errors import NotAuthenticated
from marketplace.extensions import csrf, db, limiter
from marketplace.openapi import Access

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def verified_credential() -> policy.Bearer | None:
    """The request's bearer caller, looked up once (the rate limit and the view share it)."""
    if "api_bearer" not in g:
        token = _bearer_token()
        g.api_bearer = credential_for_bearer(token) if token else None
    bearer: policy.Bearer | None = g.api_bearer
    return bearer


def rate_limit_key() -> str:
    """Per verified credential (so one office behind a NAT is not one bucket), otherwise per
    address: a made-up or revoked token counts against its sender's address."""
    bearer = verified_credential()
    return f"credential:{bearer.credential_id}" if bearer else f"ip:{request.remote_addr}"


limiter.limit("300 per minute", key_func=rate_limit_key)(bp)


def authenticated(
    *roles: Role, scope: policy.Scope | None = None, person: bool = False, any_key: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a valid bearer credential that policy.authorize lets through: one of `roles` when
    given. Each route says which integration keys may call it, exactly one of: the `scope` a
    key needs, `person` (no key may), or `any_key` (any of the account's keys): a route that
    says none of them does not load."""
    if (scope is not None) + person + any_key != 1:
        raise TypeError("@authenticated needs exactly one of scope=, person=True, any_key=True")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bearer = verified_credential()
            if bearer is None:
                if _bearer_token() is None:
                    raise NotAuthenticated(_("Send 'Authorization: Bearer <token>'."))
                raise NotAuthenticated(_("The token is not valid, was revoked or has expired."))
            policy.authorize(bearer, roles=roles, scope=scope, person=person, any_key=any_key)
            g.api_authorized = True
            return view(*args, **kwargs)

        wrapper.access = Access(  # type: ignore[attr-defined]  (read by the document)
            roles=tuple(str(role) for role in roles),
            scope=scope and str(scope),
            person=person,
            any_key=any_key,
        )
        return wrapper

    return decorator


def current_api_user_id() -> int:
    """The authenticated caller's account id, in a view behind `authenticated` only: a view
    without it would act for a caller whose roles and scopes nobody checked."""
    bearer = verified_credential()
    if bearer is None or not g.get("api_authorized"):
        raise RuntimeError("current_api_user_id() outside a view behind @authenticated")
    return bearer.user_id


_USER_OPTIONS = (joinedload(User.role_rows), lazyload(User.supplier), defer(User.phone))


def current_api_user() -> User:
    """The authenticated caller's account, loaded on first use: a handler that needs only its
    id (sending an enquiry) never loads it. Its roles come with it; its business and its mobile
    (encrypted) only when read."""
    return db.session.get_one(User, current_api_user_id(), options=_USER_OPTIONS)
