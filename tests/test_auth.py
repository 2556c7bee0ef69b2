"""Signing in: bearer tokens, throttling, integration keys, password and email links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace.accounts.models import ApiCredential, SignInThrottle, User
from marketplace.audit import AuditEvent
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from tests import factories
from tests.conftest import Api, outbox


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_token_then_me(api, buyer):
    response = api.post("/auth/tokens", {"email": buyer.email.upper(), "password": buyer.password})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("mkt_")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["expires_at"])
    me = Api(api.client, body["token"]).get("/me")
    assert me.status_code == 200
    assert me.get_json()["id"] == buyer.id


def test_only_a_digest_of_the_token_is_stored(api, buyer):
    token = api.sign_in(buyer.email).token
    stored = db.session.scalar(select(ApiCredential.token_digest))
    assert token not in stored and len(stored) == 64


@pytest.mark.parametrize(
    "body",
    [
        {"email": "nobody@example.in", "password": factories.PASSWORD},
        {"email": None, "password": None},
        {"email": 5, "password": ["x"]},
        {},
    ],
)
def test_unknown_or_malformed_sign_in_is_a_401(api, ctx, body):
    response = api.post("/auth/tokens", body)
    assert response.status_code == 401
    assert response.get_json()["detail"] == "The email or password is not correct."


def test_wrong_password_is_a_401_and_audited(api, buyer):
    response = api.post("/auth/tokens", {"email": buyer.email, "password": "wrong-password-1"})
    assert response.status_code == 401
    assert "auth.sign_in_failed" in _actions()


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "bearer  "]
)
def test_protected_endpoints_need_a_valid_bearer_token(api, ctx, header):
    headers = {"Authorization": header} if header else {}
    response = api.get("/me", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_expired_token_is_refused(api, buyer):
    signed_in = api.sign_in(buyer.email)
    credential = db.session.scalar(select(ApiCredential))
    credential.expires_at = utcnow() - timedelta(seconds=1)
    commit()
    assert signed_in.get("/me").status_code == 401


def test_repeated_failures_slow_down_but_never_lock_out_forever(api, buyer):
    wrong = {"email": buyer.email, "password": "not-the-password"}
    for _ in range(5):
        assert api.post("/auth/tokens", wrong).status_code == 401
    # This source is now held for a while: even the right password waits, and is told how long.
    right = {"email": buyer.email, "password": buyer.password}
    refused = api.post("/auth/tokens", right)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 31
    assert "Try again in about 1 minute" in refused.get_json()["detail"]
    # The lock ends on its own; then the right password works and the count starts over.
    db.session.execute(update(SignInThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    commit()
    assert api.post("/auth/tokens", right).status_code == 201
    user = db.session.get(User, buyer.id)
    db.session.refresh(user)
    assert user.failed_sign_ins == 0
    assert len(db.session.scalars(select(SignInThrottle)).all()) == 1  # only the address's count


def test_locks_grow_with_each_failure_up_to_a_cap(api, buyer):
    wrong = {"email": buyer.email, "password": "still-wrong-123"}
    api.post("/auth/tokens", wrong)
    db.session.execute(update(SignInThrottle).values(failures=30, locked_until=None))
    commit()
    api.post("/auth/tokens", wrong)
    longest = max(row.locked_until for row in db.session.scalars(select(SignInThrottle)))
    assert timedelta(minutes=14) < longest - utcnow() <= timedelta(minutes=15)


def test_password_change_ends_sessions_but_keeps_integration_keys(api, supplier):
    signed_in = api.sign_in(supplier.email)
    key = signed_in.post("/api-keys", {"name": "Zoho CRM"}).get_json()["key"]
    new_password = "mango-lantern-river-77"
    response = signed_in.post(
        "/me/password", {"current_password": supplier.password, "new_password": new_password}
    )
    assert response.status_code == 204
    assert signed_in.get("/me").status_code == 401
    assert Api(api.client, key).get("/me").status_code == 200
    assert api.sign_in(supplier.email, new_password).get("/me").status_code == 200
    assert "auth.password_changed" in _actions()


@pytest.mark.parametrize(
    "body, field",
    [
        (
            {"current_password": "wrong", "new_password": "mango-lantern-river-77"},
            "current_password",
        ),
        ({"current_password": factories.PASSWORD, "new_password": "password1"}, "new_password"),
        ({"current_password": factories.PASSWORD}, "new_password"),
    ],
)
def test_password_change_refusals(buyer_api, body, field):
    response = buyer_api.post("/me/password", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert buyer_api.get("/me").status_code == 200  # nothing changed


def test_integration_keys(api, supplier, app):
    signed_in = api.sign_in(supplier.email)
    created = signed_in.post("/api-keys", {"name": "Zoho CRM"})
    assert created.status_code == 201
    key = created.get_json()["key"]
    assert key.startswith("mkk_")
    listed = signed_in.get("/api-keys").get_json()["items"]
    assert [item["name"] for item in listed] == ["Zoho CRM"]
    assert key not in str(listed) and listed[0]["prefix"] == key[:12]
    assert Api(api.client, key).get("/me").get_json()["id"] == supplier.id
    assert signed_in.delete(f"/api-keys/{created.get_json()['id']}").status_code == 204
    assert Api(api.client, key).get("/me").status_code == 401
    assert {"api_key.created", "api_key.revoked"} <= set(_actions())


def test_buyers_cannot_create_integration_keys(buyer_api):
    response = buyer_api.post("/api-keys", {"name": "x"})
    assert response.status_code == 403


def test_a_supplier_cannot_see_or_revoke_another_suppliers_key(api, ctx):
    first = factories.supplier()
    second = factories.supplier()
    first_api = api.sign_in(first.email)
    key_id = first_api.post("/api-keys", {"name": "CRM"}).get_json()["id"]
    second_api = api.sign_in(second.email)
    assert second_api.get("/api-keys").get_json()["items"] == []
    assert second_api.delete(f"/api-keys/{key_id}").status_code == 404
    assert len(first_api.get("/api-keys").get_json()["items"]) == 1


def test_each_user_sees_only_themselves(api, ctx):
    first, second = factories.buyer(), factories.buyer()
    assert api.sign_in(first.email).get("/me").get_json()["id"] == first.id
    assert api.sign_in(second.email).get("/me").get_json()["id"] == second.id


def _link(app, path: str) -> str:
    mail = outbox(app)[-1]
    match = re.search(rf"{path}/(\S+)", mail)
    assert match, mail
    return match.group(1)


def test_password_reset_by_emailed_link(api, buyer, app):
    assert api.post("/auth/password-reset", {"email": buyer.email}).status_code == 202
    token = _link(app, "/account/reset-password")
    new_password = "tamarind-bicycle-cloud-9"
    confirm = api.post("/auth/password-reset/confirm", {"token": token, "password": new_password})
    assert confirm.status_code == 204
    assert (
        api.post("/auth/tokens", {"email": buyer.email, "password": buyer.password}).status_code
        == 401
    )
    assert api.sign_in(buyer.email, new_password)
    # A used link is dead.
    again = api.post(
        "/auth/password-reset/confirm", {"token": token, "password": "another-fine-phrase-3"}
    )
    assert again.status_code == 422
    assert again.get_json()["errors"]["token"] == ["this link has already been used"]


def test_password_reset_for_an_unknown_email_says_the_same_and_sends_nothing(api, ctx, app):
    response = api.post("/auth/password-reset", {"email": "nobody@example.in"})
    assert response.status_code == 202
    assert outbox(app) == []


@pytest.mark.parametrize("token", ["", "garbage", None, 12])
def test_bad_reset_tokens_are_422(api, ctx, token):
    response = api.post("/auth/password-reset/confirm", {"token": token, "password": "x"})
    assert response.status_code == 422
    assert "token" in response.get_json()["errors"]


def test_reset_password_must_follow_the_policy(api, buyer, app):
    api.post("/auth/password-reset", {"email": buyer.email})
    token = _link(app, "/account/reset-password")
    response = api.post("/auth/password-reset/confirm", {"token": token, "password": "12345678"})
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]


def test_email_verification_by_link(api, app, ctx):
    registered = factories.buyer()
    token = _link(app, "/account/verify-email")
    signed_in = api.sign_in(registered.email)
    assert signed_in.get("/me").get_json()["email_verified"] is False
    assert api.post("/auth/email-verification", {"token": token}).status_code == 200
    assert signed_in.get("/me").get_json()["email_verified"] is True
    assert "account.email_verified" in _actions()


def test_email_verification_link_dies_when_the_email_changes(api, app, ctx):
    registered = factories.buyer()
    token = _link(app, "/account/verify-email")
    api.sign_in(registered.email).patch(
        "/me", {"email": "new.address@example.in", "current_password": registered.password}
    )
    confirm = re.search(r"/account/confirm-email/(\S+)", outbox(app)[-2]).group(1)
    assert api.post("/auth/email-change/confirm", {"token": confirm}).status_code == 200
    response = api.post("/auth/email-verification", {"token": token})
    assert response.status_code == 422


def test_the_bearer_lookup_refuses_every_dead_credential(supplier):
    """One statement decides: revoked, expired, a deactivated account, and a session token
    from before a sign-out everywhere are all refused; an integration key outlives that."""
    from marketplace.accounts.api_keys import (
        create_integration_key,
        credential_for_bearer,
        issue_bearer_token,
    )
    from marketplace.accounts.inputs import IntegrationKeyIn
    from marketplace.accounts.models import CredentialKind, Role

    user = db.session.get_one(User, supplier.id)
    token, session_credential = issue_bearer_token(user)
    key, key_credential = create_integration_key(
        user, IntegrationKeyIn.model_validate({"name": "CRM", "scopes": ["leads:read"]})
    )
    commit()
    caller = credential_for_bearer(token)
    assert caller is not None
    assert (caller.credential_id, caller.user_id, caller.kind) == (
        session_credential.id,
        supplier.id,
        CredentialKind.SESSION,
    )
    assert caller.roles == {Role.BUYER, Role.SUPPLIER} == set(user.roles)
    assert caller.has_role(Role.ADMIN, Role.SUPPLIER) and not caller.has_role(Role.ADMIN)
    keyed = credential_for_bearer(key)
    assert keyed is not None and keyed.scopes == {"leads:read"}
    assert credential_for_bearer(token + "x") is None

    user.session_nonce = "signed-out-everywhere"  # what signing out everywhere does
    commit()
    assert credential_for_bearer(token) is None
    assert credential_for_bearer(key) is not None

    key_credential = db.session.get_one(ApiCredential, key_credential.id)
    key_credential.expires_at = utcnow() + timedelta(minutes=1)
    commit()
    assert credential_for_bearer(key) is not None
    key_credential.expires_at = utcnow() - timedelta(seconds=1)
    commit()
    assert credential_for_bearer(key) is None
    key_credential.expires_at = None
    key_credential.revoked_at = utcnow()
    commit()
    assert credential_for_bearer(key) is None
    key_credential.revoked_at = None
    user.is_active_account = False
    commit()
    assert credential_for_bearer(key) is None


def test_a_credential_records_its_use_every_few_minutes_not_every_request(buyer):
    from marketplace.accounts.api_keys import (
        LAST_USED_RESOLUTION,
        credential_for_bearer,
        issue_bearer_token,
    )

    token, credential = issue_bearer_token(db.session.get_one(User, buyer.id))
    commit()
    assert credential_for_bearer(token) is not None
    commit()
    db.session.refresh(credential)
    first = credential.last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    assert credential_for_bearer(token) is not None
    commit()
    db.session.refresh(credential)
    assert credential.last_used_at == first  # within the resolution: no write
    earlier = utcnow() - LAST_USED_RESOLUTION - timedelta(seconds=1)
    credential.last_used_at = earlier
    commit()
    assert credential_for_bearer(token) is not None
    commit()
    db.session.refresh(credential)
    assert credential.last_used_at > earlier + LAST_USED_RESOLUTION


def test_a_failed_use_record_neither_fails_the_request_nor_stops_its_after_commit_work(
    app, api, supplier, categories, monkeypatch
):
    """The use is recorded after the request's commit: if that write fails (a lock wait, say),
    the request still answers as it was done, and the work after its commit still runs."""
    from sqlalchemy.exc import OperationalError

    token = api.sign_in(supplier.email).token
    db.session.execute(update(ApiCredential).values(last_used_at=None))  # due for a write
    commit()
    real_execute = db.session.execute

    def locked(statement, *args, **kwargs):  # type: ignore[no-untyped-def]
        if getattr(statement, "table", None) is ApiCredential.__table__:
            raise OperationalError("UPDATE api_credentials", {}, Exception("lock timeout"))
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", locked)
    created = Api(app.test_client(), token).post(
        "/products",
        {
            "name": "SS Door Handle",
            "category": "stainless-steel-pipes",
            "price": "120.00",
            "unit": "piece",
            "moq": 10,
        },
    )
    assert created.status_code == 201, created.get_json()
    monkeypatch.undo()
    # The index update, queued to run after the commit, ran all the same.
    found = api.get("/search?q=door+handle").get_json()
    assert [item["id"] for item in found["items"]] == [created.get_json()["id"]]


def test_the_api_caller_is_only_known_inside_an_authenticated_view(app, buyer):
    """A view that forgot @authenticated must fail, not act for an unchecked caller."""
    from marketplace.accounts.api_keys import issue_bearer_token
    from marketplace.api.blueprint import current_api_user_id

    token, _ = issue_bearer_token(db.session.get_one(User, buyer.id))
    commit()
    headers = {"Authorization": f"Bearer {token}"}
    with (
        app.test_request_context("/api/v1/me", headers=headers),
        pytest.raises(RuntimeError, match="@authenticated"),
    ):
        current_api_user_id()
