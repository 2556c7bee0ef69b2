"""Privacy in a real browser: a buyer changes consents, downloads an export and asks for the
account's deletion; the grievance officer approves it on the privacy queue."""

from __future__ import annotations

import io
import json
import re
import zipfile

from playwright.sync_api import expect

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests import factories
from tests.browser.conftest import screenshot, sign_in


def test_a_person_changes_consents_exports_and_deletes_and_the_officer_decides(
    app, ctx, open_context, problems
):
    buyer = factories.buyer(name="Kavya Menon")
    officer = factories.staff()
    page = open_context()
    sign_in(page, buyer.email)

    page.locator("#nav-privacy").click()
    expect(page.get_by_role("heading", name="Privacy settings")).to_be_visible()
    row = page.locator("#consent-marketing")
    expect(row.locator(".consent-state")).to_have_text("Not granted")
    row.get_by_role("button", name="Grant").click()
    expect(page.locator("#consent-marketing .consent-state")).to_have_text("Granted")
    # Withdrawing is one click too, and takes effect at once.
    page.locator("#consent-marketing").get_by_role("button", name="Withdraw").click()
    expect(page.locator("#consent-marketing .consent-state")).to_have_text("Not granted")
    screenshot(page, "privacy-settings")

    access = page.locator("#request-access")
    access.get_by_label("Password").fill(buyer.password)
    access.get_by_role("button", name="Prepare my export").click()
    link = page.locator("a.download-export")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    archive = zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes()))
    sections = json.loads(archive.read("export.json"))
    assert sections["profile"][0]["email"] == buyer.email
    assert [c["granted"] for c in sections["consent_history"] if c["purpose"] == "marketing"] == [
        False,
        True,
        False,
    ]

    deletion = page.locator("#request-deletion")
    deletion.get_by_label("Password").fill(buyer.password)
    deletion.get_by_role("button", name="Ask to delete my account").click()
    expect(page.locator("#requests")).to_contain_text("Waiting for the grievance officer")

    desk = open_context()
    sign_in(desk, officer.email)
    desk.goto("/privacy/officer")
    queued = desk.locator("[id^=officer-request-]").filter(has_text="deletion")
    expect(queued).to_have_count(1)
    queued.get_by_label("Reason").fill("Identity confirmed by the password.")
    screenshot(desk, "privacy-officer-queue")
    queued.get_by_role("button", name="Approve").click()
    # An erasure cannot be undone: the officer reads who asks and what is kept, then confirms.
    expect(desk.locator("#erasure-who")).to_contain_text(buyer.email)
    expect(desk.locator("#erasure-kept")).to_contain_text(
        "Registration details of a cancelled account"
    )
    screenshot(desk, "privacy-officer-confirm-erasure")
    desk.get_by_role("button", name=re.compile(r"^Erase the account of")).click()
    expect(desk.get_by_text(re.compile(r"Request #\d+ is now approved"))).to_be_visible()

    db.session.remove()
    erased = db.session.get(User, buyer.id)
    assert erased.erased_at is not None and erased.email.endswith("@erased.invalid")
    page.goto("/privacy/")
    expect(page).to_have_url(re.compile(r"/account/sign-in"))
    assert problems.seen == []
