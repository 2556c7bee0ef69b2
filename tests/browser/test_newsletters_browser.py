"""Newsletters in a real browser, on a 360 px phone: the officer writes, previews, confirms and
sends one; a reader unsubscribes from the link in the mail, without signing in."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import loaded, screenshot, sign_in
from tests.conftest import outbox

OPTED_IN = {"newsletters": True, "channel_email": True}


def _fits(page) -> None:
    loaded(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_officer_sends_a_newsletter_and_a_reader_unsubscribes_in_one_click(
    app, ctx, open_context, problems
):
    reader = factories.buyer(name="Kavya Menon", consents=OPTED_IN)
    factories.buyer()  # never agreed: gets nothing
    officer = factories.staff()
    desk = open_context(width=360, height=780)
    sign_in(desk, officer.email)
    desk.goto("/privacy/newsletters")
    form = desk.locator("#compose-newsletter")
    form.get_by_label("What it is for").select_option("newsletters")
    form.get_by_label("Subject").fill("Steel this week")
    form.get_by_label("Message").fill("Prices fell 4% this week.\n\nSee you next Monday.")
    form.get_by_role("button", name="Preview").click()
    expect(desk.locator("#newsletter-audience")).to_contain_text("1 person will receive it")
    _fits(desk)
    screenshot(desk, "newsletter-preview")
    sending = desk.locator("#send-newsletter")
    sending.get_by_label(re.compile("want to send it now")).check()
    sending.get_by_role("button", name="Send").click()
    expect(desk.locator("#newsletters .newsletter-sent")).to_have_text("1")
    _fits(desk)

    mail = next(text for text in outbox(app) if "Steel this week" in text)
    assert reader.email in mail
    link = re.search(r"https?://\S+/unsubscribe/\S+", mail)
    assert link
    visitor = open_context(width=360, height=780)
    visitor.goto(link[0][link[0].index("/unsubscribe/") :])
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.locator("#unsubscribed")).to_contain_text("no more")
    _fits(visitor)

    own = open_context(width=360, height=780)
    sign_in(own, reader.email)
    own.goto("/privacy/")
    expect(own.locator("#consent-newsletters .consent-state")).to_have_text("Not granted")
    assert problems.seen == []
