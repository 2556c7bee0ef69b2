"""Passwords longer than zxcvbn's 72 characters (up to the portal's 128) are judged like any
other, wherever a password is chosen: a strong passphrase is taken, a weak or too long one is a
422 naming the field, never a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.accounts.identity import PASSWORD_MAX_LENGTH
from marketplace.accounts.models import User
from marketplace.accounts.staff import create_staff_user
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from tests import factories
from tests.conftest import Api, outbox

# 73, 100 and 128 characters of a passphrase no list holds.
PASSPHRASE = (
    "Kesar mangoes reach Vashi at dawn; 14 crates for Rajkot, 9 for Indore & the rest wait "
    "by the weighbridge near gate 3!"
)
STRONG = [PASSPHRASE[:73], PASSPHRASE[:100], PASSPHRASE[:PASSWORD_MAX_LENGTH]]
WEAK = "a" * 100  # long, and guessable at once
TOO_LONG = PASSPHRASE + "x" * (PASSWORD_MAX_LENGTH + 1 - len(PASSPHRASE))


def _refusal(response, field: str) -> str:
    assert response.status_code == 422, response.get_json()
    return " ".join(response.get_json()["errors"][field])


@pytest.mark.parametrize("password", STRONG)
def test_registration_takes_a_long_strong_passphrase(api, ctx, password):
    assert len(password) > 72
    registration = factories.registration("buyer", password=password)
    assert api.post("/accounts", registration).status_code == 201
    assert Api(api.client).sign_in(registration["email"], password).get("/me").status_code == 200


@pytest.mark.parametrize(("password", "said"), [(WEAK, "too weak"), (TOO_LONG, "at most 128")])
def test_registration_refuses_a_long_weak_or_too_long_password(api, ctx, password, said):
    response = api.post("/accounts", factories.registration("buyer", password=password))
    assert said in _refusal(response, "password")
    assert db.session.scalar(select(User.id)) is None


@pytest.mark.parametrize(("password", "status"), [(STRONG[1], 204), (WEAK, 422), (TOO_LONG, 422)])
def test_a_password_change_judges_long_passwords(buyer_api, buyer, password, status):
    body = {"current_password": buyer.password, "new_password": password}
    response = buyer_api.post("/me/password", body)
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert _refusal(response, "new_password")


@pytest.mark.parametrize(("password", "status"), [(STRONG[2], 204), (WEAK, 422), (TOO_LONG, 422)])
def test_a_password_reset_judges_long_passwords(api, buyer, app, password, status):
    assert api.post("/auth/password-reset", {"email": buyer.email}).status_code == 202
    token = re.search(r"/account/reset-password/(\S+)", outbox(app)[-1]).group(1)
    response = api.post("/auth/password-reset/confirm", {"token": token, "password": password})
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert _refusal(response, "password")


def test_a_staff_account_judges_long_passwords(ctx):
    create_staff_user(
        email="officer@tradesetu.example", name="Meera Iyer", password=STRONG[1], role="admin"
    )
    with pytest.raises(ValidationFailed) as refused:
        create_staff_user(
            email="admin@tradesetu.example", name="Ravi Menon", password=WEAK, role="admin"
        )
    assert "too weak" in " ".join(refused.value.errors["password"])
