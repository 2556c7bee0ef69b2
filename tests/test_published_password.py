"""The demo accounts' password is published (the README): in production it opens no account,
through any sign-in, and nowhere can it be chosen as a new password."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import DEMO_PASSWORD, hash_password
from marketplace.accounts.staff import create_staff_user
from marketplace.audit import AuditEvent
from marketplace.db import commit
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.privacy.policy import can_confirm_by_password
from tests import factories
from tests.conftest import Api, csrf_token, outbox, sign_in_page

WRONG = "The email or password is not correct."
REFUSAL = "published password"
# The password as published, and as someone might retype it.
PUBLISHED = [DEMO_PASSWORD, DEMO_PASSWORD.title(), f" {DEMO_PASSWORD.upper()} "]


@pytest.fixture()
def production(app, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")


@pytest.fixture(params=["development", "production"])
def any_env(request, app, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", request.param)


@pytest.fixture()
def demo_account(ctx) -> factories.Registered:
    """An account with the demo password, as `flask demo seed` makes them."""
    person = factories.buyer()
    db.session.get(User, person.id).password_hash = hash_password(DEMO_PASSWORD)
    commit()
    return replace(person, password=DEMO_PASSWORD)


def _last_audit() -> AuditEvent:
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def _form_sign_in(client, email: str, password: str):
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    return client.post(
        "/account/sign-in", data={"csrf_token": token, "email": email, "password": password}
    )


# --- signing in ------------------------------------------------------------------------------


def test_the_demo_password_opens_demo_accounts_outside_production(api, client, demo_account):
    assert api.sign_in(demo_account.email, DEMO_PASSWORD).get("/me").status_code == 200
    assert _form_sign_in(client, demo_account.email, DEMO_PASSWORD).status_code == 302


def test_production_refuses_the_demo_password_for_a_token_as_a_wrong_one(
    api, demo_account, production, caplog
):
    wrong = api.post("/auth/tokens", {"email": demo_account.email, "password": "not-it-at-all-9"})
    with caplog.at_level(logging.DEBUG):
        demo = api.post("/auth/tokens", {"email": demo_account.email, "password": DEMO_PASSWORD})
    assert demo.status_code == wrong.status_code == 401
    assert demo.get_json() == wrong.get_json()
    assert demo.get_json()["detail"] == WRONG
    event = _last_audit()
    assert event.action == "auth.sign_in_failed"
    assert event.details["reason"] == "published_password"
    assert event.details["channel"] == "api"
    assert DEMO_PASSWORD not in str(event.details)
    assert DEMO_PASSWORD not in caplog.text
    assert db.session.get(User, demo_account.id).failed_sign_ins == 2  # counted, and throttled


def test_production_refuses_the_demo_password_on_the_sign_in_form(client, demo_account, production):
    response = _form_sign_in(client, demo_account.email, DEMO_PASSWORD)
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302  # not signed in
    event = _last_audit()
    assert (event.action, event.details["reason"]) == ("auth.sign_in_failed", "published_password")
    assert DEMO_PASSWORD not in str(event.details)


def test_production_refuses_the_demo_password_to_confirm_a_request(
    ctx, demo_account, app, monkeypatch
):
    user = db.session.get(User, demo_account.id)
    assert can_confirm_by_password(user, DEMO_PASSWORD)
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    assert not can_confirm_by_password(user, DEMO_PASSWORD)


def test_production_still_lets_other_passwords_in(api, buyer, production):
    assert api.sign_in(buyer.email).get("/me").status_code == 200


# --- choosing a new password -----------------------------------------------------------------


@pytest.mark.parametrize("password", PUBLISHED)
def test_registration_refuses_the_published_password(api, ctx, any_env, password):
    response = api.post("/accounts", factories.registration("buyer", password=password))
    assert response.status_code == 422, response.get_json()
    assert REFUSAL in " ".join(response.get_json()["errors"]["password"])
    assert db.session.scalar(select(User.id)) is None


def test_the_registration_form_refuses_the_published_password(client, ctx, any_env):
    page = client.get("/account/register").get_data(as_text=True)
    data = factories.registration("buyer")
    form = {
        "csrf_token": csrf_token(page),
        "name": data["name"],
        "email": data["email"],
        "phone": data["phone"],
        "password": DEMO_PASSWORD,
        "age_confirmed": "y",
        "accept_terms": "y",
    }
    response = client.post("/account/register", data=form)
    assert response.status_code == 422
    assert REFUSAL in response.get_data(as_text=True)
    assert db.session.scalar(select(User.id)) is None


@pytest.mark.parametrize("password", PUBLISHED)
def test_a_password_change_refuses_the_published_password(buyer_api, buyer, any_env, password):
    body = {"current_password": buyer.password, "new_password": password}
    response = buyer_api.post("/me/password", body)
    assert response.status_code == 422
    assert REFUSAL in " ".join(response.get_json()["errors"]["new_password"])
    assert buyer_api.get("/me").status_code == 200  # nothing changed, the session goes on


def test_the_password_form_refuses_the_published_password(client, buyer, any_env):
    token = sign_in_page(client, buyer)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": buyer.password,
            "new_password": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert REFUSAL in response.get_data(as_text=True)


def _reset_token(api, app, email: str) -> str:
    assert api.post("/auth/password-reset", {"email": email}).status_code == 202
    match = re.search(r"/account/reset-password/(\S+)", outbox(app)[-1])
    assert match
    return match.group(1)


def test_a_password_reset_refuses_the_published_password(api, buyer, app, any_env):
    token = _reset_token(api, app, buyer.email)
    response = api.post("/auth/password-reset/confirm", {"token": token, "password": DEMO_PASSWORD})
    assert response.status_code == 422
    assert REFUSAL in " ".join(response.get_json()["errors"]["password"])
    assert Api(api.client).sign_in(buyer.email, buyer.password)  # the old password still works


def test_the_reset_form_refuses_the_published_password(client, api, buyer, app, any_env):
    token = _reset_token(api, app, buyer.email)
    page = client.get(f"/account/reset-password/{token}").get_data(as_text=True)
    response = client.post(
        f"/account/reset-password/{token}",
        data={"csrf_token": csrf_token(page), "password": DEMO_PASSWORD},
    )
    assert response.status_code == 422
    assert REFUSAL in response.get_data(as_text=True)


def test_a_staff_account_cannot_get_the_published_password(ctx, any_env):
    with pytest.raises(ValidationFailed) as refused:
        create_staff_user(
            email="officer@tradesetu.example",
            name="Meera Iyer",
            password=DEMO_PASSWORD,
            role="grievance_officer",
        )
    assert REFUSAL in " ".join(refused.value.errors["password"])
