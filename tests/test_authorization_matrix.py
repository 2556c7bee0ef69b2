"""Who may call what: the expected outcome of every registered route (pages and API, walked from
the app's URL map) for every kind of caller, in one table.

Objects belong to the first buyer and the first supplier, so the other buyer and the other
supplier prove tenant isolation (someone else's object is a 404, never a 403 that would confirm
it exists). Mutating routes are called with an empty body: whoever may call them gets past the
policy to the rules (a 4xx naming fields, or the action itself, which is why destructive routes
get an object of their own for each caller allowed to destroy it), and whoever may not gets the
policy's answer before any input is read. A route without a row, or a row without a route,
fails the suite. One world is built per database (the `app` fixture runs SQLite and
PostgreSQL), then every request is made and every difference reported at once.
"""

from __future__ import annotations

import io
import itertools
import re
from base64 import b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from marketplace.accounts import api_keys, photos, team
from marketplace.accounts.gst_models import CheckRequester
from marketplace.accounts.gst_registry import SandboxRegistry
from marketplace.accounts.gst_verification import check_gstin, set_gst_verification
from marketplace.accounts.inputs import IntegrationKeyIn
from marketplace.accounts.models import BusinessPhoto, SupplierProfile, User
from marketplace.accounts.team_inputs import MemberIn
from marketplace.catalog import services as catalog
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.models import ProductImage
from marketplace.credits import operators
from marketplace.credits.inputs import GoodwillIn
from marketplace.db import commit
from marketplace.extensions import db, limiter
from marketplace.grievances.models import GrievanceAttachment
from marketplace.leads import assignment_rules, bad_leads, enquiries, requirements, webhook_targets
from marketplace.leads.assignment_rules import RuleIn
from marketplace.leads.inputs import EnquiryIn, RequirementIn
from marketplace.leads.models import LeadSource
from marketplace.leads.report_inputs import BuyLeadReportIn
from marketplace.privacy import newsletters
from marketplace.privacy.consent_inputs import NewsletterIn
from tests import factories
from tests.authorization_table import (
    ACTORS,
    ALLOWED,
    FORBIDDEN,
    MATRIX,
    NOT_FOUND,
    PEOPLE,
    REDIRECTED,
    SCOPES,
    SIGN_IN,
    TEAM,
    TEAM_MATRIX,
    UNAUTHENTICATED,
)
from tests.conftest import Api, csrf_token, make_test_app, sign_in_page
from tests.gst_registry_server import suspended_answer
from tests.test_credits import _order, _paid_order
from tests.test_grievances import COMPLAINT
from tests.test_leads import GUEST, PIPE
from tests.test_requirements import REQUIREMENT


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(data, "PNG")
    data.seek(0)
    return data


@dataclass
class World:
    """The people, their credentials and their objects, made once per database."""

    app: Flask
    ids: dict[str, Any] = field(default_factory=dict)
    people: dict[str, factories.Registered] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)
    pages: dict[str, tuple[FlaskClient, str]] = field(default_factory=dict)

    def user(self, actor: str) -> User:
        return db.session.get_one(User, self.people[actor].id)

    def api(self, actor: str) -> Api:
        return Api(self.app.test_client(), self.tokens[actor])


def _key(world: World, scopes: list[str]) -> tuple[int, str]:
    with world.app.app_context():
        body = IntegrationKeyIn.model_validate({"name": "CRM", "scopes": scopes})
        key, credential = api_keys.create_integration_key(world.user("supplier"), body)
        commit()
        return credential.id, key


def _product(world: World) -> int:
    with world.app.app_context():
        product = catalog.create_product(world.user("supplier"), ProductIn.model_validate(PIPE))
        commit()
        return product.id


def _image(world: World) -> dict[str, Any]:
    product_id = _product(world)
    with world.app.app_context():
        image = catalog.add_image(world.user("supplier"), product_id, _png())
        commit()
        return {"product_id": product_id, "image_id": image.id}


def _photo(world: World) -> dict[str, Any]:
    with world.app.app_context():
        photo = photos.add_photo(world.user("supplier"), _png())
        commit()
        return {"photo_id": photo.id}


