"""The language a person reads: chosen with the switcher (kept on the account and in a cookie),
else the browser's Accept-Language; Babel's Indian locales format days and money in it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from marketplace import formatting, i18n
from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.conftest import csrf_token, sign_in_page


def _lang(page: str) -> str:
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("hi-IN,hi;q=0.9,en;q=0.8", "hi-IN"),
        ("hi", "hi-IN"),
        ("en-GB,en;q=0.9", "en-IN"),
        ("ta-IN,ta;q=0.9", "en-IN"),  # a language not offered yet: English
        ("", "en-IN"),
    ],
)
def test_the_browser_language_decides_until_a_person_chooses(client, header, expected):
    assert _lang(client.get("/", headers={"Accept-Language": header}).text) == expected


def test_a_guest_choice_is_kept_in_a_cookie_over_the_browsers(client):
    home = client.get("/").text
    answer = client.post(
        "/language",
        data={"csrf_token": csrf_token(home), "language": "hi", "next": "/categories/"},
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/categories/"
    assert "lang=hi" in answer.headers["Set-Cookie"]
    page = client.get("/", headers={"Accept-Language": "en"}).text
    assert _lang(page) == "hi-IN"
    # the switcher offers the other language, named in that language
    assert 'lang="en"' in page and ">English</button>" in page


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"language": "fr"}, "a language not offered"),
        ({"language": ""}, "no language"),
    ],
)
def test_a_bad_choice_changes_nothing(client, form, why):
    home = client.get("/").text
    answer = client.post(
        "/language", data=dict(form, next="//evil.example/", csrf_token=csrf_token(home))
    )
    assert answer.status_code == 302, why
    assert answer.headers["Location"] == "/"  # never off the site
    assert "lang=" not in answer.headers.get("Set-Cookie", ""), why


def test_a_choice_without_the_forms_token_is_refused(client):
    answer = client.post("/language", data={"language": "hi"})
    assert answer.status_code == 400 and "lang=" not in answer.headers.get("Set-Cookie", "")


def test_a_signed_in_choice_is_kept_on_the_account(ctx, client, buyer):
    token = sign_in_page(client, buyer)
    client.post("/language", data={"csrf_token": token, "language": "hi"})
    assert db.session.get(User, buyer.id).language == "hi"
    client.delete_cookie("lang")  # another device: the account remembers
    assert _lang(client.get("/", headers={"Accept-Language": "en"}).text) == "hi-IN"


def test_days_and_money_in_each_locale(app):
    moment = datetime(2026, 12, 21, 11, 33, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "hi"}):
        assert formatting.ist_date(date(2026, 12, 21)) == "21 दिस॰ 2026"
        assert formatting.money("600000") == "₹6,00,000"
        assert formatting.rupees("12345678.5") == "₹1,23,45,678.50"
    with app.test_request_context(headers={"Accept-Language": "en-IN"}):
        assert formatting.ist_moment(moment) == "21 Dec 2026, 5:03 PM IST"
    with app.app_context(), i18n.in_language("hi"):
        assert formatting.ist_date(date(2026, 12, 21)) == "21 दिस॰ 2026"  # a Hindi reader's mail


@pytest.mark.parametrize(
    ("given", "known"),
    [("hi", "hi"), ("hi-IN", "hi"), ("HI_in", "hi"), ("en", "en"), ("fr", None), (None, None)],
)
def test_known_language(given, known):
    assert i18n.known_language(given) == known


def test_the_switcher_on_a_page_a_form_sent_back_returns_to_the_form(client, buyer):
    """A page rendered by a POST (a form with its errors) has no address of its own: the
    switcher goes back to the page the form was on, never to a POST-only address (a 405)."""
    token = sign_in_page(client, buyer)
    refused = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": "wrong", "new_password": "x"},
        headers={"Referer": "http://localhost/account/"},
    )
    assert refused.status_code in (400, 422)
    assert 'name="next"' not in refused.text.split('class="inline-form language-switch"')[1][:400]
    answer = client.post(
        "/language",
        data={"csrf_token": token, "language": "hi"},
        headers={"Referer": "http://localhost/account/"},
    )
    assert answer.headers["Location"] == "/account/"
    elsewhere = client.post(
        "/language",
        data={"csrf_token": token, "language": "en"},
        headers={"Referer": "https://evil.example/account/"},
    )
    assert elsewhere.headers["Location"] == "/"
