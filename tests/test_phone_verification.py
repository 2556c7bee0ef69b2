"""A signed-in account verifies its own mobile with a code sent by SMS (API and account page)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace import one_time_codes
from marketplace.accounts import phone_verification
from marketplace.accounts.models import User
from marketplace.accounts.phone_verification import PhoneCode
from marketplace.audit import AuditEvent
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from tests import test_buylead_reports as reports
from tests.conftest import csrf_token, outbox, sign_in_page
from tests.test_buylead_reports import _decide, _report, _requirement, _unlocked

# The fake-buyer test's fixtures: a buyer's requirements unlocked, and the officer upholding.
pipe_makers = reports.pipe_makers
officer_api = reports.officer_api

SEND = "/me/phone-verification"
CONFIRM = "/me/phone-verification/confirm"


def _code(app) -> str:
    messages = outbox(app, "sms")
    match = re.search(r"\b(\d{6})\b", json.loads(messages[-1])["text"])
    assert match, messages[-1]
    return match.group(1)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _user(registered) -> User:  # type: ignore[no-untyped-def]
    user = db.session.get(User, registered.id)
    db.session.refresh(user)
    return user


def test_the_api_sends_a_code_and_the_right_code_verifies(app, buyer_api, buyer):
    assert buyer_api.get("/me").get_json()["phone_verified"] is False
    sent = buyer_api.post(SEND)
    assert sent.status_code == 202, sent.get_json()
    sms = json.loads(outbox(app, "sms")[-1])
    assert sms["to"] == buyer.phone
    code = _code(app)
    stored = db.session.scalar(select(PhoneCode).where(PhoneCode.user_id == buyer.id))
    assert code not in stored.code_digest  # only a keyed digest is kept
    assert timedelta(minutes=9) < stored.expires_at - utcnow() <= timedelta(minutes=10)
    confirmed = buyer_api.post(CONFIRM, {"code": code})
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["phone_verified"] is True
    assert _user(buyer).phone_verified_at is not None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(buyer.id))
    ).all()
    assert "account.phone_verified" in actions
    again = buyer_api.post(CONFIRM, {"code": code})
    assert again.status_code == 409  # already verified


def test_a_wrong_code_counts_down_the_tries(app, buyer_api):
    buyer_api.post(SEND)
    wrong = _wrong(_code(app))
    first = buyer_api.post(CONFIRM, {"code": wrong})
    assert first.status_code == 422
    assert "4 attempts left" in first.get_json()["errors"]["code"][0]
    second = buyer_api.post(CONFIRM, {"code": wrong})
    assert "3 attempts left" in second.get_json()["errors"]["code"][0]


def test_five_wrong_tries_refuse_even_the_right_code(app, buyer_api, buyer):
    buyer_api.post(SEND)
    code = _code(app)
    for _ in range(one_time_codes.ATTEMPTS):
        assert buyer_api.post(CONFIRM, {"code": _wrong(code)}).status_code == 422
    locked = buyer_api.post(CONFIRM, {"code": code})
    assert locked.status_code == 422
    assert "ask for a new one" in locked.get_json()["errors"]["code"][0]
    assert _user(buyer).phone_verified_at is None


def test_an_expired_code_is_refused(app, buyer_api, buyer, monkeypatch):
    buyer_api.post(SEND)
    code = _code(app)
    later = utcnow() + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(phone_verification, "utcnow", lambda: later)
    expired = buyer_api.post(CONFIRM, {"code": code})
    assert expired.status_code == 422
    assert "expired" in expired.get_json()["errors"]["code"][0]
    assert _user(buyer).phone_verified_at is None


def test_a_new_code_replaces_the_old_one(app, buyer_api, buyer):
    buyer_api.post(SEND)
    old = _code(app)
    buyer_api.post(SEND)
    new = _code(app)
    count = db.session.scalar(select(func.count()).where(PhoneCode.user_id == buyer.id))
    assert count == 1
    if old != new:
        assert buyer_api.post(CONFIRM, {"code": old}).status_code == 422
    assert buyer_api.post(CONFIRM, {"code": new}).status_code == 200


def test_sending_is_rate_limited(buyer_api):
    answers = [buyer_api.post(SEND).status_code for _ in range(4)]
    assert answers == [202, 202, 202, 429]


def test_no_phone_means_no_code(app, buyer_api, buyer):
    user = _user(buyer)
    user.phone = None
    user.phone_digest = None
    commit()
    refused = buyer_api.post(SEND)
    assert refused.status_code == 409
    assert "no mobile number" in refused.get_json()["detail"]
    assert outbox(app, "sms") == []


def test_an_already_verified_mobile_gets_no_code(app, buyer_api, buyer):
    user = _user(buyer)
    user.phone_verified_at = utcnow()
    commit()
    refused = buyer_api.post(SEND)
    assert refused.status_code == 409
    assert "already verified" in refused.get_json()["detail"]
    assert outbox(app, "sms") == []


def test_confirming_without_asking_says_to_ask(buyer_api):
    refused = buyer_api.post(CONFIRM, {"code": "123456"})
    assert refused.status_code == 409
    assert "ask for a new code" in refused.get_json()["detail"]


@pytest.mark.parametrize("body", [{}, {"code": 123456}, {"code": None}, {"code": ["1"]}])
def test_bad_input_names_the_code(buyer_api, body):
    buyer_api.post(SEND)
    refused = buyer_api.post(CONFIRM, body)
    assert refused.status_code == 422, refused.get_json()
    assert "code" in refused.get_json()["errors"]


def test_changing_the_phone_clears_the_verification(app, buyer_api, buyer):
    buyer_api.post(SEND)
    buyer_api.post(CONFIRM, {"code": _code(app)})
    assert _user(buyer).phone_verified_at is not None
    changed = buyer_api.patch(
        "/me", {"phone": "+91 99887 76655", "current_password": buyer.password}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["phone_verified"] is False
    assert _user(buyer).phone_verified_at is None


def test_changing_the_phone_drops_a_waiting_code(app, buyer_api, buyer):
    buyer_api.post(SEND)
    code = _code(app)
    buyer_api.patch("/me", {"phone": "+91 99887 76655", "current_password": buyer.password})
    refused = buyer_api.post(CONFIRM, {"code": code})
    assert refused.status_code == 409
    assert _user(buyer).phone_verified_at is None


def test_a_verified_mobile_lifts_the_fake_buyer_refusal(
    app,
    api,
    buyer_api,
    pipe_makers,
    officer_api,
):
    for _ in range(2):
        requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
        _decide(officer_api, _report(api, pipe_makers[0], requirement_id).get_json()["id"])
    refused = buyer_api.post("/requirements", _requirement())
    assert refused.status_code == 403
    assert "Verify your mobile" in refused.get_json()["detail"]
    buyer_api.post(SEND)
    assert buyer_api.post(CONFIRM, {"code": _code(app)}).status_code == 200
    assert buyer_api.post("/requirements", _requirement()).status_code == 201


def test_the_account_page_sends_and_confirms(app, client, buyer):
    token = sign_in_page(client, buyer)
    page = client.get("/account/").get_data(as_text=True)
    assert "Verify your mobile" in page
    sent = client.post("/account/phone-verification", data={"csrf_token": token})
    assert sent.status_code == 302
    code = _code(app)
    wrong = client.post(
        "/account/phone-verification/confirm", data={"csrf_token": token, "code": _wrong(code)}
    )
    assert wrong.status_code == 422
    assert "4 attempts left" in wrong.get_data(as_text=True)
    right = client.post(
        "/account/phone-verification/confirm",
        data={"csrf_token": token, "code": code},
        follow_redirects=True,
    )
    assert right.status_code == 200
    assert "your mobile number is verified" in right.get_data(as_text=True)
    assert _user(buyer).phone_verified_at is not None


def test_the_page_refuses_a_form_without_csrf(app, client, buyer):
    sign_in_page(client, buyer)
    assert client.post("/account/phone-verification").status_code == 400
    assert outbox(app, "sms") == []
    refused = client.post("/account/phone-verification/confirm", data={"code": "123456"})
    assert refused.status_code == 400


def test_the_page_flashes_when_there_is_no_code_waiting(client, buyer):
    token = sign_in_page(client, buyer)
    answer = client.post(
        "/account/phone-verification/confirm",
        data={"csrf_token": token, "code": "123456"},
        follow_redirects=True,
    )
    assert "ask for a new code" in answer.get_data(as_text=True)
    assert csrf_token(answer.get_data(as_text=True))