def _lead(world: World, buyer: factories.Registered | None = None) -> int:
    with world.app.app_context():
        buyer = buyer or factories.buyer()
        body = EnquiryIn.model_validate(
            {
                "product_id": world.ids["product_id"],
                "quantity": "500",
                "message": "Please quote for 500 kg, delivery to Pune.",
                "city": "Pune",
            }
        )
        lead_id, _ = enquiries.send_enquiry(buyer.id, body, source=LeadSource.API)
        commit()
        return lead_id


def _review(world: World) -> int:
    """The buyer's review of the supplier, earned by the supplier's answer to its enquiry."""
    answered = world.api("supplier").post(
        f"/leads/{world.ids['lead_id']}/messages", {"text": "We can deliver by Friday."}
    )
    assert answered.status_code == 201, answered.get_json()
    rated = world.api("buyer").post(
        f"/suppliers/{world.ids['supplier_id']}/reviews", {"rating": 4, "text": "Quick answer."}
    )
    assert rated.status_code == 201, rated.get_json()
    return int(rated.get_json()["id"])


def _requirement(world: World) -> int:
    with world.app.app_context():
        body = RequirementIn.model_validate(REQUIREMENT)
        made = requirements.post_requirement(world.user("buyer"), body)
        commit()
        return made.id


def _invited(world: World) -> dict[str, Any]:
    """A person invited to the first supplier's team (not joined: no actor's rights change)."""
    with world.app.app_context():
        n = len(world.ids.setdefault("invited", []))
        body = MemberIn.model_validate(
            {"email": f"invited{n}@rao-steel.example.in", "name": "Kavya Nair", "role": "sales"}
        )
        member = team.invite(world.user("supplier"), body)
        commit()
        world.ids["invited"].append(member.id)
        return {"member_id": member.id}


def _rule(world: World) -> dict[str, Any]:
    """A rule of the first supplier's: Maharashtra's leads to its owner."""
    with world.app.app_context():
        owner = world.user("supplier")
        body = RuleIn.model_validate({"state": "Maharashtra", "user_id": owner.id})
        rule = assignment_rules.add_rule(owner, body)
        commit()
        return {"rule_id": rule.id}


def _webhook(world: World) -> int:
    made = world.api("supplier").post(
        "/webhooks", {"url": "https://crm.example.com/hook", "events": ["lead.created"]}
    )
    assert made.status_code == 201, made.get_json()
    return int(made.get_json()["id"])


def _people(world: World) -> None:
    with world.app.app_context():
        for actor in ("buyer", "other_buyer"):
            world.people[actor] = factories.buyer()
        for actor in ("supplier", "other_supplier"):
            world.people[actor] = factories.supplier()
        world.people["officer"] = factories.staff("grievance_officer")
        world.people["admin"] = factories.staff("admin")
        world.ids["supplier_id"] = db.session.scalar(
            select(SupplierProfile.id).where(SupplierProfile.user_id == world.people["supplier"].id)
        )
    api = Api(world.app.test_client())
    world.tokens["anonymous"] = None
    for actor in PEOPLE:
        world.tokens[actor] = api.sign_in(world.people[actor].email).token
        client = world.app.test_client()
        world.pages[actor] = (client, sign_in_page(client, world.people[actor]))
    for scope in SCOPES:
        world.tokens[f"key:{scope}"] = _key(world, [scope])[1]
    visitor = world.app.test_client()
    world.pages["anonymous"] = (visitor, csrf_token(visitor.get("/account/sign-in").text))
    _team(world, api)


def _team(world: World, api: Api) -> None:
    """The first supplier's team, one member per role, each signed in as themselves."""
    with world.app.app_context():
        owner = world.user("supplier")
        for role in TEAM:
            body = MemberIn.model_validate(
                {"email": f"{role}@rao-steel.example.in", "name": "Ravi Kumar", "role": role}
            )
            member = team.invite(owner, body)
            token = team.invitation_token(member)
            commit()
            team.join(token, factories.PASSWORD, age_confirmed=True, accept_terms=True)
            world.people[role] = factories.Registered(
                member.user_id, body.email, factories.PASSWORD
            )
            commit()
    for role in TEAM:
        world.tokens[role] = api.sign_in(world.people[role].email).token
        client = world.app.test_client()
        world.pages[role] = (client, sign_in_page(client, world.people[role]))


