"""Accounts in Hindi: a supplier registers, signs in and reads the audit log in Hindi, the
refusals (a bad GSTIN, PAN or mobile, a field left empty, a wrong password) come back in Hindi,
and a chosen language stays with the account across signing out and in again."""

from __future__ import annotations

import html

from marketplace import audit, audit_sentences
from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.conftest import csrf_token, sign_in_page

HINDI = {"Accept-Language": "hi"}


def _lang(page: str) -> str:
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def _text(page: str) -> str:
    return html.unescape(page)


def _bad_supplier(token: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "name": "",
        "email": "asha.hindi@example.in",
        "phone": "12345",
        "password": "kela-tamatar-aloo-pyaz",
        "company_name": "Rao Steels",
        "gstin": "27ABC",
        "pan": "ABC",
        "address_line1": "Plot 4, MIDC",
        "address_city": "Pune",
        "address_state": "Maharashtra",
        "address_pincode": "411019",
        "age_confirmed": "y",
        "accept_terms": "y",
    }


def test_supplier_registration_reads_in_hindi(client):
    page = _text(client.get("/account/register/supplier", headers=HINDI).text)
    assert _lang(page) == "hi-IN"
    for words in ("अपना बिज़नेस रजिस्टर करें", "बिज़नेस का रजिस्टर्ड नाम", "मोबाइल नंबर", "पिन कोड"):
        assert words in page
    assert "Registered business name" not in page and "Your full name" not in page


def test_a_bad_gstin_pan_and_mobile_are_refused_in_hindi(client):
    token = csrf_token(client.get("/account/register/supplier", headers=HINDI).text)
    answer = client.post("/account/register/supplier", data=_bad_supplier(token), headers=HINDI)
    assert answer.status_code == 422
    page = _text(answer.text)
    assert "GSTIN में 15 अक्षर होते हैं; इसमें 5 हैं" in page
    assert "PAN में 10 अक्षर होते हैं; इसमें 3 हैं" in page
    assert "10 अंकों का भारतीय मोबाइल नंबर डालें, जैसे +91 98765 43210" in page
    assert "यह भरना ज़रूरी है।" in page  # the shared "this field is required", read at display
    for english in ("a GSTIN has 15", "a PAN has 10", "enter a 10-digit", "this field is required"):
        assert english not in page.lower()


def test_the_same_refusals_stay_english_for_an_english_reader(client):
    english = {"Accept-Language": "en-IN"}
    token = csrf_token(client.get("/account/register/supplier", headers=english).text)
    answer = client.post("/account/register/supplier", data=_bad_supplier(token), headers=english)
    page = _text(answer.text)
    assert "A GSTIN has 15 characters; this one has 5." in page
    assert "This field is required." in page
    assert "GSTIN में" not in page


def test_a_wrong_password_is_refused_in_hindi(client, buyer):
    token = csrf_token(client.get("/account/sign-in", headers=HINDI).text)
    answer = client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": buyer.email, "password": "not-the-password-at-all"},
        headers=HINDI,
    )
    assert answer.status_code == 401
    page = _text(answer.text)
    assert "ईमेल या पासवर्ड सही नहीं है।" in page
    assert "पासवर्ड भूल गए?" in page
    assert "The email or password is not correct." not in page


def test_the_choice_of_hindi_stays_with_the_account_across_sign_out_and_in(ctx, app, buyer):
    client = app.test_client()
    token = sign_in_page(client, buyer)
    client.post("/language", data={"csrf_token": token, "language": "hi"})
    client.post("/account/sign-out", data={"csrf_token": token})
    client.delete_cookie("lang")  # the next sign-in may be from another device
    english = {"Accept-Language": "en-IN"}
    signed_out = client.get("/account/sign-in", headers=english).text
    assert _lang(signed_out) == "en-IN"  # a guest again: the browser decides
    sign_in_page(client, buyer)
    profile = _text(client.get("/account/", headers=english).text)
    assert _lang(profile) == "hi-IN"
    assert "आपकी जानकारी" in profile and "पासवर्ड बदलें" in profile
    assert db.session.get(User, buyer.id).language == "hi"


def test_the_audit_log_reads_in_hindi_and_stores_the_action_only(ctx, app):
    officer = factories.staff("grievance_officer")
    buyer = factories.buyer()
    audit.record(
        "role.granted", actor_id=officer.id, subject=db.session.get(User, buyer.id), role="buyer"
    )
    commit()
    client = app.test_client()
    sign_in_page(client, officer)
    page = _text(client.get("/account/audit?action=role.granted", headers=HINDI).text)
    assert "Meera Iyer (अधिकारी) ने अकाउंट 'Asha Rao' को खरीदार बनाया।" in page
    rows, _total = audit.recent_events(action="role.granted")
    assert rows[0].action == "role.granted" and rows[0].details == {"role": "buyer"}
    english = audit_sentences.read(rows)[0].text  # outside a Hindi request: English
    assert english == "Meera Iyer (officer) made the account of 'Asha Rao' a buyer."


def test_a_refusal_names_what_was_refused_in_hindi_too(client, buyer):
    """'Only suppliers can …': the refused action is a Hindi phrase inside the Hindi sentence."""
    sign_in_page(client, buyer)
    page = client.get("/credits", headers={"Accept-Language": "hi"})
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 403
    assert "क्रेडिट खरीदना" in text and "buy credits" not in text
