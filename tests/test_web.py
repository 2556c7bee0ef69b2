"""The HTML pages through the test client: forms, CSRF, redirects, error pages, headers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests import factories
from tests.conftest import csrf_token, sign_in_page


def _supplier_form(client, **changes):
    page = client.get("/account/register/supplier").get_data(as_text=True)
    data = factories.registration("supplier")
    form = {
        "csrf_token": csrf_token(page),
        "name": data["name"],
        "email": data["email"],
        "phone": data["phone"],
        "password": data["password"],
        "company_name": data["company_name"],
        "gstin": data["gstin"],
        "pan": "",
        "address_line1": data["address"]["line1"],
        "address_city": "Pune",
        "address_state": "Maharashtra",
        "address_pincode": "411026",
        "age_confirmed": "y",
        "accept_terms": "y",
        "consent_newsletters": "y",
    }
    form.update(changes)
    return form


def test_supplier_registers_through_the_form(client, ctx):
    form = _supplier_form(client)
    response = client.post("/account/register/supplier", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/")
    profile = client.get("/account/").get_data(as_text=True)
    assert form["gstin"] in profile and "awaiting GST registry" in profile


def test_invalid_gstin_is_shown_beside_the_field_and_input_is_kept(client, ctx):
    form = _supplier_form(client, gstin="27AAPFU0939F1ZW")
    response = client.post("/account/register/supplier", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The check character (the last one) does not match" in page
    assert 'aria-invalid="true"' in page
    assert form["email"] in page  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_forms_without_a_csrf_token_are_refused(client, ctx):
    form = _supplier_form(client)
    form.pop("csrf_token")
    response = client.post("/account/register/supplier", data=form)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_sign_in_and_out(client, buyer):
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    wrong = client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": buyer.email, "password": "wrong-password-1"},
    )
    assert wrong.status_code == 401
    assert "The email or password is not correct." in wrong.get_data(as_text=True)
    right = client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": buyer.email, "password": buyer.password},
    )
    assert right.status_code == 302
    page = client.get("/account/").get_data(as_text=True)
    assert "Asha Rao" in page
    client.post("/account/sign-out", data={"csrf_token": csrf_token(page)})
    assert client.get("/account/").status_code == 302


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/account/", "/account/"),
        ("https://evil.example/", "/account/"),
        ("//evil.example/", "/account/"),
        ("/\\evil.example", "/account/"),
    ],
)
def test_sign_in_only_redirects_within_the_site(client, buyer, next_url, expected):
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    response = client.post(
        f"/account/sign-in?next={next_url}",
        data={"csrf_token": token, "email": buyer.email, "password": buyer.password},
    )
    assert response.headers["Location"] == expected


@pytest.mark.parametrize(
    "target, kept",
    [
        ("/leads?status=new", True),
        ("/\t/evil.example", False),  # a browser drops the tab: //evil.example
        ("/\n/evil.example", False),
        ("/\\evil.example", False),
        ("//evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
    ],
)
def test_a_next_page_is_only_ever_on_this_site(target, kept):
    from marketplace.web import local_target

    assert local_target(target, "/fallback") == (target if kept else "/fallback")


def test_the_privacy_notice_does_not_send_anyone_off_site(client, buyer):
    sign_in_page(client, buyer)
    form = client.get("/privacy/notice").get_data(as_text=True)
    sent = client.post(
        "/privacy/notice", data={"csrf_token": csrf_token(form), "next": "/\t/evil.example"}
    )
    assert sent.status_code == 302 and "evil" not in sent.headers["Location"]


def test_profile_needs_sign_in(client, ctx):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_profile_shows_masked_pan_and_saves_corrections(client, supplier):
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": supplier.email, "password": supplier.password},
    )
    page = client.get("/account/").get_data(as_text=True)
    assert supplier.gstin[2:7] + "XXXX" + supplier.gstin[11] in page
    form = {
        "csrf_token": csrf_token(page),
        "name": "Asha Rao",
        "email": supplier.email,
        "phone": supplier.phone,
        "company_name": "Rao Steel Traders",
        "gstin": "27AAPFU0939F1ZW",
        "address_line1": "Plot 12, MIDC Bhosari",
        "address_city": "Pune",
        "address_state": "Maharashtra",
        "address_pincode": "411026",
    }
    refused = client.post("/account/", data=form)
    assert refused.status_code == 422
    assert "does not match" in refused.get_data(as_text=True)
    form["gstin"] = supplier.gstin
    saved = client.post("/account/", data=form)
    assert saved.status_code == 302


def test_password_change_keeps_this_session(client, buyer):
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": buyer.email, "password": buyer.password},
    )
    page = client.get("/account/").get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": buyer.password,
            "new_password": "monsoon-ledger-pepper-8",
        },
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def test_audit_page_is_for_staff_only(app, ctx):
    buyer = factories.buyer()
    officer = factories.staff()
    for person, status in ((buyer, 403), (officer, 200)):
        client = app.test_client()
        token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
        client.post(
            "/account/sign-in",
            data={"csrf_token": token, "email": person.email, "password": person.password},
        )
        assert client.get("/account/audit").status_code == status


def test_error_pages_are_html_and_api_errors_are_problems(client, ctx):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Not Found" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    wrong_method = client.delete("/api/v1/accounts")
    assert wrong_method.status_code == 405 and "Allow" in wrong_method.headers


def test_security_headers(client, ctx):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_an_unexpected_error_is_a_clean_500(app, client, ctx, monkeypatch):
    from marketplace.accounts import api_keys as services

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "credential_for_bearer", explode)
    monkeypatch.setattr("marketplace.api.blueprint.credential_for_bearer", explode)
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer x"})
    assert response.status_code == 500
    assert response.get_json()["detail"].startswith("Something went wrong")