def _objects(world: World) -> None:
    from marketplace.catalog.categories import load_categories

    with world.app.app_context():
        load_categories()
        commit()
    world.ids["product_id"] = _product(world)
    image = _image(world)
    world.ids["image_id"] = image["image_id"]
    world.ids["image_product_id"] = image["product_id"]
    world.ids["photo_id"] = _photo(world)["photo_id"]
    world.ids["lead_id"] = _lead(world, world.people["buyer"])
    world.ids["review_id"] = _review(world)
    world.ids["requirement_id"] = _requirement(world)
    world.ids["webhook_id"] = _webhook(world)
    world.ids["key_id"] = _key(world, ["leads:read"])[0]
    world.ids["member_id"] = _invited(world)["member_id"]
    world.ids["rule_id"] = _rule(world)["rule_id"]
    buyer = world.api("buyer")
    related = {"product_id": world.ids["product_id"]}
    filed = buyer.post("/grievances", {**COMPLAINT, "related": related})
    assert filed.status_code == 201, filed.get_json()
    world.ids["grievance_id"] = filed.get_json()["id"]
    asked = buyer.post(
        "/privacy/requests", {"type": "access", "password": world.people["buyer"].password}
    )
    assert asked.status_code in (201, 202), asked.get_json()
    world.ids["request_id"] = asked.get_json()["id"]
    guest = Api(world.app.test_client())
    started = guest.post(
        "/enquiries/guest",
        {
            **GUEST,
            "product_id": world.ids["product_id"],
            "quantity": "500",
            "message": "Please quote for 500 kg, delivery to Pune.",
            "city": "Pune",
        },
    )
    assert started.status_code == 202, started.get_json()
    world.ids["verification_id"] = started.get_json()["verification_id"]
    drafted = guest.post("/grievances", {**COMPLAINT, "name": "Ravi Kumar", "email": "r@ex.in"})
    assert drafted.status_code == 202, drafted.get_json()
    world.ids["draft_id"] = drafted.get_json()["verification_id"]
    breach = world.api("officer").post(
        "/breaches",
        {
            "detected_at": "2026-01-05T10:00:00Z",
            "nature": "A laptop with an export was stolen.",
            "data_affected": ["email"],
            "users_affected": 3,
        },
    )
    assert breach.status_code == 201, breach.get_json()
    world.ids["breach_id"] = breach.get_json()["id"]
    _consent_objects(world)
    with world.app.app_context():
        world.ids["order_id"] = _order(world.people["supplier"]).id
        paid = _paid_order(world.people["supplier"])
        from marketplace.credits import queries as credit_queries

        world.ids["invoice_id"] = credit_queries.invoice_of(paid).id
    _attachment(world)
    world.ids["check_id"] = _gst_alert(world)
    with world.app.app_context():
        image = db.session.get_one(ProductImage, world.ids["image_id"])
        photo = db.session.get_one(BusinessPhoto, world.ids["photo_id"])
        world.ids.update(media={"products": image.stored_name, "business": photo.stored_name})
    world.ids.update(token="not-a-real-token", purpose="marketing", slug="some-slug")
    world.ids["user_id"] = world.people["buyer"].id  # the admin's users screen


def _gst_alert(world: World) -> int:
    """A lapsed registration on the officer's desk (the other supplier's: a check finds it
    suspended under the badge)."""
    with world.app.app_context():
        supplier = world.user("other_supplier").supplier
        set_gst_verification(supplier.id, "verified")
        registry = SandboxRegistry({supplier.gstin: suspended_answer(supplier)})
        check = check_gstin(supplier.id, requested_by=CheckRequester.BEAT, registry=registry)
        commit()
        assert check.needs_officer
        return check.id


def _consent_objects(world: World) -> None:
    """A registered consent manager and a newsletter not yet sent."""
    key = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    manager = {
        "name": "Sahmati",
        "registration_number": "CM-1",
        "public_key": b64encode(key).decode(),
    }
    made = world.api("officer").post("/consent-managers", manager)
    assert made.status_code == 201, made.get_json()
    world.ids["manager_id"] = made.get_json()["id"]
    with world.app.app_context():
        body = {"purpose": "newsletters", "channel": "email", "subject": "News", "body": "Hi"}
        row = newsletters.compose(world.user("officer"), NewsletterIn.model_validate(body))
        commit()
        world.ids["newsletter_id"] = row.id


