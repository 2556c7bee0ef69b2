"""Privacy and complaints in Hindi: a complaint keeps the language it was written in (the desk
shows it, the complainant's mails go out in it), the published notices in Hindi state the same
periods as the English ones, drawn from the same rules, and privacy requests and their
refusals read in Hindi."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from marketplace import locations
from marketplace.extensions import db
from marketplace.grievances import notices
from marketplace.grievances.models import Grievance
from marketplace.i18n import in_language
from marketplace.legal_rules import RULES, Unit, periods_not_held, stated_periods
from tests import factories
from tests.conftest import csrf_token, outbox, sign_in_page

COMPLAINT = {
    "category": "fraud",
    "subject": "सप्लायर एडवांस लेकर गायब",
    "description": "मैंने 200 किलो पाइप के लिए 20,000 रुपये एडवांस दिए और सप्लायर ने फ़ोन उठाना बंद कर दिया।",
}
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.fixture()
def officer(ctx):
    return factories.staff("grievance_officer")


def _in_hindi(browser):
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "hi"
    return browser


def _subjects(app) -> list[str]:
    return [mail.split("\n", 2)[1] for mail in outbox(app)]


# --- a complaint keeps its language -----------------------------------------------------------


def test_a_complaint_filed_in_hindi_is_stored_with_its_language_and_the_desk_shows_it(
    app, buyer, officer
):
    browser = _in_hindi(app.test_client())
    token = sign_in_page(browser, buyer)
    form = browser.get("/grievances/new").get_data(as_text=True)
    assert "शिकायत दर्ज करें" in form and "24 घंटे" in form and "15 दिन" in form
    filed = browser.post(
        "/grievances/new", data={"csrf_token": token, **COMPLAINT}, follow_redirects=True
    )
    assert filed.status_code == 200
    with app.app_context():
        grievance = db.session.scalar(select(Grievance))
        grievance_id, reference, language = grievance.id, grievance.reference, grievance.language
    assert language == "hi"
    assert f"आपकी शिकायत {reference} मिल गई है।" in filed.get_data(as_text=True)
    # The acknowledgement goes out in the language the complaint was written in.
    assert f"Subject: आपकी शिकायत {reference} मिल गई है" in _subjects(app)

    desk = app.test_client()  # the officer reads the portal in English
    desk_token = sign_in_page(desk, officer)
    page = desk.get(f"/desk/grievances/{grievance_id}").get_data(as_text=True)
    shown = re.search(r'<dd id="complaint-language" lang="(\w+)">([^<·]*)', page)
    assert shown and (shown[1], shown[2].strip()) == ("hi", "हिन्दी")
    assert "reply in this language" in page  # the officer reads English, the complainant not
    assert COMPLAINT["description"] in page  # read as written
    queue = desk.get("/desk").get_data(as_text=True)
    assert re.search(r'class="badge complaint-language" lang="hi">हिन्दी<', queue)
    assert 'lang="hi">हिन्दी</td>' in desk.get("/desk/grievances").get_data(as_text=True)

    # The officer writes in English pages; the complainant's reply mail is in Hindi.
    replied = desk.post(
        f"/desk/grievances/{grievance_id}",
        data={"csrf_token": desk_token, "status": "resolved", "response": "पैसा वापस करा दिया।"},
    )
    assert replied.status_code == 302
    assert f"Subject: आपकी शिकायत {reference} पर अपडेट" in _subjects(app)


def test_a_complaint_filed_in_english_stays_english(app, buyer, buyer_api):
    filed = buyer_api.post("/grievances", COMPLAINT)
    assert filed.status_code == 201, filed.get_json()
    with app.app_context():
        assert db.session.scalar(select(Grievance.language)) == "en"
    assert f"Subject: Your complaint {filed.get_json()['reference']} has been received" in (
        _subjects(app)
    )


def test_a_complaints_refusals_come_back_in_hindi(app, buyer):
    browser = _in_hindi(app.test_client())
    token = sign_in_page(browser, buyer)
    refused = browser.post(
        "/grievances/new",
        data={"csrf_token": token, **COMPLAINT, "related_kind": "order", "related_id": "999"},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "कृपया नीचे निशान लगे फ़ील्ड ठीक करें।" in page and "आपका ऐसा कोई ऑर्डर नहीं है" in page


# --- the notices: the same periods, from the same rules -----------------------------------------


def _notice_text(html: str) -> str:
    article = re.search(r'<article class="card notice">(.*?)</article>', html, re.S)
    assert article, "no notice on the page"
    return re.sub(r"<[^>]+>", " ", article.group(1))


def _periods(text: str) -> Counter[tuple[int, Unit]]:
    return Counter((number, unit) for _phrase, number, unit in stated_periods(text))


@pytest.mark.parametrize("path", ["/notices/privacy", "/notices/terms"])
def test_the_notices_in_hindi_state_the_same_periods_as_the_english_ones(client, path):
    english = _notice_text(client.get(path, headers={"Accept-Language": "en"}).get_data(True))
    hindi = _notice_text(client.get(path, headers={"Accept-Language": "hi"}).get_data(True))
    assert not DEVANAGARI.search(english)
    assert len(DEVANAGARI.findall(hindi)) > len(hindi) / 3  # Hindi, not English with a title
    assert _periods(english) and _periods(hindi) == _periods(english)
    assert periods_not_held(english) == [] and periods_not_held(hindi) == []


@pytest.mark.parametrize("english", [notices.PRIVACY_NOTICE, notices.TERMS])
def test_the_hindi_notices_name_the_same_rules_and_write_no_period_by_hand(english):
    hindi = notices.translated(english, "hi")
    assert hindi != english and (locations.NOTICES / hindi).is_file()
    references = re.compile(r"\{(?:rule|period|rules):[a-z_]+\}")
    sources = [(locations.NOTICES / name).read_text(encoding="utf-8") for name in (english, hindi)]
    assert Counter(references.findall(sources[0])) == Counter(references.findall(sources[1]))
    for source in sources:  # every period comes from a rule, in either language
        assert stated_periods(references.sub(" ", source)) == []


def test_every_rule_reads_the_same_period_in_hindi(app):
    with app.test_request_context():
        for rule in RULES.values():
            english = rule.sentence
            with in_language("hi"):
                hindi, period = rule.sentence, rule.period
            assert DEVANAGARI.search(hindi) and period in hindi, rule.key
            assert _periods(hindi) == _periods(english), rule.key


# --- privacy requests in Hindi ------------------------------------------------------------------


def test_privacy_requests_and_their_refusals_in_hindi(app, buyer):
    browser = _in_hindi(app.test_client())
    sign_in_page(browser, buyer)
    page = browser.get("/privacy/").get_data(as_text=True)
    with app.test_request_context(), in_language("hi"):
        due = RULES["privacy_request"].period
    assert due == "90 दिन"
    assert "निजता सेटिंग्स" in page and f"हम ज़्यादा से ज़्यादा {due} में जवाब देते हैं" in page
    token = csrf_token(page)
    wrong = browser.post(
        "/privacy/requests",
        data={"csrf_token": token, "type": "access", "password": "not-it-at-all"},
    )
    assert "यह आपका पासवर्ड नहीं है।" in wrong.get_data(as_text=True)
    missing = browser.post("/privacy/requests", data={"csrf_token": token, "type": "access"})
    assert "अनुरोध की पुष्टि के लिए आपका पासवर्ड ज़रूरी है" in missing.get_data(as_text=True)
    made = browser.post(
        "/privacy/requests",
        data={
            "csrf_token": token,
            "type": "objection",
            "purpose": "security",
            "reason": "मुझे यह नहीं चाहिए",
            "password": buyer.password,
        },
        follow_redirects=True,
    )
    assert re.search(r"अनुरोध #\d+ मिल गया", made.get_data(as_text=True))


def test_the_api_answers_a_privacy_request_in_the_readers_language(api, buyer):
    hindi = api.sign_in(buyer.email)
    wrong = {"type": "deletion", "password": "not-it-at-all"}
    refused = hindi.post("/privacy/requests", wrong, headers={"Accept-Language": "hi"})
    assert refused.status_code in (401, 403, 422)
    assert "यह आपका पासवर्ड नहीं है।" in str(refused.get_json())
    english = hindi.post("/privacy/requests", wrong)
    assert "That is not your password." in str(english.get_json())
