"""The grievance desk's mails in their recipient's language: an appeal reaches each officer in
the officer's, a breach notice each person in their account's (English without one), a deadline
warning from beat each officer in theirs with the deadline named in it; a guest's complaint
keeps the language it was written in, and the reply states the appeal window from the rules."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.grievances import desk_items, filing
from marketplace.grievances.inputs import GrievanceIn
from marketplace.grievances.models import Grievance
from marketplace.i18n import in_language
from marketplace.legal_rules import RULES
from tests import factories
from tests.conftest import outbox
from tests.test_takedown_and_breach_notice import BREACH, NOTICE

HINDI = {"Accept-Language": "hi"}
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
T0 = datetime(2026, 11, 2, 4, 30, tzinfo=UTC)
COMPLAINT = {
    "category": "fraud",
    "subject": "Supplier took an advance and vanished",
    "description": "I paid an advance of Rs 20,000 for 200 kg of pipe and nothing came.",
}


def _reads(user_id: int, code: str | None) -> None:
    db.session.get_one(User, user_id).language = code
    commit()


def _mails_to(app, address: str) -> list[str]:
    return [mail for mail in outbox(app) if f"To: {address}\n" in mail]


def _mail_to(app, address: str) -> str:
    mails = _mails_to(app, address)
    assert mails, outbox(app)
    return mails[-1]


def _decided_complaint(buyer_api, officer_api, **headers: str) -> dict:
    filed = buyer_api.post("/grievances", COMPLAINT, headers=headers)
    assert filed.status_code == 201, filed.get_json()
    grievance = filed.get_json()
    decided = officer_api.patch(
        f"/grievances/{grievance['id']}", {"status": "rejected", "response": "Not ours to judge."}
    )
    assert decided.status_code == 200, decided.get_json()
    return grievance


# --- an appeal reaches each officer in the officer's language -----------------------------------


def test_an_appeal_made_in_hindi_reaches_each_officer_in_the_officers_language(
    app, ctx, api, buyer_api
):
    english, hindi = factories.staff(), factories.staff()
    _reads(hindi.id, "hi")
    grievance = _decided_complaint(buyer_api, api.sign_in(english.email), **HINDI)
    appealed = buyer_api.post(
        f"/grievances/{grievance['id']}/appeal",
        {"reason": "मुझे एडवांस वापस चाहिए।"},
        headers=HINDI,
    )
    assert appealed.status_code == 200, appealed.get_json()
    reference = grievance["reference"]

    to_english = _mail_to(app, english.email)
    assert f"Subject: Appeal on {reference}" in to_english
    assert "The complainant has appealed the decision" in to_english
    assert not DEVANAGARI.search(to_english.replace("मुझे एडवांस वापस चाहिए।", ""))
    to_hindi = _mail_to(app, hindi.email)
    assert f"Subject: {reference} पर अपील" in to_hindi and "appealed" not in to_hindi


# --- a breach notice reaches each person in their own language ----------------------------------


def test_a_breach_notice_from_a_hindi_officer_reaches_each_person_in_their_language(app, ctx, api):
    officer = factories.staff()
    _reads(officer.id, "hi")
    officer_api = api.sign_in(officer.email)
    hindi, english = factories.buyer(), factories.buyer()
    _reads(hindi.id, "hi")
    recorded = officer_api.post(
        "/breaches", {**BREACH, "detected_at": "2026-11-02T04:30:00Z"}, headers=HINDI
    )
    assert recorded.status_code == 201, recorded.get_json()
    stranger = "no-account@example.in"
    # Upper case: the address as the officer typed it, still the account's.
    sent = officer_api.patch(
        f"/breaches/{recorded.get_json()['id']}",
        {**NOTICE, "notify_emails": [hindi.email.upper(), english.email, stranger]},
        headers=HINDI,
    )
    assert sent.status_code == 200, sent.get_json()

    to_hindi = _mail_to(app, hindi.email)
    assert "Subject: ज़रूरी: एक व्यक्तिगत डेटा उल्लंघन का असर आप पर हो सकता है" in to_hindi
    assert "may affect you" not in to_hindi
    for address in (english.email, stranger):
        mail = _mail_to(app, address)
        assert "Subject: Important: a personal data breach may affect you" in mail
        assert "Dear user," in mail and not DEVANAGARI.search(mail), address


# --- deadline warnings from beat: the officer's language, the deadline named --------------------


def test_deadline_warnings_reach_each_officer_in_their_language_naming_the_deadline(app, ctx):
    english, hindi = factories.staff(), factories.staff()
    _reads(hindi.id, "hi")
    user = db.session.get(User, factories.buyer().id)
    grievance = filing.file_grievance(user, GrievanceIn.model_validate(COMPLAINT), now=T0)
    reference = grievance.reference
    commit()
    assert desk_items.warn_deadlines(now=T0 + timedelta(hours=18, minutes=30)) == 1
    commit()

    soon_hindi = _mail_to(app, hindi.email)
    assert f"Subject: जल्द ही: {reference} को पावती देने की समय-सीमा\n" in soon_hindi
    assert "acknowledge" not in soon_hindi and "Due soon" not in soon_hindi
    soon_english = _mail_to(app, english.email)
    assert f"Subject: Due soon: the deadline to acknowledge {reference}\n" in soon_english
    assert not DEVANAGARI.search(soon_english)

    # Overdue: the 15 days to resolve have passed (and the 24 hours, warned once already).
    assert desk_items.warn_deadlines(now=T0 + timedelta(days=16)) == 1
    commit()
    late_hindi = _mail_to(app, hindi.email)
    assert f"Subject: समय निकल गया: {reference} को निपटाने की समय-सीमा\n" in late_hindi
    assert "resolve" not in late_hindi
    late_english = _mail_to(app, english.email)
    assert f"Subject: Overdue: the deadline to resolve {reference}\n" in late_english


# --- a guest's complaint keeps the language it was written in ----------------------------------


def _guest_code(app, address: str) -> str:
    return re.search(r"\b(\d{6})\b", _mail_to(app, address)).group(1)


def test_a_guests_complaint_written_in_hindi_stays_hindi_when_confirmed_from_an_english_page(
    app, api
):
    address = "ravi@example.in"
    started = api.post(
        "/grievances", {**COMPLAINT, "name": "Ravi Kumar", "email": address}, headers=HINDI
    )
    assert started.status_code == 202, started.get_json()
    assert "Subject: आपकी शिकायत की पुष्टि का कोड" in _mail_to(app, address)
    verification = started.get_json()["verification_id"]
    confirm = f"/grievances/guest/{verification}/confirm"
    filed = api.post(
        confirm, {"code": _guest_code(app, address)}, headers={"Accept-Language": "en"}
    )
    assert filed.status_code == 201, filed.get_json()

    with app.app_context():
        assert db.session.scalar(select(Grievance.language)) == "hi"
    reference = filed.get_json()["reference"]
    assert f"Subject: आपकी शिकायत {reference} मिल गई है" in _mail_to(app, address)


def test_a_guests_complaint_written_in_english_stays_english_when_confirmed_in_hindi(app, api):
    address = "asha@example.in"
    started = api.post("/grievances", {**COMPLAINT, "name": "Asha Rao", "email": address})
    assert started.status_code == 202, started.get_json()
    verification = started.get_json()["verification_id"]
    confirm = f"/grievances/guest/{verification}/confirm"
    filed = api.post(confirm, {"code": _guest_code(app, address)}, headers=HINDI)
    assert filed.status_code == 201, filed.get_json()
    with app.app_context():
        assert db.session.scalar(select(Grievance.language)) == "en"
    assert f"Subject: Your complaint {filed.get_json()['reference']} has been received" in (
        _mail_to(app, address)
    )


# --- the reply states the appeal window from the rules ------------------------------------------


def test_the_reply_states_the_appeal_window_from_the_rules_in_either_language(
    app, ctx, api, monkeypatch
):
    """The window set to 45 days: the reply must say so, in English and in Hindi, twice (the
    appeal here and the Grievance Appellate Committee), with no 30 days written by hand."""
    longer = dataclasses.replace(RULES["appeal_window"], value=45)
    monkeypatch.setitem(RULES, "appeal_window", longer)
    with app.test_request_context():
        english_period = longer.period
        with in_language("hi"):
            hindi_period = longer.period
    assert (english_period, hindi_period) == ("45 days", "45 दिन")
    officer_api = api.sign_in(factories.staff().email)

    hindi_buyer = factories.buyer()
    _decided_complaint(api.sign_in(hindi_buyer.email), officer_api, **HINDI)  # signed in: a link
    guest = filing.create_grievance(  # a guest: no link to the complaint's page
        filing.complaint_for(GrievanceIn.model_validate(COMPLAINT), None),
        name="Asha Rao",
        email="asha@example.in",
        user=None,
        now=datetime.now(UTC),
        language="en",
    )
    commit()
    decided = officer_api.patch(
        f"/grievances/{guest.id}", {"status": "resolved", "response": "The listing is removed."}
    )
    assert decided.status_code == 200, decided.get_json()

    hindi = _mail_to(app, hindi_buyer.email)
    assert "पर अपडेट" in hindi and "शिकायत के पेज पर 45 दिन के अंदर अपील" in hindi
    assert hindi.count(hindi_period) == 2 and "30 दिन" not in hindi
    english = _mail_to(app, "asha@example.in")
    assert "you may appeal within 45 days, and" in english
    assert english.count(english_period) == 2 and "30 days" not in english
