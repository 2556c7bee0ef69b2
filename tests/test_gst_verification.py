"""GST verification with receipts: each answer of the registry (through the HTTP client and a
fake GSP) gives one recorded outcome and the right badge; the monthly re-check removes a lapsed
registration's badge, mails the supplier and puts it on the officer's desk; the receipt page and
the badge say what was checked and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace import desk
from marketplace.accounts import gst_desk, gst_rechecks, tasks
from marketplace.accounts.gst_matching import compare, normalise_name
from marketplace.accounts.gst_models import CheckRequester, GstCheck, GstOutcome
from marketplace.accounts.gst_receipts import badge_text, erase_receipts
from marketplace.accounts.gst_registry import Registration, SandboxRegistry
from marketplace.accounts.gst_verification import check_gstin, set_gst_verification
from marketplace.accounts.models import GstVerification, SupplierProfile, User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.privacy.export import collect
from tests import factories
from tests.conftest import csrf_token, outbox, sign_in_page
from tests.gst_registry_server import serving_fake_gsp, taxpayer

NOW = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)  # 3 Dec 2026, 1:30 am in India


def _badge_mail(app) -> list[str]:
    """The mail telling a supplier its badge was removed (registration mails are left out)."""
    return [mail for mail in outbox(app) if "Subject: Your GST verified badge was removed" in mail]


def _profile(registered: factories.Registered) -> SupplierProfile:
    profile = db.session.get(User, registered.id).supplier
    db.session.refresh(profile)
    return profile


@pytest.fixture()
def http_registry(app):
    """The app asks a fake GSP on 127.0.0.1, as GST_REGISTRY=http would."""
    names = ("GST_REGISTRY", "GST_REGISTRY_URL", "GST_REGISTRY_KEY", "GST_REGISTRY_TIMEOUT")
    saved = {name: app.config[name] for name in names}
    with serving_fake_gsp() as gsp:
        app.config.update(
            GST_REGISTRY="http",
            GST_REGISTRY_URL=gsp.url,
            GST_REGISTRY_KEY="k3y",
            GST_REGISTRY_TIMEOUT=1,
        )
        try:
            yield gsp
        finally:
            app.config.update(saved)


# --- each answer, through the HTTP client, the CLI and the pages ----------------------------

SCENARIOS = {
    # name: (what the registry answers, given the profile), outcome, mismatches
    "active": (lambda p: taxpayer(p), GstOutcome.VERIFIED, []),
    "suspended": (lambda p: taxpayer(p, sts="Suspended"), GstOutcome.NOT_ACTIVE, []),
    "cancelled": (
        lambda p: taxpayer(p, sts="Cancelled", cxdt="31/03/2026"),
        GstOutcome.NOT_ACTIVE,
        [],
    ),
    "mismatched name": (
        lambda p: taxpayer(p, lgnm="SHARMA STEEL PVT LTD", tradeNam="SHARMA STEEL"),
        GstOutcome.MISMATCH,
        ["name"],
    ),
    "mismatched state": (
        lambda p: taxpayer(p, address={"stcd": "Gujarat"}),
        GstOutcome.MISMATCH,
        ["state"],
    ),
    "mismatched PIN": (
        lambda p: taxpayer(p, address={"pncd": "411001"}),
        GstOutcome.MISMATCH,
        ["pincode"],
    ),
}
FAILURES = {
    "timeout": {"delay": 2.5},
    "malformed JSON": {"body": b'{"gstin": "27'},
    "HTTP 500": {"status": 500},
    "HTTP 503": {"status": 503},
}


def _run_cli_check(app, gstin: str) -> str:
    result = app.test_cli_runner().invoke(args=["accounts", "check-gst", gstin])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("before", [GstVerification.PENDING, GstVerification.VERIFIED])
def test_each_answer_is_one_recorded_outcome_and_the_right_badge(
    app, ctx, client, http_registry, scenario, before
):
    answer, outcome, mismatches = SCENARIOS[scenario]
    registered = factories.supplier()
    profile = _profile(registered)
    set_gst_verification(profile.id, before)
    commit()
    http_registry.answer(answer(profile))
    output = _run_cli_check(app, registered.gstin)
    check = db.session.scalars(select(GstCheck)).one()
    assert (check.outcome, check.mismatches) == (outcome, mismatches)
    assert check.requested_by == CheckRequester.ADMIN and check.problem is None
    verified = outcome == GstOutcome.VERIFIED
    assert _profile(registered).gst_verified is verified
    assert (
        check.status_after == ("verified" if verified else "rejected")
        and check.status_before == before
    )
    assert ("Verified." if verified else "GST verification: rejected.") in output
    receipt = client.get(f"/suppliers/{profile.id}/gst-receipt")
    assert receipt.status_code == 200
    storefront = client.get(f"/suppliers/{profile.id}", follow_redirects=True).text
    assert ("GSTIN active, legal name, state and PIN match" in storefront) is verified
    assert ("GSTIN not confirmed" in storefront) is not verified


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("before", [GstVerification.PENDING, GstVerification.VERIFIED])
def test_no_usable_answer_is_recorded_and_changes_no_badge(
    app, ctx, client, http_registry, failure, before
):
    registered = factories.supplier()
    profile = _profile(registered)
    set_gst_verification(profile.id, before)
    commit()
    http_registry.answer(taxpayer(profile))
    for name, value in FAILURES[failure].items():
        setattr(http_registry, name, value)
    output = _run_cli_check(app, registered.gstin)
    check = db.session.scalars(select(GstCheck)).one()
    assert check.outcome == GstOutcome.COULD_NOT_CHECK
    assert check.problem == {"timeout": "timeout", "malformed JSON": "malformed"}.get(
        failure, "http_error"
    )
    assert _profile(registered).gst_verification == before == check.status_after
    assert "Nothing was changed" in output
    assert not _badge_mail(app) and not check.needs_officer
    receipt = client.get(f"/suppliers/{profile.id}/gst-receipt")
    assert receipt.status_code == 200 and "Could not check" in receipt.text


def test_an_unknown_supplier_cannot_be_checked(app, ctx):
    result = app.test_cli_runner().invoke(args=["accounts", "check-gst", "27AAPFU0939F1ZV"])
    assert result.exit_code == 1 and "No supplier" in result.output


# --- comparing names, states and PIN codes --------------------------------------------------


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (
            "Kulkarni Precision Engineering Pvt. Ltd.",
            "KULKARNI PRECISION ENGINEERING PRIVATE LIMITED",
        ),
        ("M/s. Sri Murugan Pumps and Motors", "SRI MURUGAN PUMPS & MOTORS"),
        ("Nova Electricals L.L.P.", "NOVA ELECTRICALS LLP"),
        ("The Bharat Polymers Co.", "BHARAT POLYMERS COMPANY"),
        ("eastern jute mills ltd", "Eastern Jute Mills Limited"),
    ],
)
def test_names_written_differently_are_the_same_name(ours, theirs):
    assert normalise_name(ours) == normalise_name(theirs)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("Kulkarni Precision Engineering", "KULKARNI PRECISION ENGINEERING PRIVATE LIMITED"),
        ("Bharat Polymers Pvt Ltd", "BHARAT POLYMERS LIMITED"),
        ("Nova Lighting Solutions", "NOVA ELECTRICALS LLP"),
    ],
)
def test_names_that_differ_in_substance_differ(ours, theirs):
    assert normalise_name(ours) != normalise_name(theirs)


def _registration(**changes) -> Registration:
    fields = {
        "gstin": "27AAFCK4821M1Z9",
        "legal_name": "RAKESH KUMAR AGARWAL",
        "trade_name": "AGARWAL TEXTILE TRADERS",
        "status": "active",
        "status_text": "Active",
        "taxpayer_type": "Regular",
        "registered_on": None,
        "cancelled_on": None,
        "principal_address": "",
        "state": "Maharashtra",
        "pincode": "411026",
    }
    return Registration(**{**fields, **changes})


def test_the_trade_name_may_be_the_business_name():
    found = compare("Agarwal Textile Traders", "Maharashtra", "411026", _registration())
    assert (found.mismatches, found.name_matched) == ((), "trade")


def test_a_pin_of_an_additional_place_of_business_matches():
    registration = _registration(other_pincodes=("410501",))
    assert compare("Rakesh Kumar Agarwal", "MH", "410501", registration).mismatches == ()
    assert compare("Rakesh Kumar Agarwal", "Goa", "403001", registration).mismatches == (
        "state",
        "pincode",
    )


# --- the badge and the receipt page ----------------------------------------------------------


def _verified_at(registered: factories.Registered, when: datetime) -> GstCheck:
    profile = _profile(registered)
    registry = SandboxRegistry({profile.gstin: taxpayer(profile)})
    check = check_gstin(profile.id, requested_by=CheckRequester.ADMIN, registry=registry, now=when)
    commit()
    return check


def test_the_badge_says_what_was_checked_and_when_in_india(app, ctx, client, shop):
    registered = db.session.get(User, shop.supplier_id)
    check = _verified_at(factories.Registered(registered.id, registered.email, ""), NOW)
    expected = "GSTIN active, legal name, state and PIN match, checked 3 Dec 2026"
    assert badge_text(check) == expected
    receipt_url = f"/suppliers/{check.supplier_id}/gst-receipt"
    for page in (f"/suppliers/{check.supplier_id}", f"/products/{shop.product_id}"):
        text = client.get(page, follow_redirects=True).text
        assert expected in text and f'href="{receipt_url}"' in text


def test_a_badge_set_by_hand_has_no_receipt_line(app, ctx, client, supplier):
    profile = _profile(supplier)
    set_gst_verification(profile.id, "verified")
    commit()
    text = client.get(f"/suppliers/{profile.id}", follow_redirects=True).text
    assert "GST verified" in text and "checked" not in text.split("GST verified")[0][-200:]
    receipt = client.get(f"/suppliers/{profile.id}/gst-receipt").text
    assert "before TradeSetu kept receipts" in receipt


def test_the_receipt_page_shows_business_facts_and_no_personal_data(app, ctx, client):
    registered = factories.supplier(name="Sunita Deshmukh")
    check = _verified_at(registered, NOW)
    text = client.get(f"/suppliers/{check.supplier_id}/gst-receipt").text
    assert check.legal_name in text and "Regular" in text and "1 Jul 2017" in text
    assert "Verified" in text and "a TradeSetu administrator" in text
    for personal in (registered.email, registered.phone, "Sunita"):  # (the GSTIN holds the PAN)
        assert personal not in text


def test_the_receipt_of_no_supplier_is_not_found(client, ctx):
    assert client.get("/suppliers/999999/gst-receipt").status_code == 404


def test_an_erased_supplier_takes_its_receipts(app, ctx):
    check = _verified_at(factories.supplier(), NOW)
    assert erase_receipts(check.supplier_id) == 1
    assert db.session.scalar(select(GstCheck)) is None


def test_a_closed_account_is_never_rechecked(app, ctx):
    check = _verified_at(factories.supplier(), NOW)
    later = NOW + timedelta(days=400)
    assert gst_rechecks.due_for_recheck(later) == [check.supplier_id]
    check.supplier.user.is_active_account = False
    commit()
    assert gst_rechecks.due_for_recheck(later) == []


# --- the monthly re-check --------------------------------------------------------------------


def test_the_monthly_recheck_removes_a_lapsed_badge_at_once(app, ctx, client, http_registry):
    registered = factories.supplier()
    _verified_at(registered, datetime.now(UTC) - timedelta(days=31))
    fresh = factories.supplier()
    _verified_at(fresh, datetime.now(UTC) - timedelta(days=10))  # not due
    http_registry.answer(taxpayer(_profile(registered), sts="Cancelled", cxdt="30/11/2026"))
    assert tasks.recheck_gst_registrations() == 1
    assert tasks.recheck_gst_registrations() == 0  # idempotent: nobody is due again today
    profile = _profile(registered)
    assert profile.gst_verification == GstVerification.REJECTED and _profile(fresh).gst_verified
    latest = db.session.scalars(
        select(GstCheck).where(GstCheck.supplier_id == profile.id).order_by(GstCheck.id.desc())
    ).first()
    assert latest.requested_by == CheckRequester.BEAT and latest.outcome == GstOutcome.NOT_ACTIVE
    (mail,) = _badge_mail(app)
    assert f"To: {registered.email}" in mail and "Cancelled" in mail
    assert f"/suppliers/{profile.id}/gst-receipt" in mail
    items = [i for i in desk.open_items() if i.kind == "gst_registration"]
    assert [(i.id, i.reference) for i in items] == [(latest.id, f"GST-{latest.id}")]
    assert (
        "GSTIN not confirmed" in client.get(f"/suppliers/{profile.id}", follow_redirects=True).text
    )


def test_a_recheck_that_gets_no_answer_keeps_the_badge_and_tries_again_tomorrow(
    app, ctx, http_registry
):
    registered = factories.supplier()
    _verified_at(registered, datetime.now(UTC) - timedelta(days=40))
    http_registry.answer({"oops": True}, status=502)
    assert gst_rechecks.recheck_due() == 1
    assert _profile(registered).gst_verified and not _badge_mail(app)
    assert not [i for i in desk.open_items() if i.kind == "gst_registration"]
    assert gst_rechecks.due_for_recheck(datetime.now(UTC)) == []
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert gst_rechecks.due_for_recheck(tomorrow) == [_profile(registered).id]


def test_a_recheck_that_confirms_renews_the_date_and_tells_nobody(app, ctx, http_registry):
    registered = factories.supplier()
    _verified_at(registered, datetime.now(UTC) - timedelta(days=31))
    http_registry.answer(taxpayer(_profile(registered)))
    assert gst_rechecks.recheck_due() == 1
    assert _profile(registered).gst_verified and not _badge_mail(app)
    assert gst_rechecks.due_for_recheck(datetime.now(UTC) + timedelta(days=29)) == []


def test_a_badge_set_by_hand_is_due_at_once(app, ctx):
    profile = _profile(factories.supplier())
    set_gst_verification(profile.id, "verified")
    commit()
    assert gst_rechecks.due_for_recheck(datetime.now(UTC)) == [profile.id]


def test_the_beat_schedule_runs_the_recheck_daily(app):
    from workers.schedule import beat_schedule

    job = beat_schedule(app.config)["recheck-gst-registrations"]
    assert job["task"] == "marketplace.accounts.tasks.recheck_gst_registrations"
    assert job["schedule"] == 86400.0


# --- the officer's desk ----------------------------------------------------------------------


def _lapsed(registered: factories.Registered) -> GstCheck:
    profile = _profile(registered)
    set_gst_verification(profile.id, "verified")
    registry = SandboxRegistry({profile.gstin: taxpayer(profile, sts="Suspended")})
    check = check_gstin(profile.id, requested_by=CheckRequester.BEAT, registry=registry)
    commit()
    return check


def test_the_officer_closes_a_lapsed_registration_with_a_note(app, ctx):
    check = _lapsed(factories.supplier())
    officer = factories.staff()
    client = app.test_client()
    token = sign_in_page(client, officer)
    url = f"/desk/gst-registrations/{check.id}"
    page = client.get(url)
    assert page.status_code == 200 and "Suspended" in page.text
    refused = client.post(url, data={"csrf_token": token, "note": "  "})
    assert refused.status_code == 422 and "for the record" in refused.text
    closed = client.post(url, data={"csrf_token": csrf_token(refused.text), "note": "Called."})
    assert closed.status_code == 302
    db.session.expire_all()
    assert db.session.get(GstCheck, check.id).closed_at is not None
    assert not [i for i in desk.open_items() if i.kind == "gst_registration"]
    assert not _profile(factories.Registered(check.supplier.user_id, "", "")).gst_verified


def test_a_check_that_needs_no_officer_has_no_desk_page(app, ctx):
    check = _verified_at(factories.supplier(), NOW)
    with pytest.raises(Exception, match="No such GST registration alert"):
        gst_desk.alert_for(check.id)


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_shows_each_kind_of_receipt(app, ctx, client):
    seeded = app.test_cli_runner().invoke(
        args=["demo", "seed", "--products", "20", "--suppliers", "12", "--buyers", "1"]
    )
    assert seeded.exit_code == 0, seeded.output
    checks = db.session.scalars(select(GstCheck).order_by(GstCheck.id)).all()
    assert [(c.outcome, c.mismatches) for c in checks] == [
        (GstOutcome.VERIFIED, []),
        (GstOutcome.VERIFIED, []),
        (GstOutcome.VERIFIED, []),
        (GstOutcome.NOT_ACTIVE, []),
        (GstOutcome.NOT_ACTIVE, []),
        (GstOutcome.MISMATCH, ["name"]),
        (GstOutcome.MISMATCH, ["pincode"]),
        (GstOutcome.MISMATCH, ["state"]),
        (GstOutcome.NOT_FOUND, []),
        (GstOutcome.COULD_NOT_CHECK, []),
    ]
    assert [c.name_matched for c in checks[:3]] == ["legal", "trade", "legal"]
    assert len([i for i in desk.open_items() if i.kind == "gst_registration"]) == 2
    kept = checks[-1].supplier  # a timeout leaves the badge it had
    assert kept.gst_verified and checks[-1].status_after == GstVerification.VERIFIED
    page = client.get(f"/suppliers/{checks[1].supplier_id}", follow_redirects=True).text
    assert "GSTIN active, trade name, state and PIN match, checked" in page


def test_the_public_profile_carries_the_receipt(app, ctx, api):
    check = _verified_at(factories.supplier(), NOW)
    profile = api.get(f"/suppliers/{check.supplier_id}").get_json()  # against the document
    assert profile["verification"]["gst"] == {
        "status": "verified",
        "checked_at": "2026-12-02T20:00:00Z",
        "source": "the GST registry",
        "matches": {"name": True, "state": True, "pincode": True},
        "badge": badge_text(check),
        "receipt_url": f"/suppliers/{check.supplier_id}/gst-receipt",
    }


def test_an_answer_with_overlong_fields_is_stored_not_a_failure(app, ctx, http_registry):
    registered = factories.supplier()
    profile = _profile(registered)
    long = "X" * 400
    http_registry.answer(
        taxpayer(profile, sts="Cancelled " + long, dty=long, tradeNam=long, address={"stcd": long})
    )
    _run_cli_check(app, registered.gstin)
    check = db.session.scalars(select(GstCheck)).one()
    assert check.outcome == GstOutcome.NOT_ACTIVE and len(check.trade_name) == 200


def test_the_access_export_holds_the_business_receipts(app, ctx):
    registered = factories.supplier()
    check = _verified_at(registered, NOW)
    (row,) = collect(db.session.get(User, registered.id))["gst_checks"]
    assert row["outcome"] == "verified" and row["registry_legal_name"] == check.legal_name
    assert row["checked_at"] == "2026-12-02T20:00:00Z" and row["registered_on"] == "2017-07-01"
    assert collect(db.session.get(User, factories.buyer().id))["gst_checks"] == []
