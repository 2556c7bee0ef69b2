"""A supplier's owner builds a team on a 360 px phone: invites a sales person, who joins from the
emailed link and signs in as themselves; the owner then changes their role and removes them."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import loaded, screenshot, sign_in
from tests.test_team import invitation_link


def _fits(page) -> None:
    width, inner = loaded(page).evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= inner, f"{page.url} is {width} px wide on a {inner} px screen"


def test_an_owner_builds_a_team_on_a_phone(app, ctx, open_context, problems):
    owner = factories.supplier()
    email = f"meena{owner.id}@rao-steel.example.in"
    page = open_context(360, 740)
    sign_in(page, owner.email)
    page.goto("/team/")
    expect(page.get_by_test_id("no-members")).to_be_visible()
    page.get_by_label("Name").fill("Meena Shah")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option(
        label="Sales: the leads given to them, replies and quotations"
    )
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
    member = page.get_by_test_id("member")
    expect(member).to_contain_text("Meena Shah")
    expect(member).to_contain_text("Invitation sent")
    _fits(page)
    screenshot(page, "team-invited-phone")

    joining = open_context(360, 740)
    joining.goto(invitation_link(app, email))
    expect(joining.get_by_role("heading", level=1)).to_contain_text("Join")
    joining.get_by_role("button", name="Join the team").click()  # nothing ticked: refused, said why
    expect(joining.locator(".has-error").first).to_be_visible()
    joining.get_by_label("Choose a password").fill(factories.PASSWORD)
    joining.get_by_label("years of age or older").check()
    joining.get_by_label("I accept the terms of use").check()
    joining.get_by_role("button", name="Join the team").click()
    expect(joining.get_by_text("Welcome to the team")).to_be_visible()
    sign_in(joining, email)
    assert joining.goto("/leads").status == 200
    assert joining.goto("/team/").status == 403  # only the owner manages the team
    _fits(joining)

    page.goto("/team/")
    expect(member).not_to_contain_text("Invitation sent")  # joined
    member.get_by_label("Role").select_option(label="Catalogue: products and photos")
    member.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert joining.goto("/leads").status == 403  # catalogue staff keep products, not leads
    page.get_by_test_id("member").get_by_role("link", name="Remove").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remove Meena Shah")
    _fits(page)
    screenshot(page, "team-remove-phone")
    page.get_by_role("button", name="Remove Meena Shah").click()
    expect(page.get_by_text("Meena Shah was removed from the team.")).to_be_visible()
    expect(page.get_by_test_id("no-members")).to_be_visible()
    assert problems.seen == []
