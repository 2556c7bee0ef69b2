"""A signed-in buyer reading the portal in Hindi on a 360 px phone: files a complaint and opens
the privacy settings, and no page scrolls sideways (Devanagari runs longer than English)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.grievances.models import Grievance
from tests import factories
from tests.browser.conftest import fits_in_hindi, screenshot


def _sign_in(page, email: str) -> None:
    # By the fields' names: the sign-in page's words are another translator's.
    page.goto("/account/sign-in")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(factories.PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator(".nav-user")).to_be_attached()


def test_a_buyer_files_a_complaint_and_opens_privacy_settings_in_hindi_at_360px(
    app, ctx, hindi_phone, problems
):
    buyer = factories.buyer()
    page = hindi_phone
    _sign_in(page, buyer.email)

    page.goto("/grievances/new")
    expect(page.get_by_role("heading", name="शिकायत दर्ज करें")).to_be_visible()
    expect(page.get_by_text("24 घंटे").first).to_be_visible()
    fits_in_hindi(page)
    page.get_by_label("शिकायत किस बारे में है?").select_option("lead_quality")
    page.get_by_label("विषय").fill("सप्लायर रोज़ स्पैम भेजता है")
    page.get_by_label("क्या हुआ?").fill("एक पूछताछ के बाद रोज़ दस WhatsApp विज्ञापन आते हैं।")
    page.get_by_role("button", name="शिकायत दर्ज करें").click()
    expect(page.get_by_text(re.compile(r"आपकी शिकायत GR-\S+ मिल गई है"))).to_be_visible()
    expect(page.get_by_role("heading", name="अभी क्या स्थिति है")).to_be_visible()
    fits_in_hindi(page)
    screenshot(page, "hindi-complaint-360")
    assert db.session.scalar(select(Grievance.language)) == "hi"

    page.goto("/privacy/")
    expect(page.get_by_role("heading", name="निजता सेटिंग्स")).to_be_visible()
    expect(page.get_by_text("90 दिन").first).to_be_visible()
    fits_in_hindi(page)
    screenshot(page, "hindi-privacy-settings-360")
    assert problems.seen == []
