"""Credits back for bad BuyLeads: a supplier reports an unlocked BuyLead within 7 days, the
grievance officer upholds (the credit comes back, once) or rejects it, three upheld reports close
the requirement and refund every unlock, and a buyer found fake twice needs a verified mobile."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace import desk
from marketplace.accounts.models import User
from marketplace.audit import AuditEvent
from marketplace.credits import ledger
from marketplace.credits.models import CreditEntry, CreditKind
from marketplace.db import commit, utcnow
from marketplace.extensions import db, limiter
from marketplace.leads import bad_leads
from marketplace.leads.models import BuyRequirement, Lead
from marketplace.leads.preference_models import LeadPreferences
from marketplace.leads.report_models import BuyLeadReport
from marketplace.privacy import erasure
from tests import factories
from tests.conftest import Api, csrf_token, outbox, sign_in_page
from tests.test_privacy_export import _export
from tests.test_requirements import REQUIREMENT, _credits, _post, _profile_id, _supplier_with_pipe

REPORT = {"reason": "not_reachable", "note": "Called five times over two days; switched off."}


@pytest.fixture()
def pipe_makers(ctx, categories) -> list[factories.Registered]:
    makers = [_supplier_with_pipe() for _ in range(4)]
    for maker in makers:
        _credits(maker, 5)
    return makers


@pytest.fixture()
def officer_api(api: Api, ctx) -> Api:
    return api.sign_in(factories.staff("grievance_officer").email)


def _unlocked(api: Api, buyer_api: Api, makers: list[factories.Registered]) -> int:
    """A requirement posted by the buyer and unlocked by each of these suppliers."""
    requirement_id = _post(buyer_api)["id"]
    for maker in makers:
        unlocked = api.sign_in(maker.email).post(f"/buyleads/{requirement_id}/unlock")
        assert unlocked.status_code == 200, unlocked.get_json()
    return requirement_id


def _report(api: Api, maker: factories.Registered, requirement_id: int, body=REPORT):  # type: ignore[no-untyped-def]
    return api.sign_in(maker.email).post(f"/buyleads/{requirement_id}/reports", body)


def _balance(maker: factories.Registered) -> int:
    return ledger.balance(_profile_id(maker))


def _decide(officer_api: Api, report_id: int, decision: str = "uphold"):  # type: ignore[no-untyped-def]
    reason = "We called the number ourselves: it is not in service."
    return officer_api.post(
        f"/buylead-reports/{report_id}/decision", {"decision": decision, "reason": reason}
    )


def test_a_report_goes_to_the_officers_desk(api, buyer_api, pipe_makers):
    requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
    reported = _report(api, pipe_makers[0], requirement_id)
    assert reported.status_code == 201, reported.get_json()
    body = reported.get_json()
    assert body["status"] == "pending" and body["reason"] == "not_reachable"
    assert body["note"] == REPORT["note"]
    items = [item for item in desk.open_items() if item.kind == "buylead_report"]
    assert [item.reference for item in items] == [f"BR-{body['id']}"]
    assert items[0].resolve_by == items[0].received_at + timedelta(days=7)


def test_a_report_is_taken_within_7_days_of_the_unlock(api, buyer_api, pipe_makers, monkeypatch):
    requirement_id = _unlocked(api, buyer_api, pipe_makers[:2])
    unlocked_at = db.session.scalar(
        select(Lead.created_at).where(Lead.requirement_id == requirement_id).order_by(Lead.id)
    )
    last_moment = unlocked_at + timedelta(days=7)
    monkeypatch.setattr(bad_leads, "utcnow", lambda: last_moment)
    assert _report(api, pipe_makers[0], requirement_id).status_code == 201
    monkeypatch.setattr(bad_leads, "utcnow", lambda: last_moment + timedelta(seconds=1))
    late = _report(api, pipe_makers[1], requirement_id)
    assert late.status_code == 409
    assert "within 7 days of unlocking" in late.get_json()["detail"]
    assert "IST" in late.get_json()["detail"]


def test_only_an_unlocked_buylead_can_be_reported(api, buyer_api, pipe_makers):
    requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
    assert _report(api, pipe_makers[1], requirement_id).status_code == 404  # matched, not unlocked
    assert buyer_api.post(f"/buyleads/{requirement_id}/reports", REPORT).status_code == 403


def test_a_second_report_of_the_same_unlock_is_the_first(api, buyer_api, pipe_makers):
    requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
    first = _report(api, pipe_makers[0], requirement_id)
    again = _report(api, pipe_makers[0], requirement_id, {"reason": "not_a_buyer"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["reason"] == "not_reachable"
    assert db.session.scalar(select(func.count()).select_from(BuyLeadReport)) == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "reason"),
        ({"reason": "rude"}, "reason"),
        ({"reason": "not_a_buyer", "note": "x" * 2001}, "note"),
        ({"reason": "not_a_buyer", "note": 12}, "note"),
    ],
)
def test_a_bad_report_names_the_field(api, buyer_api, pipe_makers, body, field):
    requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
    refused = _report(api, pipe_makers[0], requirement_id, body)
    assert refused.status_code == 422
    assert list(refused.get_json()["errors"]) == [field]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": "Called them."}, "decision"),
        ({"decision": "maybe", "reason": "Called them."}, "decision"),
        ({"decision": "uphold"}, "reason"),
        ({"decision": "reject", "reason": "  "}, "reason"),
    ],
)
def test_a_bad_decision_names_the_field(api, buyer_api, pipe_makers, officer_api, body, field):
    requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
    report_id = _report(api, pipe_makers[0], requirement_id).get_json()["id"]
    refused = officer_api.post(f"/buylead-reports/{report_id}/decision", body)
    assert refused.status_code == 422
    assert list(refused.get_json()["errors"]) == [field]


def test_upholding_returns_the_credit_once_and_tells_the_supplier(
    app, api, buyer_api, pipe_makers, officer_api
):
    maker = pipe_makers[0]
    requirement_id = _unlocked(api, buyer_api, [maker])
    assert _balance(maker) == 4
    report_id = _report(api, maker, requirement_id).get_json()["id"]
    decided = _decide(officer_api, report_id)
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["status"] == "upheld"
    assert decided.get_json()["buyer"]["fake_requirements"] == 1
    assert _balance(maker) == 5
    assert _decide(officer_api, report_id).status_code == 409  # decided once
    assert _decide(officer_api, report_id, "reject").status_code == 409
    assert not bad_leads.return_credit(_profile_id(maker), requirement_id, "again")
    commit()
    assert _balance(maker) == 5
    returned = db.session.scalars(
        select(CreditEntry).where(CreditEntry.kind == CreditKind.RETURNED)
    ).all()
    assert len(returned) == 1 and returned[0].delta == 1
    assert "not reachable" in returned[0].reason and f"#{requirement_id}" in returned[0].reason
    mails = [m for m in outbox(app) if f"Your report of BuyLead #{requirement_id}" in m]
    assert len(mails) == 1 and "upheld your report" in mails[0]
    assert "not in service" in mails[0]
    audited = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "buylead_report.decided")
    )
    assert audited.details["decision"] == "upheld" and audited.subject_id == str(report_id)


def test_a_rejected_report_keeps_the_credit_spent(app, api, buyer_api, pipe_makers, officer_api):
    maker = pipe_makers[0]
    requirement_id = _unlocked(api, buyer_api, [maker])
    report_id = _report(api, maker, requirement_id).get_json()["id"]
    decided = _decide(officer_api, report_id, "reject")
    assert decided.get_json()["status"] == "rejected"
    assert _balance(maker) == 4
    assert bad_leads.fake_requirements(buyer_api_user_id(buyer_api)) == 0
    assert any("did not uphold your report" in m for m in outbox(app))
    mine = api.sign_in(maker.email).get("/buylead-reports").get_json()
    assert [item["status"] for item in mine["items"]] == ["rejected"]
    assert "supplier" not in mine["items"][0]  # the supplier's own view


def buyer_api_user_id(buyer_api: Api) -> int:
    return buyer_api.get("/me").get_json()["id"]


def test_three_upheld_reports_close_the_requirement_and_refund_every_unlock(
    app, api, buyer_api, pipe_makers, officer_api
):
    requirement_id = _unlocked(api, buyer_api, pipe_makers)
    assert [_balance(maker) for maker in pipe_makers] == [4, 4, 4, 4]
    reports = [_report(api, maker, requirement_id).get_json()["id"] for maker in pipe_makers[:3]]
    _decide(officer_api, reports[0])
    _decide(officer_api, reports[1])
    requirement = db.session.get(BuyRequirement, requirement_id)
    db.session.refresh(requirement)
    assert requirement.closed_at is None  # two are not enough
    assert [_balance(maker) for maker in pipe_makers] == [5, 5, 4, 4]
    _decide(officer_api, reports[2])
    db.session.refresh(requirement)
    assert requirement.closed_at is not None
    assert [_balance(maker) for maker in pipe_makers] == [5, 5, 5, 5]  # the fourth too
    returns = db.session.scalars(
        select(CreditEntry.supplier_id).where(CreditEntry.kind == CreditKind.RETURNED)
    ).all()
    assert sorted(returns) == sorted(_profile_id(maker) for maker in pipe_makers)
    told = [m for m in outbox(app) if "was closed and your credit returned" in m]
    assert told == [m for m in told if f"To: {pipe_makers[3].email}" in m] and len(told) == 1
    status = buyer_api.get(f"/requirements/{requirement_id}").get_json()["status"]
    assert status == "closed"


def test_a_buyer_found_fake_twice_needs_a_verified_mobile(api, buyer_api, pipe_makers, officer_api):
    for _ in range(2):
        requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
        _decide(officer_api, _report(api, pipe_makers[0], requirement_id).get_json()["id"])
        if _ == 0:
            assert buyer_api.post("/requirements", _requirement()).status_code == 201
    refused = buyer_api.post("/requirements", _requirement())
    assert refused.status_code == 403
    assert "verified mobile number" in refused.get_json()["detail"]
    assert "Verify your mobile" in refused.get_json()["detail"]
    buyer = db.session.get(User, buyer_api_user_id(buyer_api))
    buyer.phone_verified_at = utcnow()
    commit()
    assert buyer_api.post("/requirements", _requirement()).status_code == 201


def _requirement() -> dict:
    return dict(REQUIREMENT)


def test_the_limit_is_a_setting(app, api, buyer_api, pipe_makers, officer_api, monkeypatch):
    monkeypatch.setitem(app.config, "BUYLEAD_FAKE_LIMIT", 1)
    requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
    _decide(officer_api, _report(api, pipe_makers[0], requirement_id).get_json()["id"])
    assert buyer_api.post("/requirements", _requirement()).status_code == 403


def test_only_the_officer_decides(api, buyer_api, pipe_makers):
    requirement_id = _unlocked(api, buyer_api, pipe_makers[:1])
    report_id = _report(api, pipe_makers[0], requirement_id).get_json()["id"]
    supplier_api = api.sign_in(pipe_makers[0].email)
    assert _decide(supplier_api, report_id).status_code == 403
    assert _decide(buyer_api, report_id).status_code == 403
    assert _balance(pipe_makers[0]) == 4


def test_the_buylead_page_reports_and_the_desk_decides(app, client, api, buyer_api, pipe_makers):
    maker = pipe_makers[0]
    requirement_id = _unlocked(api, buyer_api, [maker])
    token = sign_in_page(client, maker)
    page = client.get("/buyleads").get_data(as_text=True)
    assert "Report a bad BuyLead" in page
    refused = client.post(f"/buyleads/{requirement_id}/report", data={"reason": "not_a_buyer"})
    assert refused.status_code == 400  # no CSRF token: nothing filed
    assert db.session.scalar(select(BuyLeadReport.id)) is None
    sent = client.post(
        f"/buyleads/{requirement_id}/report",
        data={"csrf_token": token, "reason": "not_a_buyer", "note": "He sells pipes himself."},
    )
    assert sent.status_code == 302
    report = db.session.scalar(select(BuyLeadReport))
    assert report is not None and report.note == "He sells pipes himself."
    page = client.get("/buyleads").get_data(as_text=True)
    assert "the grievance officer is looking into it" in page
    assert "Report a bad BuyLead" not in page

    desk_client = app.test_client()
    officer = factories.staff("grievance_officer")
    desk_token = sign_in_page(desk_client, officer)
    queue = desk_client.get("/desk").get_data(as_text=True)
    assert f"BR-{report.id}" in queue and "Not a buyer" in queue
    shown = desk_client.get(f"/desk/buylead-reports/{report.id}").get_data(as_text=True)
    assert "He sells pipes himself." in shown
    blank = desk_client.post(
        f"/desk/buylead-reports/{report.id}",
        data={"csrf_token": csrf_token(shown), "decision": "uphold", "reason": ""},
    )
    assert blank.status_code == 422
    done = desk_client.post(
        f"/desk/buylead-reports/{report.id}",
        data={"csrf_token": desk_token, "decision": "uphold", "reason": "Confirmed by phone."},
    )
    assert done.status_code == 302
    db.session.refresh(report)
    assert report.status.value == "upheld" and _balance(maker) == 5
    assert "upheld, your credit was returned" in client.get("/buyleads").get_data(as_text=True)


def _at_once(calls: list) -> list[int]:  # type: ignore[type-arg]
    """Run each call in its own thread, all released together; their status codes."""
    barrier = threading.Barrier(len(calls))
    answers: list[int] = []

    def run(call) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        answers.append(call().status_code)

    limiter.enabled = False
    try:
        threads = [threading.Thread(target=run, args=(call,)) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        limiter.enabled = True
    db.session.expire_all()
    return answers


def test_concurrent_reports_and_decisions_refund_once(app, api, buyer_api, pipe_makers):
    maker = pipe_makers[0]
    requirement_id = _unlocked(api, buyer_api, [maker])
    token = api.sign_in(maker.email).token
    path = f"/buyleads/{requirement_id}/reports"
    answers = _at_once([lambda: Api(app.test_client(), token).post(path, REPORT) for _ in range(4)])
    assert sorted(answers) == [200, 200, 200, 201], answers
    report_id = db.session.scalar(select(BuyLeadReport.id))
    officer = api.sign_in(factories.staff("grievance_officer").email).token
    answers = _at_once([lambda: _decide(Api(app.test_client(), officer), report_id)] * 3)
    assert sorted(answers) == [200, 409, 409], answers
    returned = db.session.scalars(
        select(CreditEntry).where(CreditEntry.kind == CreditKind.RETURNED)
    ).all()
    assert len(returned) == 1 and _balance(maker) == 5


def test_erasure_redacts_the_buyer_in_notes_and_drops_preferences(api, buyer_api, pipe_makers):
    maker = pipe_makers[0]
    requirement_id = _unlocked(api, buyer_api, [maker])
    buyer = db.session.get(User, buyer_api_user_id(buyer_api))
    note = f"{buyer.name} said on {buyer.phone} that he already bought."
    _report(api, maker, requirement_id, {"reason": "already_bought", "note": note})
    api.sign_in(maker.email).request("PUT", "/buyleads/preferences", {"cities_included": "Pune"})
    eraser = {e.name: e for e in erasure.erasers()}["buylead_reports"]
    assert eraser.order < {e.name: e for e in erasure.erasers()}["leads"].order

    def subject(user: User) -> erasure.Subject:
        supplier_id = user.supplier.id if user.supplier else None
        return erasure.Subject(user, utcnow(), user.email, user.name, user.phone, None, supplier_id)

    said = eraser.erase(subject(buyer))
    report = db.session.scalar(select(BuyLeadReport))
    assert buyer.name not in report.note and buyer.phone not in report.note
    assert "already bought" in report.note and said[0].startswith("1 ")
    supplier_user = db.session.get(User, maker.id)
    eraser.erase(subject(supplier_user))
    db.session.expire_all()
    assert db.session.scalar(select(LeadPreferences)) is None
    assert db.session.scalar(select(BuyLeadReport)).reporter_id is None


def test_a_suppliers_export_holds_its_reports_and_preferences(api, buyer_api, pipe_makers):
    maker = pipe_makers[0]
    requirement_id = _unlocked(api, buyer_api, [maker])
    _report(api, maker, requirement_id)
    maker_api = api.sign_in(maker.email)
    maker_api.request("PUT", "/buyleads/preferences", {"cities_included": ["Pune", "Nashik"]})
    sections = _export(maker_api)
    assert [row["reason"] for row in sections["buylead_reports"]] == ["not_reachable"]
    assert sections["buylead_reports"][0]["note"] == REPORT["note"]
    assert sections["buylead_preferences"][0]["cities_included"] == "Pune, Nashik"
