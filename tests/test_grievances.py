"""The grievance desk: filing (signed in and as a guest), the legal clocks under a controlled
clock, the officer's work, appeals, the compliance report against known data, deadline
warnings, the desk registry, the breach register, the published notices and the audit log."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from marketplace import desk
from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.grievances import compliance_report, decisions, desk_items, filing
from marketplace.grievances.inputs import GrievanceChange, GrievanceIn
from marketplace.grievances.models import Breach, Grievance, GrievanceAttachment, Status
from tests import factories
from tests.conftest import csrf_token, outbox, sign_in_page

T0 = datetime(2026, 11, 2, 4, 30, tzinfo=UTC)  # 10:00 in India


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture()
def clock(monkeypatch) -> Clock:
    """The time under the test's control, wherever the desk reads it."""
    controlled = Clock(T0)
    monkeypatch.setattr("marketplace.grievances.moments.utcnow", controlled)
    monkeypatch.setattr("marketplace.api.grievances.utcnow", controlled)
    monkeypatch.setattr("marketplace.grievances.views.utcnow", controlled)
    return controlled


@pytest.fixture()
def officer(ctx):
    return factories.staff("grievance_officer")


@pytest.fixture()
def officer_api(api, officer):
    return api.sign_in(officer.email)


COMPLAINT = {
    "category": "fraud",
    "subject": "Supplier took an advance and vanished",
    "description": "I paid an advance of Rs 20,000 for 200 kg of pipe and the supplier stopped "
    "answering.",
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- filing and the clocks ---------------------------------------------------------------------


def test_a_filed_complaint_gets_a_reference_and_both_clocks(clock, buyer_api, app):
    response = buyer_api.post("/grievances", COMPLAINT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert re.fullmatch(r"GR-\d{4}-[A-Z0-9]{6}", body["reference"])
    assert body["status"] == "received"
    assert body["acknowledge_by"] == _iso(T0 + timedelta(hours=24))
    assert body["resolve_by"] == _iso(T0 + timedelta(days=15))
    mail = outbox(app)[-1]
    assert body["reference"] in mail and "has been received" in mail
    assert "3 Nov 2026, 10:00 AM IST" in mail  # the acknowledgement deadline, in India's time


def test_privacy_complaints_are_held_to_the_rules_table(ctx):
    received = T0
    acknowledge_by, resolve_by = filing.deadlines(filing.Category.PRIVACY, received)
    assert acknowledge_by == received + timedelta(hours=24)
    # the 15 days of the IT Rules come before the DPDP Rules' 90-day outer bound
    assert resolve_by == received + timedelta(days=15)
    from marketplace.legal_clocks import clock as legal_clock

    assert legal_clock("privacy_request").duration == timedelta(days=90)


@pytest.mark.parametrize(
    "body, field",
    [
        ({**COMPLAINT, "category": "weather"}, "category"),
        ({**COMPLAINT, "subject": ""}, "subject"),
        ({**COMPLAINT, "description": "short"}, "description"),
        ({**COMPLAINT, "related": {"product_id": 999999}}, "related.product_id"),
        ({**COMPLAINT, "related": {"lead_id": "x"}}, "related.lead_id"),
        ({**COMPLAINT, "related": {"product_id": 1, "lead_id": 1}}, "related"),
        ({**COMPLAINT, "related": "product 4"}, "related"),
        ([], "body"),
    ],
)
def test_bad_complaints_are_a_422_naming_the_field(buyer_api, body, field):
    response = buyer_api.post("/grievances", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_a_related_product_is_recorded(clock, buyer_api, shop):
    body = {**COMPLAINT, "related": {"product_id": shop.product_id}}
    created = buyer_api.post("/grievances", body).get_json()
    shown = buyer_api.get(f"/grievances/{created['id']}").get_json()
    assert shown["related"] == {"product_id": shop.product_id}


def test_a_guest_confirms_the_email_with_a_code(clock, api, app):
    started = api.post(
        "/grievances", {**COMPLAINT, "name": "Ravi Kumar", "email": "ravi@example.in"}
    )
    assert started.status_code == 202, started.get_json()
    verification = started.get_json()["verification_id"]
    with app.app_context():
        assert db.session.scalar(select(Grievance)) is None  # nothing on the desk yet
    code = re.search(r"\b(\d{6})\b", outbox(app)[-1]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    refused = api.post(f"/grievances/guest/{verification}/confirm", {"code": wrong})
    assert (
        refused.status_code == 422 and "4 attempts left" in refused.get_json()["errors"]["code"][0]
    )
    clock.advance(minutes=5)
    filed = api.post(f"/grievances/guest/{verification}/confirm", {"code": code})
    assert filed.status_code == 201, filed.get_json()
    # the clocks start when the address is confirmed
    assert filed.get_json()["acknowledge_by"] == _iso(T0 + timedelta(minutes=5, hours=24))
    again = api.post(f"/grievances/guest/{verification}/confirm", {"code": code})
    assert again.status_code == 409
    with app.app_context():
        grievance = db.session.scalar(select(Grievance))
        assert grievance.complainant_id is None
        assert grievance.complainant_email == "ravi@example.in"
    assert api.post("/grievances/guest/nope/confirm", {"code": code}).status_code == 404


def test_a_guest_must_give_a_name_and_a_real_email(api):
    response = api.post("/grievances", {**COMPLAINT, "email": "not-an-email"})
    assert response.status_code == 422
    assert {"name", "email"} <= set(response.get_json()["errors"])


def test_a_guest_code_expires(clock, api, app):
    started = api.post("/grievances", {**COMPLAINT, "name": "Ravi Kumar", "email": "r@example.in"})
    code = re.search(r"\b(\d{6})\b", outbox(app)[-1]).group(1)
    clock.advance(minutes=31)
    verification = started.get_json()["verification_id"]
    expired = api.post(f"/grievances/guest/{verification}/confirm", {"code": code})
    assert expired.status_code == 422 and "expired" in expired.get_json()["errors"]["code"][0]


# --- who sees what -----------------------------------------------------------------------------


def test_a_person_sees_only_their_own_and_the_officer_sees_all(clock, api, buyer_api, officer_api):
    mine = buyer_api.post("/grievances", COMPLAINT).get_json()["id"]
    other = api.sign_in(factories.buyer().email)
    theirs = other.post("/grievances", {**COMPLAINT, "category": "account"}).get_json()["id"]
    listed = buyer_api.get("/grievances").get_json()
    assert [item["id"] for item in listed["items"]] == [mine]
    assert "complainant" not in listed["items"][0]
    assert buyer_api.get(f"/grievances/{theirs}").status_code == 404
    assert buyer_api.patch(f"/grievances/{mine}", {"status": "acknowledged"}).status_code == 403
    everything = officer_api.get("/grievances").get_json()
    assert {item["id"] for item in everything["items"]} == {mine, theirs}
    assert everything["items"][0]["complainant"]["email"]
    assert officer_api.get("/grievances?status=bogus").status_code == 422


def test_overdue_is_judged_by_the_clock(clock, buyer_api, officer_api):
    first = buyer_api.post("/grievances", COMPLAINT).get_json()["id"]
    clock.advance(hours=2)
    second = buyer_api.post("/grievances", COMPLAINT).get_json()["id"]
    officer_api.patch(f"/grievances/{second}", {"status": "acknowledged"})
    clock.advance(hours=23)  # the first is 25 hours old and was never acknowledged
    overdue = officer_api.get("/grievances?overdue=true").get_json()["items"]
    assert [item["id"] for item in overdue] == [first]
    assert overdue[0]["overdue"] is True
    on_time = officer_api.get("/grievances?overdue=false").get_json()["items"]
    assert [item["id"] for item in on_time] == [second]
    clock.advance(days=15)  # past the 15 days: the acknowledged one is overdue too
    assert len(officer_api.get("/grievances?overdue=true").get_json()["items"]) == 2


# --- the officer's work and the appeal ---------------------------------------------------------


def test_acknowledge_resolve_and_appeal_within_the_clocks(clock, app, buyer_api, officer_api):
    grievance_id = buyer_api.post("/grievances", COMPLAINT).get_json()["id"]
    clock.advance(hours=3)
    acknowledged = officer_api.patch(
        f"/grievances/{grievance_id}",
        {"status": "acknowledged", "note": "Check the supplier's GSTIN first."},
    )
    assert acknowledged.status_code == 200, acknowledged.get_json()
    assert acknowledged.get_json()["acknowledged_at"] == _iso(T0 + timedelta(hours=3))

    clock.advance(days=2)
    refused = officer_api.patch(f"/grievances/{grievance_id}", {"status": "resolved"})
    assert refused.status_code == 422 and "response" in refused.get_json()["errors"]
    backwards = officer_api.patch(f"/grievances/{grievance_id}", {"status": "received"})
    assert backwards.status_code == 422 and "status" in backwards.get_json()["errors"]

    resolved = officer_api.patch(
        f"/grievances/{grievance_id}",
        {"status": "resolved", "response": "The listing is removed and the supplier suspended."},
    )
    assert resolved.status_code == 200
    mail = outbox(app)[-1]
    assert "The listing is removed" in mail and "Grievance Appellate Committee" in mail

    seen = buyer_api.get(f"/grievances/{grievance_id}").get_json()
    assert seen["status"] == "resolved"
    assert seen["response"] == "The listing is removed and the supplier suspended."
    assert seen["appeal_by"] == _iso(T0 + timedelta(hours=3, days=2) + timedelta(days=30))
    texts = [event["text"] for event in seen["history"]]
    assert "Check the supplier's GSTIN first." not in texts  # an internal note stays internal
    officer_view = officer_api.get(f"/grievances/{grievance_id}").get_json()
    assert any(not event["public"] for event in officer_view["history"])

    short = buyer_api.post(f"/grievances/{grievance_id}/appeal", {"reason": "no"})
    assert short.status_code == 422 and "reason" in short.get_json()["errors"]
    other = buyer_api.__class__(buyer_api.client).sign_in(factories.buyer().email)
    stranger = other.post(f"/grievances/{grievance_id}/appeal", {"reason": "I object to it."})
    assert stranger.status_code == 404
    appealed = buyer_api.post(
        f"/grievances/{grievance_id}/appeal", {"reason": "I want my advance back, not a ban."}
    )
    assert appealed.status_code == 200 and appealed.get_json()["status"] == "appealed"
    assert "Appeal on" in outbox(app)[-1]
    again = buyer_api.post(f"/grievances/{grievance_id}/appeal", {"reason": "And again, please."})
    assert again.status_code == 409

    closed = officer_api.patch(
        f"/grievances/{grievance_id}",
        {"status": "closed", "response": "Refund arranged through the supplier."},
    )
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"


def test_an_appeal_after_30_days_is_refused(clock, buyer_api, officer_api):
    grievance_id = buyer_api.post("/grievances", COMPLAINT).get_json()["id"]
    officer_api.patch(f"/grievances/{grievance_id}", {"status": "rejected", "response": "No."})
    clock.advance(days=30, seconds=1)
    late = buyer_api.post(f"/grievances/{grievance_id}/appeal", {"reason": "I was travelling."})
    assert late.status_code == 409 and "30 days" in late.get_json()["detail"]


def test_assignment_among_officers(clock, api, buyer_api, officer_api):
    second = factories.staff("grievance_officer")
    grievance_id = buyer_api.post("/grievances", COMPLAINT).get_json()["id"]
    assigned = officer_api.patch(f"/grievances/{grievance_id}", {"assigned_to": second.id})
    assert assigned.get_json()["assigned_to"]["id"] == second.id
    buyer = buyer_api.get("/me").get_json()["id"]
    not_officer = officer_api.patch(f"/grievances/{grievance_id}", {"assigned_to": buyer})
    assert not_officer.status_code == 422 and "assigned_to" in not_officer.get_json()["errors"]
    mine = officer_api.get(f"/grievances?assigned_to={second.id}").get_json()
    assert [item["id"] for item in mine["items"]] == [grievance_id]
    empty = officer_api.patch(f"/grievances/{grievance_id}", {})
    assert empty.status_code == 422


# --- the compliance report ---------------------------------------------------------------------


def _filed(category: str, received: datetime, *, ack_after=None, resolve_after=None) -> None:
    user = db.session.get(User, factories.buyer().id)
    grievance = filing.file_grievance(
        user, GrievanceIn.model_validate({**COMPLAINT, "category": category}), now=received
    )
    officer = db.session.scalar(select(User).where(User.email.like("officer%")))
    if ack_after is not None:
        decisions.update_grievance(
            officer,
            grievance.id,
            GrievanceChange.model_validate({"status": "acknowledged"}),
            now=received + ack_after,
        )
    if resolve_after is not None:
        decisions.update_grievance(
            officer,
            grievance.id,
            GrievanceChange.model_validate({"status": "resolved", "response": "Done."}),
            now=received + resolve_after,
        )
    commit()


def test_the_report_counts_privacy_requests_by_type(ctx):
    from marketplace.privacy.models import PrivacyRequest, RequestType

    person = factories.buyer()
    inside = datetime(2026, 10, 12, 6, 0, tzinfo=UTC)
    for kind, when in (
        (RequestType.DELETION, inside),
        (RequestType.DELETION, inside + timedelta(days=3)),
        (RequestType.ACCESS, inside),
        (RequestType.ACCESS, datetime(2026, 11, 2, 6, 0, tzinfo=UTC)),  # after the period
    ):
        db.session.add(PrivacyRequest(user_id=person.id, type=kind, due_at=when, created_at=when))
    commit()
    figures = compliance_report.report(datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date())
    assert figures["privacy_requests_by_type"] == {
        "access": 1,
        "correction": 0,
        "deletion": 2,
        "objection": 0,
        "deactivation": 0,
    }
    assert "privacy_request:deletion,2" in compliance_report.report_csv(figures)


def test_the_report_counts_known_data(app, ctx, officer, client):
    day = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
    _filed("fraud", day, ack_after=timedelta(hours=2), resolve_after=timedelta(hours=10))
    _filed("fraud", day, ack_after=timedelta(hours=30), resolve_after=timedelta(days=16))
    _filed("privacy", day, ack_after=timedelta(hours=1), resolve_after=timedelta(hours=50))
    _filed("account", day, ack_after=timedelta(hours=5))
    _filed("other", day)
    # outside the period: filed at 00:10 on 1 November in India (18:40 UTC the day before
    # falls in October in UTC, but the report's days are India's)
    _filed("other", datetime(2026, 10, 31, 18, 40, tzinfo=UTC))

    figures = compliance_report.report(datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date())
    assert figures["received"] == 5
    assert figures["acknowledged_on_time"] == 3
    assert figures["resolved"] == 3
    assert figures["resolved_on_time"] == 2
    assert figures["by_category"] == {
        "privacy": 1,
        "fraud": 2,
        "lead_quality": 0,
        "account": 1,
        "payment": 0,
        "content_removal": 0,
        "other": 1,
    }
    assert figures["median_hours_to_resolve"] == 50.0  # of 10, 50 and 384 hours
    assert figures["privacy_requests_by_type"] == {
        "access": 0,
        "correction": 0,
        "deletion": 0,
        "objection": 0,
        "deactivation": 0,
    }

    from tests.conftest import Api

    officer_api = Api(client).sign_in(officer.email)
    body = officer_api.get("/grievances/report?from=2026-10-01&to=2026-10-31").get_json()
    assert body["received"] == 5 and body["median_hours_to_resolve"] == 50.0
    csv_response = client.get(
        "/api/v1/grievances/report?from=2026-10-01&to=2026-10-31&format=csv",
        headers={"Authorization": f"Bearer {officer_api.token}"},
    )
    assert csv_response.mimetype == "text/csv"
    text = csv_response.get_data(as_text=True)
    assert "received,5" in text and "category:fraud,2" in text
    assert "median_hours_to_resolve,50.0" in text
    assert "privacy_request:deletion,0" in text
    assert officer_api.get("/grievances/report?from=2026-10-31&to=2026-10-01").status_code == 422
    assert officer_api.get("/grievances/report?from=31/10/2026").status_code == 422
    for far in ("from=0001-01-01", "to=9999-12-31", "from=1999-12-31"):  # day arithmetic
        refused = officer_api.get(f"/grievances/report?{far}")  # would overflow past these
        assert refused.status_code == 422 and far[:-11] in refused.get_json()["errors"], far
    buyer = Api(client).sign_in(factories.buyer().email)
    assert buyer.get("/grievances/report").status_code == 403

    browser = app.test_client()
    sign_in_page(browser, officer)
    page = browser.get("/desk/report?from=2026-10-01&to=2026-10-31").get_data(as_text=True)
    assert 'data-figure="received">5<' in page and "grievance-charts.js" in page
    assert 'id="grievance-stats"' in page
    download = browser.get("/desk/report?from=2026-10-01&to=2026-10-31&format=csv")
    assert download.mimetype == "text/csv" and "received,5" in download.get_data(as_text=True)


# --- warnings and the desk registry ------------------------------------------------------------


def test_deadline_warnings_go_once_before_each_deadline(app, ctx, officer):
    user = db.session.get(User, factories.buyer().id)
    filing.file_grievance(user, GrievanceIn.model_validate(COMPLAINT), now=T0)
    commit()
    assert desk_items.warn_deadlines(now=T0 + timedelta(hours=17)) == 0
    sent = desk_items.warn_deadlines(now=T0 + timedelta(hours=18, minutes=30))
    commit()
    assert sent == 1
    mail = outbox(app)[-1]
    assert officer.email in mail and "Due soon: the deadline to acknowledge" in mail
    assert desk_items.warn_deadlines(now=T0 + timedelta(hours=19)) == 0  # once
    commit()
    # acknowledged: the next warning is for the 15 days, two days before they end
    grievance = db.session.scalar(select(Grievance))
    staff = db.session.get(User, officer.id)
    decisions.update_grievance(
        staff, grievance.id, GrievanceChange.model_validate({"status": "in_review"}), now=T0
    )
    commit()
    assert desk_items.warn_deadlines(now=T0 + timedelta(days=12)) == 0
    assert desk_items.warn_deadlines(now=T0 + timedelta(days=13, hours=1)) == 1
    commit()
    assert "Due soon: the deadline to resolve" in outbox(app)[-1]


def test_deadline_warnings_run_outside_a_request_with_every_desk_source(app, ctx, officer):
    """Beat has no request: every source's links (the privacy desk's too) still build."""
    from flask import has_request_context

    from marketplace.privacy.filing import submit_request
    from marketplace.privacy.inputs import PrivacyRequestIn

    buyer = factories.buyer()
    submit_request(
        db.session.get(User, buyer.id),
        PrivacyRequestIn.model_validate({"type": "deletion", "password": buyer.password}),
    )
    commit()
    assert not has_request_context()
    kinds = {item.kind for item in desk.open_items()}
    assert "privacy_request" in kinds
    desk_items.warn_deadlines(now=datetime.now(UTC) + timedelta(days=88))
    commit()
    assert "Due soon" in outbox(app)[-1]


def test_the_desk_lists_every_registered_source_by_nearest_deadline(app, ctx, officer, monkeypatch):
    monkeypatch.setattr(desk, "_SOURCES", list(desk.sources()))
    user = db.session.get(User, factories.buyer().id)
    filing.file_grievance(user, GrievanceIn.model_validate(COMPLAINT), now=T0)
    commit()
    privacy_item = desk.DeskItem(
        kind="privacy_request",
        id=7,
        reference="PR-7",
        subject="Delete my account",
        status="pending",
        received_at=T0 - timedelta(days=89),
        acknowledge_by=None,
        resolve_by=T0 + timedelta(days=2),  # the 90 days end in two days
        url="/privacy/officer",
    )

    @desk.register_source
    def _privacy_requests():
        return [privacy_item]

    items = desk.open_items()
    assert [item.kind for item in items] == ["grievance", "privacy_request"]  # 24 h comes first
    assert items[0].urgency(T0 + timedelta(hours=25)) == "overdue"
    assert items[0].urgency(T0 + timedelta(hours=20)) == "due_soon"
    assert items[1].urgency(T0) == "on_track"
    sent = desk_items.warn_deadlines(now=T0 + timedelta(days=1, hours=1))
    commit()
    assert sent == 2  # the grievance's acknowledgement and the privacy request
    assert any("PR-7" in message for message in outbox(app))

    browser = app.test_client()
    sign_in_page(browser, officer)
    page = browser.get("/desk").get_data(as_text=True)
    assert "PR-7" in page and "Delete my account" in page
    assert page.index("GR-") < page.index("PR-7")
    assert "privacy request" in page
    only = browser.get("/desk?kind=privacy_request").get_data(as_text=True)
    assert "PR-7" in only and "GR-" not in only.split("<tbody>")[1]


def test_only_officers_reach_the_desk_pages(app, buyer):
    browser = app.test_client()
    sign_in_page(browser, factories.Registered(buyer.id, buyer.email, buyer.password))
    for path in ("/desk", "/desk/grievances", "/desk/report", "/desk/breaches"):
        assert browser.get(path).status_code == 403, path
    assert app.test_client().get("/desk").status_code == 302  # to sign in


# --- pages: filing, the complainant's page, the officer's page ---------------------------------


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_filing_and_working_through_the_pages(app, buyer, officer):
    browser = app.test_client()
    token = sign_in_page(browser, buyer)
    page = browser.get("/grievances/new").get_data(as_text=True)
    assert "Your name" not in page  # signed in: no guest fields
    refused = browser.post("/grievances/new", data={"csrf_token": token, "subject": "x"})
    assert refused.status_code == 422 and "Please correct" in refused.get_data(as_text=True)
    filed = browser.post(
        "/grievances/new",
        data={
            "csrf_token": token,
            **COMPLAINT,
            "attachments": [(io.BytesIO(_png()), "screen.png"), (io.BytesIO(b"MZ..."), "x.exe")],
        },
        content_type="multipart/form-data",
    )
    assert filed.status_code == 422 and "x.exe" in filed.get_data(as_text=True)
    filed = browser.post(
        "/grievances/new",
        data={"csrf_token": token, **COMPLAINT, "attachments": [(io.BytesIO(_png()), "s.png")]},
        content_type="multipart/form-data",
    )
    assert filed.status_code == 302
    with app.app_context():
        grievance = db.session.scalar(select(Grievance))
        attachment = db.session.scalar(select(GrievanceAttachment))
        grievance_id, attachment_id = grievance.id, attachment.id
    mine = browser.get(f"/grievances/{grievance_id}").get_data(as_text=True)
    assert "Reference" in mine and "IST" in mine
    image = browser.get(f"/grievances/attachments/{attachment_id}")
    assert image.status_code == 200 and image.mimetype == "image/webp"
    assert app.test_client().get(f"/grievances/attachments/{attachment_id}").status_code == 302

    desk_browser = app.test_client()
    desk_token = sign_in_page(desk_browser, officer)
    assert desk_browser.get(f"/grievances/attachments/{attachment_id}").status_code == 200
    desk_page = desk_browser.get(f"/desk/grievances/{grievance_id}").get_data(as_text=True)
    assert buyer.email in desk_page
    done = desk_browser.post(
        f"/desk/grievances/{grievance_id}",
        data={"csrf_token": desk_token, "status": "resolved", "response": "", "note": "hm"},
    )
    assert done.status_code == 422 and "tell the complainant" in done.get_data(as_text=True).lower()
    done = desk_browser.post(
        f"/desk/grievances/{grievance_id}",
        data={"csrf_token": desk_token, "status": "resolved", "response": "Sorted.", "note": "x"},
    )
    assert done.status_code == 302
    mine = browser.get(f"/grievances/{grievance_id}").get_data(as_text=True)
    assert "Sorted." in mine and "Appeal this decision" in mine and "gac.gov.in" in mine
    appealed = browser.post(
        f"/grievances/{grievance_id}/appeal", data={"csrf_token": token, "reason": "Not sorted."}
    )
    assert appealed.status_code == 302
    assert "Your appeal is with the grievance officer" in browser.get(
        f"/grievances/{grievance_id}"
    ).get_data(as_text=True)


def test_a_guest_files_through_the_pages(app):
    browser = app.test_client()
    token = csrf_token(browser.get("/grievances/new").get_data(as_text=True))
    started = browser.post(
        "/grievances/new",
        data={"csrf_token": token, **COMPLAINT, "name": "Ravi Kumar", "email": "ravi@example.in"},
    )
    assert started.status_code == 302
    confirm = started.headers["Location"]
    code = re.search(r"\b(\d{6})\b", outbox(app)[-1]).group(1)
    assert confirm in outbox(app)[-1]
    filed = browser.post(confirm, data={"csrf_token": token, "code": code})
    assert filed.status_code == 200 and "GR-" in filed.get_data(as_text=True)


# --- breaches ----------------------------------------------------------------------------------


BREACH = {
    "nature": "A misconfigured export left buyer contacts readable for six hours.",
    "data_affected": ["name", "email", "mobile"],
    "users_affected": 120,
    "measures": "Export disabled; access logs reviewed.",
    "consequences": "Unwanted calls or phishing emails.",
    "user_safety_steps": "Do not share one-time codes; report suspicious calls.",
    # DPDP Rules r.7(1): when and where, and the extent, are told to each person too.
    "occurred_at": "2026-11-01T22:00:00+05:30",
    "occurred_where": "The buyer contacts export on the portal's server.",
    "extent": "Anyone holding the export's link could read it for six hours.",
}


def test_the_breach_clock_and_its_notices(clock, app, client, officer_api, buyer_api):
    detected = T0 - timedelta(hours=5)
    created = officer_api.post("/breaches", {**BREACH, "detected_at": _iso(detected)})
    assert created.status_code == 201, created.get_json()
    breach = created.get_json()
    assert breach["board_report_due"] == _iso(detected + timedelta(hours=72))
    assert buyer_api.post("/breaches", {**BREACH, "detected_at": _iso(detected)}).status_code == 403
    future = officer_api.post("/breaches", {**BREACH, "detected_at": _iso(T0 + timedelta(days=1))})
    assert future.status_code == 422 and "detected_at" in future.get_json()["errors"]
    for far in ("0001-01-01T00:00:00", "0001-01-01T00:00:00+05:30", "9999-12-31T23:59:59-05:00"):
        refused = officer_api.post("/breaches", {**BREACH, "detected_at": far})
        assert refused.status_code == 422 and "detected_at" in refused.get_json()["errors"], far
    missing = officer_api.post("/breaches", {"detected_at": "yesterday", "data_affected": "x"})
    assert {"detected_at", "nature", "users_affected"} <= set(missing.get_json()["errors"])

    # on the desk, with the 72-hour clock
    assert any(item.kind == "breach" for item in _desk_items(app))

    short = officer_api.patch(f"/breaches/{breach['id']}", {"nature": "x"})  # as when recorded
    assert short.status_code == 422 and "nature" in short.get_json()["errors"]
    early_close = officer_api.patch(f"/breaches/{breach['id']}", {"status": "closed"})
    assert early_close.status_code == 422 and "status" in early_close.get_json()["errors"]
    before = officer_api.patch(
        f"/breaches/{breach['id']}", {"board_intimated_at": _iso(detected - timedelta(hours=1))}
    )
    assert before.status_code == 422
    intimated = officer_api.patch(f"/breaches/{breach['id']}", {"board_intimated_at": _iso(T0)})
    assert intimated.get_json()["board_intimated_at"] == _iso(T0)

    notified = officer_api.patch(
        f"/breaches/{breach['id']}", {"notify_emails": ["a@example.in", "b@example.in"]}
    )
    assert notified.status_code == 200 and notified.get_json()["users_notified"] == 2
    notices = [mail for mail in outbox(app) if "personal data breach" in mail]
    assert len(notices) == 2
    for field in (
        BREACH["nature"],
        "name, email, mobile",
        BREACH["consequences"],
        BREACH["measures"],
        BREACH["user_safety_steps"],
        "grievance officer",
    ):
        assert field in notices[0], field
    bad = officer_api.patch(f"/breaches/{breach['id']}", {"notify_emails": ["not an email"]})
    assert bad.status_code == 422 and "notify_emails" in bad.get_json()["errors"]

    assert client.get("/notices/breaches").get_data(as_text=True).count(breach["reference"]) == 0
    clock.advance(hours=60)
    reported = officer_api.patch(
        f"/breaches/{breach['id']}", {"board_report_at": _iso(clock.now), "status": "closed"}
    )
    assert reported.status_code == 200 and reported.get_json()["status"] == "closed"
    assert not any(item.kind == "breach" for item in _desk_items(app))
    public = client.get("/notices/breaches").get_data(as_text=True)
    assert breach["reference"] in public and "120" in public
    listed = officer_api.get("/breaches").get_json()
    assert listed["total"] == 1
    with app.app_context():
        assert db.session.get(Breach, breach["id"]).closed_at == clock.now


def _desk_items(app):
    with app.test_request_context():
        return desk.open_items()


def test_breach_pages(clock, app, officer):
    browser = app.test_client()
    token = sign_in_page(browser, officer)
    refused = browser.post("/desk/breaches/new", data={"csrf_token": token, "nature": "short"})
    assert refused.status_code == 422
    created = browser.post(
        "/desk/breaches/new",
        data={
            "csrf_token": token,
            "detected_at": "2026-11-02T08:00",  # India's time: 02:30 UTC
            "nature": BREACH["nature"],
            "data_affected": "email\nmobile",
            "users_affected": "12",
            **{key: BREACH[key] for key in ("measures", "consequences", "user_safety_steps")},
            "occurred_at": "2026-11-02T07:00",
            "occurred_where": BREACH["occurred_where"],
            "extent": BREACH["extent"],
        },
    )
    assert created.status_code == 302
    with app.app_context():
        breach = db.session.scalar(select(Breach))
        assert breach.detected_at == datetime(2026, 11, 2, 2, 30, tzinfo=UTC)
        assert breach.data_affected == ["email", "mobile"]
        breach_id = breach.id
    page = browser.get(f"/desk/breaches/{breach_id}").get_data(as_text=True)
    assert "5 Nov 2026, 8:00 AM IST" in page  # 72 hours on
    sent = browser.post(
        f"/desk/breaches/{breach_id}",
        data={"csrf_token": token, "notify_emails": "x@example.in\ny@example.in"},
    )
    assert sent.status_code == 302
    assert "2 people" in browser.get(f"/desk/breaches/{breach_id}").get_data(as_text=True)


# --- notices, links and the audit log ----------------------------------------------------------


def test_the_notices_are_published_and_linked_from_every_page(app, client):
    home = client.get("/").get_data(as_text=True)
    for path in (
        "/notices/privacy",
        "/notices/terms",
        "/notices/grievance-officer",
        "/notices/sub-processors",
        "/notices/breaches",
        "/grievances/new",
    ):
        assert f'href="{path}"' in home, path
        assert client.get(path).status_code == 200, path
    privacy = client.get("/notices/privacy").get_data(as_text=True)
    assert "Version 2026-11" in privacy and "<h2>Your rights</h2>" in privacy
    assert app.config["GRIEVANCE_OFFICER_EMAIL"] in home
    officer_page = client.get("/notices/grievance-officer").get_data(as_text=True)
    assert app.config["GRIEVANCE_OFFICER_NAME"] in officer_page
    register = client.get("/account/register").get_data(as_text=True)
    assert 'href="/notices/terms"' in register and 'href="/notices/privacy"' in register


def test_the_notice_renderer_escapes_everything(ctx):
    from marketplace.grievances.notices import render

    html = render(
        "# Title <b>\n\nA <script>alert(1)</script> and [ok](/x) and [bad](javascript:alert(1))"
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="/x">ok</a>' in html and 'href="javascript' not in html
    assert "<h2>Title &lt;b&gt;</h2>" in html


def test_the_audit_log_reads_like_a_page_for_officers(app, buyer_api, officer):
    from marketplace.db import IST, utcnow

    buyer_api.post("/grievances", COMPLAINT)
    today = utcnow().astimezone(IST).date()
    browser = app.test_client()
    sign_in_page(browser, officer)
    page = browser.get("/account/audit").get_data(as_text=True)
    assert "Asha Rao &lt;" in page  # the buyer's name, not an id
    assert f"{today.day} {today:%b %Y}" in page and "IST" in page
    assert '<option value="grievance.filed"' in page
    assert "category: fraud" in page and "{&#34;" not in page  # details as text, not JSON
    filtered = browser.get(f"/account/audit?action=grievance.filed&since={today}&until={today}")
    assert 'data-action="grievance.filed"' in filtered.get_data(as_text=True)
    assert "Asha Rao filed the complaint" in filtered.get_data(as_text=True)
    buyer_id = buyer_api.get("/me").get_json()["id"]
    by_person = browser.get(f"/account/audit?actor={buyer_id}").get_data(as_text=True)
    assert 'data-action="grievance.filed"' in by_person
    later = today + timedelta(days=1)
    empty = browser.get(f"/account/audit?action=grievance.filed&since={later}")
    assert "No events." in empty.get_data(as_text=True)
    for far in ("since=0001-01-01", "until=9999-12-31"):  # ignored, like any unreadable day
        assert browser.get(f"/account/audit?{far}").status_code == 200, far
    bad = browser.get("/account/audit?since=yesterday&actor=%D9%A1")
    assert bad.status_code == 200  # an unreadable filter is ignored, not a 500


def test_the_cli_warns_and_reports(app, ctx, officer):
    user = db.session.get(User, factories.buyer().id)
    filing.file_grievance(user, GrievanceIn.model_validate(COMPLAINT), now=T0 - timedelta(days=2))
    commit()
    runner = app.test_cli_runner()
    warned = runner.invoke(args=["grievances", "warn-deadlines"])
    # both deadlines (acknowledge, resolve) have passed by now: one warning each
    assert warned.exit_code == 0 and "2 deadline warnings sent." in warned.output
    again = runner.invoke(args=["grievances", "warn-deadlines"])
    assert "0 deadline warnings sent." in again.output
    day = (T0 - timedelta(days=2)).date().isoformat()
    report = runner.invoke(args=["grievances", "report", "--from", day, "--to", day])
    assert report.exit_code == 0 and "received,1" in report.output


def test_status_labels_cover_every_status():
    from marketplace.grievances.models import STATUS_LABELS

    assert set(STATUS_LABELS) == set(Status)


def test_bad_attachments_are_named_and_nothing_is_filed(ctx, buyer, monkeypatch):
    """Attachments go through the shared upload check: too big, or not an image, each is a
    message naming the file, and the complaint is not filed."""
    from marketplace import images
    from marketplace.errors import ValidationFailed

    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 1000)
    user = db.session.get_one(User, buyer.id)
    with pytest.raises(ValidationFailed) as refused:
        filing.file_grievance(
            user,
            GrievanceIn.model_validate(COMPLAINT),
            attachments=[
                ("large.png", io.BytesIO(b"\x89PNG" + b"\x00" * 2000)),
                ("notes.txt", io.BytesIO(b"just text")),
            ],
        )
    messages = refused.value.errors["attachments"]
    assert any(m.startswith("large.png:") and "5 MB" in m for m in messages), messages
    assert any(m.startswith("notes.txt:") and "JPEG, PNG or WebP" in m for m in messages)
    assert db.session.scalar(select(Grievance.id)) is None
