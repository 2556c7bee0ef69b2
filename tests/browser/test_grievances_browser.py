"""The grievance desk in a real browser: a buyer files a complaint from the footer, the officer
acknowledges and resolves it from the desk within the clocks, the buyer appeals; a guest files
with an emailed code; the officer records a breach, tells the users and closes it, and the
public page lists it; the report draws its charts."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import outbox


def _mail_code(app, address: str) -> str:
    deadline = time.monotonic() + 5
    while True:
        for message in reversed(outbox(app)):
            if f"To: {address}" in message and "is your code" in message:
                return re.search(r"\b(\d{6})\b", message).group(1)
        assert time.monotonic() < deadline, f"no code was mailed to {address}"
        time.sleep(0.05)


def test_a_buyer_complains_the_officer_resolves_and_the_buyer_appeals(
    app, ctx, open_context, problems
):
    buyer = factories.buyer()
    officer = factories.staff("grievance_officer")

    page = open_context()
    sign_in(page, buyer.email)
    page.get_by_role("link", name="File a complaint").click()
    page.get_by_label("What is it about?").select_option("lead_quality")
    page.get_by_label("Subject").fill("Supplier keeps sending spam")
    page.get_by_label("What happened?").fill("After one enquiry I get ten WhatsApp ads a day.")
    page.get_by_role("button", name="File complaint").click()
    expect(page.get_by_text("has been received")).to_be_visible()
    reference = page.locator(".reference").first.inner_text()
    assert reference.startswith("GR-")
    expect(page.get_by_text("IST").first).to_be_visible()

    desk = open_context()
    sign_in(desk, officer.email)
    desk.get_by_role("link", name="Desk", exact=True).click()
    row = desk.locator(f'tr[data-reference="{reference}"]')
    expect(row).to_contain_text("Acknowledge")
    expect(row).to_contain_text("h left")
    screenshot(desk, "grievance-desk")
    row.get_by_role("link", name=reference).click()
    desk.get_by_label("Status").select_option("acknowledged")
    desk.get_by_label("Internal note").fill("Check the supplier's other leads.")
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_text("Saved.")).to_be_visible()
    desk.get_by_label("Status").select_option("resolved")
    desk.get_by_label("Reply to the complainant").fill("The supplier is warned and blocked.")
    desk.get_by_role("button", name="Save").click()
    expect(desk.locator(".grievance-status")).to_have_text("Resolved")
    assert any("The supplier is warned and blocked." in mail for mail in outbox(app))

    page.reload()
    expect(page.get_by_text("The supplier is warned and blocked.")).to_be_visible()
    expect(page.get_by_text("Check the supplier's other leads.")).to_have_count(0)
    expect(page.get_by_role("link", name="Grievance Appellate Committee").first).to_be_visible()
    page.get_by_label("Why do you appeal?").fill("Blocking is not enough; I want the ads to stop.")
    page.get_by_role("button", name="Appeal this decision").click()
    expect(page.get_by_text("Your appeal has been sent")).to_be_visible()
    expect(page.locator(".grievance-status")).to_have_text("Appealed")
    screenshot(page, "grievance-appealed")

    desk.goto("/desk")
    expect(desk.locator(f'tr[data-reference="{reference}"]')).to_contain_text("Appealed")
    desk.goto("/desk/report")
    expect(desk.locator('[data-figure="received"]')).to_have_text("1")
    expect(desk.locator("body")).to_have_attribute("data-charts-drawn", "true")
    desk.goto("/account/audit")
    expect(desk.locator('tr[data-action="grievance.appealed"]').first).to_contain_text("appealed")
    assert not problems.seen, problems.seen


def test_a_guest_complains_and_the_officer_handles_a_breach(app, ctx, open_context, problems):
    officer = factories.staff("grievance_officer")
    guest = open_context()
    guest.goto("/")
    guest.get_by_role("link", name="File a complaint").click()
    guest.get_by_label("Your name").fill("Ravi Kumar")
    guest.get_by_label("Email").fill("ravi.guest@example.in")
    guest.get_by_label("What is it about?").select_option("privacy")
    guest.get_by_label("Subject").fill("My number is shown to strangers")
    guest.get_by_label("What happened?").fill(
        "A supplier called me about a product I never asked for."
    )
    guest.get_by_role("button", name="Send me a code").click()
    guest.get_by_label("Code").fill(_mail_code(app, "ravi.guest@example.in"))
    guest.get_by_role("button", name="Confirm and file complaint").click()
    expect(guest.get_by_role("heading", name="Complaint filed")).to_be_visible()

    desk = open_context()
    sign_in(desk, officer.email)
    desk.goto("/desk/breaches/new")
    desk.get_by_label("Detected at (India time)").fill("2026-11-01T09:30")
    desk.get_by_label("What happened").fill("A backup bucket was public for two hours.")
    desk.get_by_label("Data affected").fill("email\nmobile")
    desk.get_by_label("Users affected (about)").fill("40")
    desk.get_by_role("button", name="Record breach").click()
    expect(desk.locator(".breach-clock")).to_contain_text("4 Nov 2026, 9:30 AM IST")
    reference = desk.locator("h1").inner_text().split()[-1]
    desk.get_by_label("Email addresses").fill("a@example.in\nb@example.in")
    desk.get_by_role("button", name="Send notices").click()
    # Not before the notice can say everything DPDP Rules r.7(1) lists.
    expect(desk.locator("body")).to_contain_text("must say how far it went")
    expect(desk.locator('[data-notice="users_notified_at"]')).to_contain_text("—")
    for label, text in (
        ("When it began (India time)", "2026-11-01T07:30"),
        ("Where it occurred", "A storage bucket holding nightly backups."),
        ("How far it went", "Anyone with the address could download one backup for two hours."),
        ("Measures taken", "The bucket was made private and the keys rotated."),
        ("Likely consequences for users", "Unwanted emails or calls."),
        ("What users can do to protect themselves", "Ignore requests for one-time codes."),
    ):
        desk.get_by_label(label).fill(text)
    desk.get_by_role("button", name="Save details").click()
    desk.get_by_label("Email addresses").fill("a@example.in\nb@example.in")
    desk.get_by_role("button", name="Send notices").click()
    expect(desk.locator('[data-notice="users_notified_at"]')).to_contain_text("2 people")
    desk.get_by_label("Detailed report sent at").fill("2026-11-02T10:00")
    desk.get_by_role("button", name="Record notices").click()
    expect(desk.locator('[data-notice="board_report_at"]')).to_contain_text("2 Nov 2026")
    desk.get_by_role("button", name="Close breach (listed publicly)").click()
    expect(desk.get_by_text("closed").first).to_be_visible()

    guest.get_by_role("link", name="Data breaches").click()
    expect(guest.get_by_text(reference)).to_be_visible()
    for name in ("Privacy notice", "Terms of use", "Grievance officer", "Sub-processors"):
        guest.get_by_role("link", name=name, exact=True).first.click()
        expect(guest.locator("h1")).to_have_text(name)
    assert not problems.seen, problems.seen
