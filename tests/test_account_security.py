"""The account-security findings, each reproduced: takeover through a bearer credential, sessions
and cookies, sign-in throttling without lock-out, rate limits that cannot be side-stepped."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace.accounts.models import ApiCredential, User, UserSession
from marketplace.accounts.policy import Scope
from marketplace.api.blueprint import authenticated
from marketplace.audit import AuditEvent
from marketplace.db import commit, utcnow
from marketplace.extensions import db, limiter
from tests import factories
from tests.conftest import Api, csrf_token, make_test_app, outbox, served_document

NEW_PASSWORD = "mango-lantern-river-77"


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _key(signed_in: Api, scopes: list[str] | None = None) -> Api:
    body: dict[str, object] = {"name": "Zoho CRM"}
    if scopes is not None:
        body["scopes"] = scopes
    created = signed_in.post("/api-keys", body)
    assert created.status_code == 201, created.get_json()
    return Api(signed_in.client, created.get_json()["key"])


def _mail_link(app, path: str, to: str) -> str:
    for mail in reversed(outbox(app)):
        if mail.startswith(f"To: {to}\n") and (match := re.search(rf"{path}/(\S+)", mail)):
            return match.group(1)
    raise AssertionError(f"no mail to {to} with {path}")


def _browser_sign_in(client, person, remember: bool = False):
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    form = {"csrf_token": token, "email": person.email, "password": person.password}
    if remember:
        form["remember"] = "y"
    response = client.post("/account/sign-in", data=form)
    assert response.status_code == 302
    return response


# --- account takeover through a bearer credential ----------------------------------------


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("PATCH", "/me", {"email": "attacker@example.in"}),
        ("PATCH", "/me", {"name": "Someone Else"}),
        ("POST", "/me/password", {"current_password": "x", "new_password": NEW_PASSWORD}),
        ("POST", "/me/email-verification", None),
        ("POST", "/api-keys", {"name": "another", "scopes": ["catalog:write"]}),
        ("GET", "/api-keys", None),
        ("DELETE", "/api-keys/1", None),
    ],
)
def test_an_integration_key_cannot_touch_identity_password_or_keys(
    supplier_api, supplier, app, method, path, body
):
    key = _key(supplier_api, ["leads:read", "leads:write", "catalog:write", "webhooks:manage"])
    mails = len(outbox(app))
    response = key.request(method, path, body)
    assert response.status_code == 403
    assert "signed-in person or a session token" in response.get_json()["detail"]
    user = db.session.get(User, supplier.id)
    assert user.email == supplier.email and user.pending_email is None
    assert len(outbox(app)) == mails
    assert len(supplier_api.get("/api-keys").get_json()["items"]) == 1
    assert key.get("/me").status_code == 200  # reading the account stays allowed


def test_a_key_acts_only_within_its_scopes(supplier_api, categories):
    reader = _key(supplier_api)  # no scopes named: leads:read only
    assert supplier_api.get("/api-keys").get_json()["items"][0]["scopes"] == ["leads:read"]
    refused = reader.post("/products", {})
    assert refused.status_code == 403
    assert "catalog:write" in refused.get_json()["detail"]
    writer = _key(supplier_api, ["catalog:write"])
    assert writer.post("/products", {}).status_code == 422  # past the policy, to the rules
    # A session token is a person who proved the password: it needs no scope.
    assert supplier_api.post("/products", {}).status_code == 422


CREDIT_READS = ("/credits", "/orders", "/orders/1", "/invoices", "/invoices/1", "/invoices/1.pdf")


@pytest.mark.parametrize("scope", ["catalog:write", "leads:read", "leads:write", "webhooks:manage"])
def test_a_read_that_names_no_scope_of_the_key_is_refused(supplier_api, scope):
    key = _key(supplier_api, [scope])
    for path in (*CREDIT_READS, "/privacy/consents", "/audit-events"):
        response = key.get(path)
        assert response.status_code == 403, (path, response.status_code)
    assert key.get("/me").status_code == 200  # any key reads its own account


def test_credits_read_opens_the_balance_orders_and_invoices(supplier_api):
    key = _key(supplier_api, ["credits:read"])
    for path in ("/credits", "/orders", "/invoices"):
        assert key.get(path).status_code == 200, path
    assert key.get("/invoices/1").status_code == 404  # past the policy: no such invoice
    assert key.post("/orders", {"pack": "starter"}).status_code == 403  # paying needs a person
    assert key.get("/leads").status_code == 403


def test_every_api_route_says_which_keys_may_call_it(app):
    from marketplace.openapi import declared_operations

    for rule, _, access in declared_operations(app):
        if access is not None:  # behind @authenticated
            assert (access.scope is not None) + access.person + access.any_key == 1, rule.rule
    with pytest.raises(TypeError, match="exactly one of"):
        authenticated()
    with pytest.raises(TypeError, match="exactly one of"):
        authenticated(scope=Scope.LEADS_READ, person=True)


def test_the_document_states_each_operations_key_scopes():
    operations = {
        (method, path): operation
        for path, item in served_document()["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert operations[("get", "/credits")]["x-integration-key-scopes"] == ["credits:read"]
    assert operations[("get", "/me")]["x-integration-key-scopes"] == []
    assert operations[("get", "/privacy/consents")]["x-integration-key-scopes"] is None
    assert "403" in operations[("get", "/privacy/consents")]["responses"]
    for (method, path), operation in operations.items():
        if operation["security"] == [{"bearer": []}]:
            assert "x-integration-key-scopes" in operation, (method, path)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "CRM", "owner": 7}, "owner"),
        ({"name": None}, "name"),
        ({"name": 5}, "name"),
        ({"scopes": ["admin"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "catalog:write"}, "scopes"),
        ({"scopes": [None]}, "scopes"),
    ],
)
def test_bad_key_requests_are_422_naming_the_field(supplier_api, body, field):
    response = supplier_api.post("/api-keys", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert supplier_api.get("/api-keys").get_json()["items"] == []


@pytest.mark.parametrize(
    "body, message",
    [
        ({"email": "new.one@example.in"}, "your current password is needed"),
        ({"email": "new.one@example.in", "current_password": "wrong-one-1"}, "not your current"),
        ({"phone": "+91 99887 76655"}, "your current password is needed"),
        ({"phone": "+91 99887 76655", "current_password": None}, "your current password"),
    ],
)
def test_email_and_phone_changes_need_the_current_password(buyer_api, buyer, app, body, message):
    mails = len(outbox(app))
    response = buyer_api.patch("/me", body)
    assert response.status_code == 422
    assert message in response.get_json()["errors"]["current_password"][0]
    user = db.session.get(User, buyer.id)
    assert (user.email, user.pending_email, user.phone) == (buyer.email, None, buyer.phone)
    assert len(outbox(app)) == mails


def test_a_new_email_takes_effect_only_when_confirmed_and_the_old_one_can_undo_it(
    api, supplier, app
):
    signed_in = api.sign_in(supplier.email)
    key = _key(signed_in, ["catalog:write"])
    response = signed_in.patch(
        "/me", {"email": "New.Owner@Example.in", "current_password": supplier.password}
    )
    assert response.status_code == 200
    assert response.get_json()["email"] == supplier.email
    assert response.get_json()["pending_email"] == "new.owner@example.in"
    # Forgot-password still writes to the address on the account, not the new one.
    api.post("/auth/password-reset", {"email": "new.owner@example.in"})
    assert not outbox(app)[-1].startswith("To: new.owner@example.in\nSubject: Reset")
    confirm = _mail_link(app, "/account/confirm-email", "new.owner@example.in")
    undo = _mail_link(app, "/account/undo-email-change", supplier.email)

    confirmed = api.post("/auth/email-change/confirm", {"token": confirm})
    assert confirmed.status_code == 200
    assert confirmed.get_json()["email"] == "new.owner@example.in"
    assert confirmed.get_json()["email_verified"] is True

    # The old owner undoes it: the address comes back and every credential ends.
    assert api.post("/auth/email-change/undo", {"token": undo}).status_code == 204
    user = db.session.get(User, supplier.id)
    db.session.refresh(user)
    assert user.email == supplier.email and user.pending_email is None
    assert signed_in.get("/me").status_code == 401
    assert key.get("/me").status_code == 401
    again = api.post("/auth/email-change/undo", {"token": undo})
    assert again.status_code == 422 and "token" in again.get_json()["errors"]
    assert {
        "account.email_change_requested",
        "account.email_changed",
        "account.email_change_undone",
    } <= set(_actions())


def test_undo_before_confirmation_cancels_the_change(api, buyer, app):
    signed_in = api.sign_in(buyer.email)
    signed_in.patch("/me", {"email": "other@example.in", "current_password": buyer.password})
    confirm = _mail_link(app, "/account/confirm-email", "other@example.in")
    undo = _mail_link(app, "/account/undo-email-change", buyer.email)
    assert api.post("/auth/email-change/undo", {"token": undo}).status_code == 204
    late = api.post("/auth/email-change/confirm", {"token": confirm})
    assert late.status_code == 422
    assert db.session.get(User, buyer.id).email == buyer.email


def test_the_undo_link_is_a_button_not_a_get_that_acts(client, buyer, app):
    Api(client).sign_in(buyer.email).patch(
        "/me", {"email": "other@example.in", "current_password": buyer.password}
    )
    undo = _mail_link(app, "/account/undo-email-change", buyer.email)
    page = client.get(f"/account/undo-email-change/{undo}")
    assert page.status_code == 200
    assert db.session.get(User, buyer.id).pending_email == "other@example.in"
    done = client.post(
        f"/account/undo-email-change/{undo}",
        data={"csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert done.status_code == 302
    user = db.session.get(User, buyer.id)
    db.session.refresh(user)
    assert user.pending_email is None


def test_the_html_profile_form_needs_the_password_to_change_the_email(client, buyer, app):
    _browser_sign_in(client, buyer)
    page = client.get("/account/").get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(page),
        "name": "Asha Rao",
        "email": "attacker@example.in",
        "phone": buyer.phone,
    }
    refused = client.post("/account/", data=form)
    assert refused.status_code == 422
    assert "current password is needed" in refused.get_data(as_text=True)
    assert db.session.get(User, buyer.id).pending_email is None
    saved = client.post("/account/", data={**form, "current_password": buyer.password})
    assert saved.status_code == 302
    assert db.session.get(User, buyer.id).pending_email == "attacker@example.in"
    assert db.session.get(User, buyer.id).email == buyer.email
    confirm = _mail_link(app, "/account/confirm-email", "attacker@example.in")
    assert client.get(f"/account/confirm-email/{confirm}").status_code == 302
    assert db.session.get(User, buyer.id).email == "attacker@example.in"


def test_a_password_reset_revokes_every_session_token_and_key(api, supplier, app, client):
    signed_in = api.sign_in(supplier.email)
    key = _key(signed_in)
    browser = app.test_client()
    _browser_sign_in(browser, supplier)
    api.post("/auth/password-reset", {"email": supplier.email})
    token = _mail_link(app, "/account/reset-password", supplier.email)
    confirm = {"token": token, "password": NEW_PASSWORD}
    assert api.post("/auth/password-reset/confirm", confirm).status_code == 204
    assert signed_in.get("/me").status_code == 401
    assert key.get("/me").status_code == 401
    assert browser.get("/account/").status_code == 302
    assert "1 integration key was revoked" in outbox(app)[-1]


def test_a_password_change_asks_whether_to_revoke_the_keys(client, supplier, app):
    signed_in = Api(client).sign_in(supplier.email)
    first, second = _key(signed_in), _key(signed_in)
    _browser_sign_in(client, supplier)
    page = client.get("/account/").get_data(as_text=True)
    assert "You have 2 integration keys" in page
    changed = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": supplier.password,
            "new_password": NEW_PASSWORD,
            "revoke_integration_keys": "y",
        },
    )
    assert changed.status_code == 302
    assert first.get("/me").status_code == 401 and second.get("/me").status_code == 401
    assert client.get("/account/").status_code == 200  # this browser goes on


# --- sessions and cookies -----------------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server(app, buyer):
    client = app.test_client()
    _browser_sign_in(client, buyer, remember=True)
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    page = client.get("/account/").get_data(as_text=True)
    client.post("/account/sign-out", data={"csrf_token": csrf_token(page)})
    assert db.session.scalar(select(UserSession)) is None
    for name, value in (("session", session_cookie), ("remember_token", remember_cookie)):
        replay = app.test_client()
        replay.set_cookie(name, value)
        response = replay.get("/account/")
        assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    assert "auth.signed_out" in _actions()


@pytest.mark.parametrize(
    "column, age",
    [("last_seen_at", timedelta(minutes=31)), ("created_at", timedelta(hours=12, minutes=1))],
)
def test_sessions_have_an_idle_and_an_absolute_lifetime(client, buyer, column, age):
    _browser_sign_in(client, buyer)
    assert client.get("/account/").status_code == 200
    db.session.execute(update(UserSession).values({column: utcnow() - age}))
    commit()
    assert client.get("/account/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(client, buyer):
    _browser_sign_in(client, buyer)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(seconds=30)))
    commit()
    client.get("/account/")
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - seen >= timedelta(seconds=29)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=2)))
    commit()
    client.get("/account/")
    assert utcnow() - db.session.scalar(select(UserSession.last_seen_at)) < timedelta(seconds=5)


def test_secure_cookies_make_remember_me_secure_and_send_hsts(app, database_url, tmp_path, ctx):
    secure = make_test_app(database_url, tmp_path, SESSION_COOKIE_SECURE=True)
    try:
        buyer = factories.buyer()
        client = secure.test_client()
        response = _browser_sign_in(client, buyer, remember=True)
        cookies = response.headers.getlist("Set-Cookie")
        remember = next(c for c in cookies if c.startswith("remember_token="))
        assert "Secure" in remember and "HttpOnly" in remember
        hsts = client.get("/").headers["Strict-Transport-Security"]
        assert hsts.startswith("max-age=31536000")
    finally:
        limiter.init_app(app)
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers


def test_secrets_are_never_cached(client, supplier):
    token = Api(client).post(
        "/auth/tokens", {"email": supplier.email, "password": supplier.password}
    )
    assert token.headers["Cache-Control"] == "no-store"
    signed_in = Api(client, token.get_json()["token"])
    assert signed_in.post("/api-keys", {"name": "CRM"}).headers["Cache-Control"] == "no-store"
    _browser_sign_in(client, supplier)
    page = client.get("/account/").get_data(as_text=True)
    shown = client.post(
        "/account/api-keys",
        data={"csrf_token": csrf_token(page), "name": "Tally", "scopes": ["catalog:write"]},
    )
    assert 'data-testid="new-key"' in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/account/").headers.get("Cache-Control", "")
    keys = db.session.scalars(select(ApiCredential.scopes).where(ApiCredential.name == "Tally"))
    assert list(keys) == [["catalog:write"]]


def test_session_lifetimes_are_configured_and_checked(tmp_path):
    from marketplace.config import ConfigError, load_config
    from marketplace.config_rules import validate_config

    config = load_config({"SESSION_IDLE_MINUTES": "15", "SESSION_MAX_HOURS": "8"}, str(tmp_path))
    assert (config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]) == (15, 8)
    with pytest.raises(ConfigError, match="SESSION_IDLE_MINUTES"):
        load_config({"SESSION_IDLE_MINUTES": "0"}, str(tmp_path))
    config = load_config({"SESSION_IDLE_MINUTES": "600", "SESSION_MAX_HOURS": "2"}, str(tmp_path))
    with pytest.raises(ConfigError, match="longer than SESSION_MAX_HOURS"):
        validate_config(config)


# --- sign-in throttling without lock-out ---------------------------------------------------


def _token_from(api: Api, address: str, email: str, password: str):
    return api.post(
        "/auth/tokens",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failures_from_one_address_never_lock_out_the_owner_elsewhere(api, buyer):
    for _ in range(6):
        _token_from(api, "203.0.113.9", buyer.email, "not-the-password")
    held = _token_from(api, "203.0.113.9", buyer.email, buyer.password)
    assert held.status_code == 429
    owner = _token_from(api, "198.51.100.20", buyer.email, buyer.password)
    assert owner.status_code == 201


def test_known_and_unknown_accounts_are_answered_alike(api, buyer):
    answers = {}
    for email in (buyer.email, "nobody@example.in"):
        statuses = [
            _token_from(api, "203.0.113.9", email, "not-the-password").status_code for _ in range(6)
        ]
        last = _token_from(api, "203.0.113.9", email, "not-the-password")
        answers[email] = (statuses, last.status_code, last.get_json()["detail"])
        limiter.reset()  # the request limit per address is another test's subject
    assert answers[buyer.email] == answers["nobody@example.in"]
    assert answers[buyer.email][0] == [401] * 5 + [429]


def test_one_address_trying_many_accounts_is_held(api, ctx):
    for n in range(20):
        _token_from(api, "203.0.113.7", f"victim{n}@example.in", "guess-password-1")
        limiter.reset()  # the per-address request limit is another test's subject
    assert _token_from(api, "203.0.113.7", "victim99@example.in", "x").status_code == 429
    assert _token_from(api, "203.0.113.8", "victim99@example.in", "x").status_code == 401


# --- rate limits that cannot be side-stepped ----------------------------------------------


def test_a_random_token_each_time_gets_no_fresh_bucket(api, ctx):
    statuses = [
        api.get("/me", headers={"Authorization": f"Bearer {secrets.token_urlsafe(8)}"}).status_code
        for _ in range(301)
    ]
    assert statuses[:300] == [401] * 300 and statuses[300] == 429


def test_a_valid_credential_has_its_own_bucket_looked_up_once(api, buyer, monkeypatch):
    signed_in = api.sign_in(buyer.email)
    from marketplace.api import blueprint as api_package

    calls = []
    real = api_package.credential_for_bearer
    monkeypatch.setattr(
        api_package, "credential_for_bearer", lambda token: calls.append(token) or real(token)
    )
    assert signed_in.get("/me").status_code == 200
    assert len(calls) == 1  # the rate limit and the view share one look-up
    with api.client.application.test_request_context(
        "/api/v1/me", headers={"Authorization": f"Bearer {signed_in.token}"}
    ):
        credential_id = db.session.scalar(select(ApiCredential.id))
        assert api_package.rate_limit_key() == f"credential:{credential_id}"


def test_the_html_search_page_is_limited_like_the_api(client, categories):
    statuses = [client.get("/search?q=steel").status_code for _ in range(301)]
    assert statuses[:300] == [200] * 300 and statuses[300] == 429
