"""Guest one-time codes under concurrent guessing: at most one_time_codes.ATTEMPTS wrong codes are
checked, however many arrive at once, on SQLite (the embedded default, no row locks) and on
PostgreSQL alike (the `app` fixture runs both)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace import one_time_codes
from marketplace.extensions import db, limiter
from marketplace.grievances.models import GuestGrievance
from marketplace.leads.models import GuestEnquiry
from tests.conftest import Api, outbox
from tests.test_grievances import COMPLAINT
from tests.test_leads import GUEST, _enquiry, _product

GUESSES = 10  # the confirm endpoints take 10 a minute from one address


def _slowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each check of a code for a moment, so that concurrent guesses overlap: a count read
    before the check and written after it would be read alike by all of them."""
    digest: Callable[[str, str, str], str] = one_time_codes.digest

    def slow_digest(purpose: str, row_id: str, code: str) -> str:
        time.sleep(0.05)
        return digest(purpose, row_id, code)

    monkeypatch.setattr(one_time_codes, "digest", slow_digest)


def _guess_at_once(app: Flask, path: str, code: str) -> list[Any]:
    start = threading.Barrier(GUESSES)

    def guess(_: int) -> Any:
        client = Api(app.test_client())
        start.wait()
        return client.post(path, {"code": code})

    with ThreadPoolExecutor(GUESSES) as pool:
        return list(pool.map(guess, range(GUESSES)))


def _checked(responses: list[Any]) -> int:
    """How many guesses were compared with the code (each wrong one says 'not right')."""
    assert {response.status_code for response in responses} == {422}, [
        (response.status_code, response.get_json()) for response in responses
    ]
    messages = [response.get_json()["errors"]["code"][0] for response in responses]
    assert all("not right" in m or "too many wrong codes" in m for m in messages), messages
    return sum("not right" in message for message in messages)


def test_concurrent_wrong_codes_for_a_guest_enquiry_are_capped(
    app, ctx, api, supplier, categories, monkeypatch
):
    product_id = _product(supplier)
    started = api.post("/enquiries/guest", {**GUEST, **_enquiry(product_id)})
    assert started.status_code == 202, started.get_json()
    verification = started.get_json()["verification_id"]
    code = re.search(r"\b(\d{6})\b", outbox(app, "sms")[-1]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    _slowed(monkeypatch)

    responses = _guess_at_once(app, f"/enquiries/guest/{verification}/confirm", wrong)

    assert _checked(responses) == one_time_codes.ATTEMPTS
    db.session.expire_all()
    attempts = db.session.scalar(select(GuestEnquiry.attempts))
    assert attempts == one_time_codes.ATTEMPTS
    limiter.reset()  # the guesses used up the address's minute
    refused = api.post(f"/enquiries/guest/{verification}/confirm", {"code": code})
    assert "too many wrong codes" in refused.get_json()["errors"]["code"][0]


def test_concurrent_wrong_codes_for_a_guest_complaint_are_capped(app, ctx, api, monkeypatch):
    started = api.post(
        "/grievances", {**COMPLAINT, "name": "Ravi Kumar", "email": "ravi@example.in"}
    )
    assert started.status_code == 202, started.get_json()
    verification = started.get_json()["verification_id"]
    code = re.search(r"\b(\d{6})\b", outbox(app)[-1]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    _slowed(monkeypatch)

    responses = _guess_at_once(app, f"/grievances/guest/{verification}/confirm", wrong)

    assert _checked(responses) == one_time_codes.ATTEMPTS
    db.session.expire_all()
    assert db.session.scalar(select(GuestGrievance.attempts)) == one_time_codes.ATTEMPTS
    limiter.reset()  # the guesses used up the address's minute
    refused = api.post(f"/grievances/guest/{verification}/confirm", {"code": code})
    assert "too many wrong codes" in refused.get_json()["errors"]["code"][0]