def _attachment(world: World) -> None:
    client, token = world.pages["buyer"]
    client.post(
        "/grievances/new",
        data={"csrf_token": token, **COMPLAINT, "attachments": [(_png(), "screen.png")]},
        content_type="multipart/form-data",
    )
    with world.app.app_context():
        world.ids["attachment_id"] = db.session.scalar(select(GrievanceAttachment.id))
        assert world.ids["attachment_id"] is not None


@pytest.fixture()
def world(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # A webhook's host resolves to a public address without asking DNS.
    monkeypatch.setattr(webhook_targets, "_resolve", lambda host, port: ["93.184.216.34"])
    made = World(app)
    _people(made)
    limiter.reset()
    _objects(made)
    limiter.reset()
    yield made


_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _url(rule: str, ids: dict[str, Any]) -> str:
    if rule.startswith("/media/"):  # the stored name of a product image, a business photo
        return rule.replace("<name>", ids["media"][rule.split("/")[2]])
    if rule == "/static/<path:filename>":
        return "/static/css/app.css"
    return _PARAMETER.sub(lambda match: str(ids[match[1]]), rule)


def _outcome(response: Any) -> str:
    if response.is_json and isinstance(response.get_json(), dict) and "CODE" in response.get_json():
        code = response.get_json()["CODE"]  # the IndiaMART pull: always a 200, CODE says why
        return {401: UNAUTHENTICATED, 403: FORBIDDEN}.get(code, ALLOWED)
    if response.status_code in (302, 303):  # 301: a page's canonical address, allowed
        if "/account/sign-in" in response.headers.get("Location", ""):
            return SIGN_IN
        return REDIRECTED
    return {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}.get(response.status_code, ALLOWED)


def routes(app: Flask) -> list[str]:
    """Every registered route and method, as the table names them."""
    return sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


def test_every_route_has_a_row(tmp_path):
    app = make_test_app("sqlite://", tmp_path)
    assert sorted(MATRIX) == routes(app)
    assert sorted(TEAM_MATRIX) == routes(app)


def _expected(row: str) -> str | None:
    if row not in MATRIX or row not in TEAM_MATRIX:
        return None
    return f"{MATRIX[row]} {TEAM_MATRIX[row]}"


# Routes that destroy the object they name get one of their own, renewed after each caller who
# was allowed to destroy it (the next caller must find one to be refused or allowed on).
VICTIMS: dict[str, Callable[[World], dict[str, Any]]] = {
    "DELETE /api/v1/api-keys/<int:key_id>": lambda w: {"key_id": _key(w, ["leads:read"])[0]},
    "POST /account/api-keys/<int:key_id>/revoke": lambda w: {"key_id": _key(w, ["leads:read"])[0]},
    "DELETE /api/v1/products/<int:product_id>": lambda w: {"product_id": _product(w)},
    "POST /dashboard/products/<int:product_id>/delete": lambda w: {"product_id": _product(w)},
    "DELETE /api/v1/products/<int:product_id>/images/<int:image_id>": _image,
    "POST /dashboard/products/<int:product_id>/images/<int:image_id>/delete": _image,
    "DELETE /api/v1/me/photos/<int:photo_id>": _photo,
    "POST /account/photos/<int:photo_id>/delete": _photo,
    "POST /api/v1/leads/<int:lead_id>/block": lambda w: {"lead_id": _lead(w)},
    "POST /leads/<int:lead_id>/block": lambda w: {"lead_id": _lead(w)},
    "POST /api/v1/requirements/<int:requirement_id>/close": lambda w: {
        "requirement_id": _requirement(w)
    },
    "POST /requirements/<int:requirement_id>/close": lambda w: {"requirement_id": _requirement(w)},
    "DELETE /api/v1/webhooks/<int:webhook_id>": lambda w: {"webhook_id": _webhook(w)},
    "POST /account/webhooks/<int:webhook_id>/delete": lambda w: {"webhook_id": _webhook(w)},
    "DELETE /api/v1/team/members/<int:member_id>": _invited,
    "POST /team/<int:member_id>/remove": _invited,
    "POST /leads/rules/<int:rule_id>/delete": _rule,
}
# Signing in (as the buyer, to get past the sign-in throttle) and out change who the session is:
# last of all.
LAST = ("POST /account/sign-in", "POST /account/sign-out")
INDIAMART_PULL = "/wservce/crm/crmListing/v2/"


_SERIAL = itertools.count(2)


def _credentials(world: World) -> dict[str, str]:
    return {"email": world.people["buyer"].email, "password": world.people["buyer"].password}


def _minor_report(world: World) -> dict[str, Any]:
    with world.app.app_context():  # an account of its own: a report suspends it
        return {"user_id": factories.buyer().id, "reason": "The profile says the buyer is 15."}


def _privacy_request(world: World) -> dict[str, Any]:
    with world.app.app_context():
        asker = factories.buyer()
    asked = Api(world.app.test_client()).sign_in(asker.email)
    made = asked.post("/privacy/requests", {"type": "access", "password": asker.password})
    assert made.status_code in (201, 202), made.get_json()
    return {"request_id": made.get_json()["id"]}


VICTIMS["POST /api/v1/privacy/requests/<int:request_id>/decision"] = _privacy_request


def _unlocked_buylead(world: World) -> dict[str, Any]:
    """A requirement of its own, unlocked by the supplier (a report is of an unlock, once)."""
    requirement_id = _requirement(world)
    with world.app.app_context():
        grant = GoodwillIn.model_validate({"credits": 1, "reason": "a BuyLead to report"})
        operators.grant_goodwill(world.people["supplier"].email, grant)
        requirements.unlock(world.user("supplier"), requirement_id)
        commit()
    return {"requirement_id": requirement_id}


def _buylead_report(world: World) -> dict[str, Any]:
    """A pending report of its own: deciding one decides it for good."""
    requirement_id = _unlocked_buylead(world)["requirement_id"]
    with world.app.app_context():
        body = BuyLeadReportIn.model_validate({"reason": "not_reachable"})
        report, _ = bad_leads.file_report(world.user("supplier"), requirement_id, body)
        commit()
        return {"report_id": report.id}


VICTIMS["POST /api/v1/buyleads/<int:requirement_id>/reports"] = _unlocked_buylead
VICTIMS["POST /buyleads/<int:requirement_id>/report"] = _unlocked_buylead
VICTIMS["POST /api/v1/buylead-reports/<int:report_id>/decision"] = _buylead_report
VICTIMS["GET /desk/buylead-reports/<int:report_id>"] = _buylead_report
VICTIMS["POST /desk/buylead-reports/<int:report_id>"] = _buylead_report
VICTIMS["POST /privacy/officer/requests/<int:request_id>/decision"] = _privacy_request

# A body that passes validation where the policy is asked after the input is read (the service
# decides who may): with an empty body the rules' 422 would hide who may call it.
BODIES: dict[str, Callable[[World], Any]] = {
    "POST /api/v1/auth/tokens": _credentials,
    "POST /account/sign-in": _credentials,
    "POST /api/v1/breaches": lambda w: {
        "detected_at": "2026-01-05T10:00:00Z",
        "nature": "A laptop with an export was stolen.",
        "data_affected": ["email"],
        "users_affected": 3,
    },
    "PATCH /api/v1/grievances/<int:grievance_id>": lambda w: {"note": "Called the supplier."},
    "POST /api/v1/grievances/<int:grievance_id>/appeal": lambda w: {
        "reason": "The supplier never answered my calls."
    },
    "POST /api/v1/privacy/minor-reports": _minor_report,
    "POST /api/v1/consent-managers": lambda w: {
        "name": "Sahmati",
        "registration_number": f"CM-{next(_SERIAL)}",
        "public_key": b64encode(bytes(32)).decode(),
    },
    "PATCH /api/v1/consent-managers/<int:manager_id>": lambda w: {"status": "active"},
    "POST /api/v1/privacy/requests/<int:request_id>/decision": lambda w: {
        "decision": "deny",
        "reason": "We could not confirm who asked.",
    },
    "POST /api/v1/leads/<int:lead_id>/messages": lambda w: {"text": "Can you deliver by Friday?"},
    "PATCH /api/v1/leads/<int:lead_id>": lambda w: {"status": "contacted"},
    "POST /api/v1/requirements": lambda w: REQUIREMENT,
    "POST /api/v1/products": lambda w: PIPE,
    "POST /api/v1/webhooks": lambda w: {
        "url": "https://crm.example.com/hook",
        "events": ["lead.created"],
    },
    # Rating, replying and deciding ask the rules who may, after the input is read.
    "POST /api/v1/suppliers/<int:supplier_id>/reviews": lambda w: {"rating": 4},
    "POST /api/v1/reviews/<int:review_id>/reply": lambda w: {"text": "Thank you."},
    "POST /api/v1/reviews/<int:review_id>/decision": lambda w: {
        "decision": "keep",
        "reason": "An honest opinion.",
    },
    "POST /leads/<int:lead_id>/update": lambda w: {"action": "status", "status": "contacted"},
    "POST /account/api-keys": lambda w: {"name": "Tally", "scopes": "leads:read"},
    "POST /enquiries/new": lambda w: {
        "product_id": w.ids["product_id"],
        "quantity": "500",
        "message": "Please quote for 500 kg, delivery to Pune.",
        "city": "Pune",
    },
    "POST /privacy/officer/requests/<int:request_id>/decision": lambda w: {
        "decision": "deny",
        "reason": "We could not confirm who asked.",
    },
    "POST /api/v1/buyleads/<int:requirement_id>/reports": lambda w: {"reason": "not_a_buyer"},
    "POST /buyleads/<int:requirement_id>/report": lambda w: {"reason": "not_a_buyer"},
    "POST /api/v1/buylead-reports/<int:report_id>/decision": lambda w: {
        "decision": "reject",
        "reason": "The buyer answered our call.",
    },
    "POST /desk/buylead-reports/<int:report_id>": lambda w: {
        "decision": "reject",
        "reason": "The buyer answered our call.",
    },
}


def _call(world: World, row: str, actor: str, ids: dict[str, Any]) -> Any:
    method, rule = row.split(" ", 1)
    url = _url(rule, ids)
    if rule == "/enquiries/new":  # the product asked about
        url += f"?product_id={ids['product_id']}"
    key = world.tokens[actor] if actor.startswith("key:") else None
    if rule == INDIAMART_PULL:  # the key in the query, as IndiaMART sends it
        client = world.app.test_client()
        return client.get(url, query_string={"glusr_crm_key": key} if key else {})
    if rule.startswith("/api/v1/"):
        body = BODIES[row](world) if row in BODIES else ({} if method != "GET" else None)
        return world.api(actor).request(method, url.removeprefix("/api/v1"), body)
    # A page: a person's browser session; a key's bearer header counts for nothing here.
    client, token = world.pages[actor if actor in world.pages else "anonymous"]
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    data = {"csrf_token": token, **BODIES[row](world)} if row in BODIES else {"csrf_token": token}
    if method == "GET":
        data = None
    return client.open(url, method=method, data=data, headers=headers)


def _observed(world: World, rows: list[str]) -> dict[str, tuple[str, list[int]]]:
    seen: dict[str, tuple[str, list[int]]] = {}
    for row in rows:
        ids = dict(world.ids)
        if row in VICTIMS:
            ids.update(VICTIMS[row](world))
        outcomes, statuses = [], []
        for actor in (*ACTORS, *TEAM):
            # One address makes every request: the limits have tests of their own. (Setting
            # limiter.enabled does not stop a view's own limits in this Flask-Limiter.)
            limiter.reset()
            response = _call(world, row, actor, ids)
            outcomes.append(_outcome(response))
            statuses.append(response.status_code)
            # A page's redirect is its done, too: the next caller needs an object of their own.
            if row in VICTIMS and outcomes[-1] in (ALLOWED, REDIRECTED):
                ids.update(VICTIMS[row](world))
        seen[row] = (" ".join(outcomes), statuses)
    return seen


SHARES = 4  # the rows are shared out over this many tests, which pytest-xdist's workers share


@pytest.mark.parametrize("share", range(SHARES))
def test_each_caller_gets_what_the_table_says(app, world, share):
    rows = [row for row in routes(app) if row not in LAST][share::SHARES]
    if share == SHARES - 1:
        rows += LAST  # signing in and out last: they change the callers' sessions
    seen = _observed(world, rows)
    wrong = [
        f"{row}: expected {_expected(row)}, got {outcomes} {statuses}"
        for row, (outcomes, statuses) in seen.items()
        if _expected(row) != outcomes
    ]
    assert not wrong, "\n" + "\n".join(wrong)
