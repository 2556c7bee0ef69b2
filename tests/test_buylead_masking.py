"""Contact details typed into a buy requirement stay hidden from matched suppliers until they
unlock the buyer's contact: in the BuyLead feed (API and page), the "New BuyLead" mail and any
webhook. The buyer reads their own words as written; an unlocking supplier reads them too."""

from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.db import commit
from marketplace.extensions import db
from marketplace.identifiers import EMAIL_HIDDEN, LINK_HIDDEN, PHONE_HIDDEN
from marketplace.leads.models import BuyRequirement, Webhook, WebhookDelivery
from tests.conftest import outbox, sign_in_page
from tests.test_requirements import REQUIREMENT, _credits, _profile_id, _supplier_with_pipe

NUMBER = "9876543210"
WRITTEN = {
    "product_name": "SS 304 seamless pipe, call 98765-43210",
    "description": (
        "2 inch, schedule 40. Call +91 98765 43210 or (+91) 98765-43210, "
        "mail Pipes.Buyer@example.com, whatsapp wa.me/919876543210."
    ),
    "city": "Pune 098765 43210",
}


def _leaks(text: str) -> list[str]:
    """What of the typed contact `text` still shows, however it is spaced."""
    found = []
    if NUMBER in re.sub(r"\D", "", text):
        found.append("phone")
    if "pipes.buyer@example.com" in text.lower():
        found.append("email")
    if "wa.me" in text:
        found.append("link")
    return found


def test_contact_typed_into_a_requirement_is_hidden_until_unlocked(
    app, ctx, api, client, buyer, buyer_api, categories
):
    suppliers = [_supplier_with_pipe() for _ in range(2)]
    db.session.add(
        Webhook(
            supplier_id=_profile_id(suppliers[0]),
            url="https://crm.example.in/hook",
            events=["lead.created", "lead.updated", "message.created"],
            secret="s" * 32,
        )
    )
    commit()
    posted = buyer_api.post("/requirements", {**REQUIREMENT, **WRITTEN})
    assert posted.status_code == 201, posted.get_json()
    requirement_id = posted.get_json()["id"]
    # The buyer reads what they wrote.
    own = buyer_api.get(f"/requirements/{requirement_id}").get_json()
    assert own["description"] == WRITTEN["description"] and _leaks(own["description"])

    # The matched suppliers were mailed, with the contact hidden.
    mails = [mail for mail in outbox(app) if "New BuyLead" in mail]
    assert len(mails) == 2
    for mail in mails:
        assert _leaks(mail) == [], mail
        assert PHONE_HIDDEN in mail and EMAIL_HIDDEN in mail and LINK_HIDDEN in mail
        assert "schedule 40" in mail  # the rest of the words are kept
    # No webhook carries it before an unlock.
    assert all(_leaks(body) == [] for body in db.session.scalars(select(WebhookDelivery.body)))

    # The feed, as the API and the page show it.
    first = api.sign_in(suppliers[0].email)
    [item] = first.get("/buyleads").get_json()["items"]
    assert _leaks(str(item)) == []
    assert item["description"].startswith("2 inch, schedule 40. Call " + PHONE_HIDDEN)
    assert item["product_name"] == f"SS 304 seamless pipe, call {PHONE_HIDDEN}"
    page_client = app.test_client()
    sign_in_page(page_client, suppliers[1])
    page = page_client.get("/buyleads")
    assert page.status_code == 200 and "schedule 40" in page.text
    assert _leaks(page.text) == [] and "hidden until you unlock" in page.text

    # Unlocking shows the words as written, to this supplier only.
    _credits(suppliers[0], 1)
    assert first.post(f"/buyleads/{requirement_id}/unlock").status_code == 200
    [unlocked] = first.get("/buyleads").get_json()["items"]
    assert unlocked["description"] == WRITTEN["description"]
    assert _leaks(page_client.get("/buyleads").text) == []
    assert db.session.get(BuyRequirement, requirement_id).description == WRITTEN["description"]
