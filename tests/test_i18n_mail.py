"""Every mail and SMS is written in its recipient's language: an account's own, a guest's the
language of the request they made; never the language of whoever's request or task sends it."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from babel.dates import format_date
from flask_babel import lazy_gettext
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.notifications import send_email, send_sms
from tests import factories
from tests.conftest import outbox
from tests.test_leads import GUEST, _enquiry, _product

HINDI = {"Accept-Language": "hi"}


def _reads(user_id: int, code: str | None) -> None:
    db.session.get_one(User, user_id).language = code
    commit()


def _mail_to(app, address: str) -> str:
    """The last mail to this address (a supplier's first is the mail verifying its address)."""
    mails = [mail for mail in outbox(app) if f"To: {address}\n" in mail]
    assert mails, outbox(app)
    return mails[-1]


def _sms_to(app, phone: str) -> str:
    texts = [json.loads(sms) for sms in outbox(app, "sms")]
    found = [sms["text"] for sms in texts if sms["to"] == phone]
    assert len(found) == 1, texts
    return found[0]


def test_the_new_lead_mail_and_sms_reach_each_supplier_in_their_own_language(
    app, ctx, buyer_api, categories
):
    hindi, english = factories.supplier(), factories.supplier()
    _reads(hindi.id, "hi")
    for supplier in (hindi, english):
        sent = buyer_api.post("/enquiries", _enquiry(_product(supplier)))
        assert sent.status_code == 201, sent.get_json()

    mail = _mail_to(app, hindi.email)
    assert "Subject: नई पूछताछ: SS 304 Seamless Pipe" in mail
    assert "ने SS 304 Seamless Pipe के बारे में पूछताछ भेजी है।" in mail
    assert "मात्रा: 500" in mail and "sent an enquiry" not in mail
    sms = _sms_to(app, hindi.phone)
    assert sms.startswith("TradeSetu: SS 304 Seamless Pipe 500") and "नई पूछताछ" in sms

    mail = _mail_to(app, english.email)
    assert "Subject: New enquiry: SS 304 Seamless Pipe" in mail
    assert "sent an enquiry about SS 304 Seamless Pipe." in mail
    assert not re.search("[\u0900-\u097f]", mail)  # not a Devanagari letter
    assert _sms_to(app, english.phone).startswith("TradeSetu: new enquiry for SS 304")


def test_a_mail_from_a_task_is_in_the_recipients_language_not_the_senders(
    app, ctx, api, categories
):
    """The new-enquiry notice is a Celery task (inline here, right after the buyer's commit,
    inside the buyer's request): a buyer reading Hindi writes to a supplier reading English."""
    supplier = factories.supplier()
    buyer = factories.buyer()
    _reads(buyer.id, "hi")
    buyer_api = api.sign_in(buyer.email)
    sent = buyer_api.post("/enquiries", _enquiry(_product(supplier)), headers=HINDI)
    assert sent.status_code == 201, sent.get_json()

    mail = _mail_to(app, supplier.email)
    assert "Subject: New enquiry: SS 304 Seamless Pipe" in mail
    assert not re.search("[\u0900-\u097f]", mail)
    assert "new enquiry for" in _sms_to(app, supplier.phone)


def test_a_guest_who_enquired_in_hindi_gets_the_code_and_the_account_mail_in_hindi(
    app, ctx, api, supplier, categories
):
    started = api.post("/enquiries/guest", {**GUEST, **_enquiry(_product(supplier))}, headers=HINDI)
    assert started.status_code == 202, started.get_json()
    sms = json.loads(outbox(app, "sms")[-1])["text"]
    assert "अपनी पूछताछ भेजने के लिए आपका TradeSetu कोड" in sms
    code = re.search(r"\b(\d{6})\b", sms).group(1)

    verification = started.get_json()["verification_id"]
    confirmed = api.post(f"/enquiries/guest/{verification}/confirm", {"code": code}, headers=HINDI)
    assert confirmed.status_code == 201, confirmed.get_json()
    mail = _mail_to(app, GUEST["email"])
    assert "Subject: आपका TradeSetu अकाउंट: पासवर्ड चुनें" in mail
    assert "नमस्ते Ravi Kumar," in mail and "choose a password" not in mail.lower()
    # The account keeps the language, so later mails (a supplier's reply) read the same.
    assert db.session.scalar(select(User.language).where(User.email == GUEST["email"])) == "hi"


def test_a_person_registering_in_hindi_gets_the_verification_mail_in_hindi(app, ctx, api):
    data = factories.registration("buyer")
    assert api.post("/accounts", data, headers=HINDI).status_code == 201
    mail = _mail_to(app, data["email"])
    assert "Subject: अपने ईमेल पते की पुष्टि करें" in mail
    assert "आपका ईमेल पता है" in mail and "Please confirm" not in mail

    english = factories.registration("buyer")
    assert api.post("/accounts", english).status_code == 201
    assert "Subject: Confirm your email address" in _mail_to(app, english["email"])
    assert db.session.scalar(select(User.language).where(User.email == english["email"])) is None


def test_money_and_dates_in_a_hindi_mail_are_formatted_in_hi_in(app):
    """Sent from an English request: the recipient's language decides, not the request's."""
    requirement = SimpleNamespace(
        state="Maharashtra",
        quantity=Decimal("500"),
        unit="kg",
        budget=Decimal("600000"),
        expires_at=date(2026, 12, 21),
    )
    words = {"city": "Pune", "product_name": "Cement", "description": ""}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for language in ("hi", "en"):
            send_email(
                f"{language}@example.in",
                lazy_gettext("New BuyLead: %(product)s in %(city)s", product="Cement", city="Pune"),
                "new_buylead",
                language=language,
                requirement=requirement,
                words=words,
                link="https://tradesetu.example/buyleads",
            )
        commit()
    hindi, english = _mail_to(app, "hi@example.in"), _mail_to(app, "en@example.in")

    assert "Subject: नई BuyLead: Pune में Cement" in hindi
    assert "(बजट ₹6,00,000)" in hindi  # lakh grouping
    day = format_date(date(2026, 12, 21), "d MMM y", locale="hi_IN")
    assert day != "21 Dec 2026" and f"यह {day} तक खुली है" in hindi
    assert "(budget ₹6,00,000)" in english and "open until 21 Dec 2026" in english


def test_an_sms_left_without_a_language_reads_as_the_request_and_a_given_one_as_given(app):
    text = lazy_gettext("Your password was changed")
    with app.test_request_context(headers=HINDI):
        send_sms("+919800000001", text)
        send_sms("+919800000002", text, language="en")
        send_sms("+919800000003", text, language=None)  # an account that never chose: English
        commit()
    sent = {sms["to"]: sms["text"] for sms in map(json.loads, outbox(app, "sms"))}
    assert sent == {
        "+919800000001": "आपका पासवर्ड बदल दिया गया",
        "+919800000002": "Your password was changed",
        "+919800000003": "Your password was changed",
    }
