"""Irreversible actions show their facts and ask once more: the officer's erasure (who asks,
what is erased, what is kept under which rule), an admin's refund (tested in test_credits), the
revoking of an integration key. Each privacy outcome sends one coherent set of mails."""

from __future__ import annotations

import re

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests import factories
from tests.conftest import Api, csrf_token, outbox, sign_in_page


def _mails_to(app, email: str) -> list[str]:
    return [mail for mail in outbox(app) if mail.startswith(f"To: {email}")]


def test_the_officer_reads_the_facts_before_an_erasure_and_the_person_gets_one_mail(
    app, ctx, buyer, buyer_api: Api
):
    made = buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    request_id = made.get_json()["id"]
    desk = app.test_client()
    token = sign_in_page(desk, factories.staff())
    queue = desk.get("/privacy/officer").text
    assert "Asha" in queue or db.session.get(User, buyer.id).name in queue  # a name, not an id
    url = f"/privacy/officer/requests/{request_id}/decision"
    asked = {"csrf_token": token, "decision": "approve", "reason": "Identity confirmed."}
    facts = desk.post(url, data=asked)
    assert facts.status_code == 200
    person = db.session.get(User, buyer.id)
    who = facts.text.split('id="erasure-who"')[1].split("</dl>")[0]
    assert person.name in who and person.email in who and "Buyer" in who
    kept = facts.text.split('id="erasure-kept"')[1].split("</table>")[0]
    assert "Registration details of a cancelled account" in kept and "r.3(1)(h)" in kept
    assert f"Account #{buyer.id}" in kept and f"user:{buyer.id}" not in kept
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}", kept)  # until when
    assert "Name, email address and mobile number" in facts.text
    assert 'name="confirmed" value="yes"' in facts.text
    assert db.session.get(User, buyer.id).erased_at is None  # nothing happened yet
    before = len(_mails_to(app, buyer.email))

    done = desk.post(url, data={**asked, "confirmed": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, buyer.id).erased_at is not None
    [last] = _mails_to(app, buyer.email)[before:]  # one final mail: the certificate
    assert "certificate" in last and "follow your requests" not in last
    assert "account_registration" not in last and "Registration details" in last
    assert f"(Account #{buyer.id})" in last
    assert "T" not in re.findall(r"until ([^\n]*)", last)[0]  # a day, not an ISO moment


def test_each_privacy_outcome_reads_as_what_happened(app, ctx, buyer, buyer_api: Api, api: Api):
    officer = api.sign_in(factories.staff().email)

    def decided(body: dict[str, str], decision: str, reason: str = "Checked.") -> str:
        made = buyer_api.post("/privacy/requests", {**body, "password": buyer.password})
        assert made.status_code in (201, 202), made.get_json()
        officer.post(
            f"/privacy/requests/{made.get_json()['id']}/decision",
            {"decision": decision, "reason": reason},
        )
        return _mails_to(app, buyer.email)[-1]

    corrected = decided({"type": "correction", "field": "name", "value": "Asha R"}, "approve")
    assert "We made the correction you asked for" in corrected and '"Asha R"' in corrected
    refused = decided({"type": "correction", "field": "name", "value": "X Y"}, "deny")
    assert "We did not make the correction" in refused and "Checked." in refused
    objection = {"type": "objection", "purpose": "verification", "reason": "No mobile."}
    kept_on = decided(objection, "deny", "Needed by law: IT Rules r.3.")
    assert "We did not uphold your objection" in kept_on
    staying = decided({"type": "deletion"}, "deny", "An open dispute.")
    assert "We will not delete your account" in staying
    for mail in (corrected, refused, kept_on, staying):
        assert "is now" not in mail and "complete_with" not in mail and "(correction)" not in mail


def test_revoking_a_key_names_it_its_scopes_and_its_last_use(app, supplier, supplier_api: Api):
    made = supplier_api.post("/api-keys", {"name": "Tally", "scopes": ["leads:read"]})
    assert made.status_code == 201, made.get_json()
    browser = app.test_client()
    sign_in_page(browser, supplier)
    page = browser.get("/account/").text
    confirm = page.split('class="confirm-revoke"')[1].split("</details>")[0]
    assert "Revoke “Tally”" in confirm and "read leads and enquiries" in confirm
    assert "Last used never" in confirm and "cannot be undone" in confirm
    assert "<td>leads:read</td>" not in page and "Read leads and enquiries" in page
    assert csrf_token(page)


def test_a_suppliers_erasure_names_the_business_and_the_invoices_kept(ctx, supplier):
    from marketplace.privacy.erasure_preview import preview_erasure
    from tests.test_credits import _paid_order

    order = _paid_order(supplier)
    made = (
        Api(ctx.test_client())
        .sign_in(supplier.email)
        .post("/privacy/requests", {"type": "deletion", "password": supplier.password})
    )
    officer = db.session.get(User, factories.staff().id)
    facts = preview_erasure(officer, made.get_json()["id"])
    assert facts is not None
    profile = db.session.get(User, supplier.id).supplier
    assert facts.account_kind == "Supplier" and facts.business == profile.company_name
    assert facts.gstin == profile.gstin
    invoices = [kept for kept in facts.kept if kept.reference.startswith("invoice:")]
    assert len(invoices) == 1 and "CGST Act" in invoices[0].law and order.id
    assert "Products taken out of search, their text and photos deleted" in facts.erased
