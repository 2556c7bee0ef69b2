"""Backup and restore, as the operator runs them (README: "Backup and restore"): a database with
a realistic state is dumped with scripts/backup (pg_dump), restored with scripts/restore
(pg_restore) into a second new database, and `flask search reindex` fills a new, empty index.
The restored site must then answer exactly as the original: every row (encrypted fields
decrypted with the same keys), the catalogue, leads and their conversations, ledgers, invoices
and their PDFs, consents, the audit log, the schema's revision, and the same search answers.

Both sides are read after the dump, in the same order, so that whatever reading writes (a lead
marked seen, a token's last use) happens alike on both."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select, text

from marketplace.accounts.gst_verification import set_gst_verification
from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.categories import load_categories
from marketplace.catalog.indexing import drain_outbox
from marketplace.credits import gateways, ledger, operators, orders, payments
from marketplace.credits.inputs import GoodwillIn, OrderIn
from marketplace.crypto import DecryptionError
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads.pipeline import today_in_india
from marketplace.privacy.inputs import ConsentIn
from marketplace.privacy.services import set_consent
from tests import factories
from tests.conftest import Api, _postgres_database, make_test_app
from tests.test_requirements import REQUIREMENT

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("backup")]

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))

PIPE = {
    "name": "SS 304 Seamless Pipe",
    "category": "stainless-steel-pipes",
    "description": "Seamless pipe for dairy plants, with a mill test certificate.",
    "price": "325.50",
    "unit": "kg",
    "moq": 100,
    "specifications": {"Grade": "304", "Size": "2 inch"},
}
PRODUCTS = [
    PIPE,
    {**PIPE, "name": "SS 316 Welded Pipe", "price": "410.00", "brand": "Jindal"},
    {**PIPE, "name": "Gate Valve 2 inch", "category": "valves", "price": "1850.00",
     "unit": "piece"},
    {**PIPE, "name": "SS 304 Sheet 2 mm", "category": "stainless-steel-sheets", "price": "240.00"},
    {**PIPE, "name": "Monoblock Pump 1 HP", "category": "industrial-pumps", "price": "8900.00",
     "unit": "piece", "moq": 1},
]  # fmt: skip
SEARCHES = [
    "",
    "q=pipe",
    "q=pipe&sort=price_asc",
    "q=pipe&sort=price_desc&per_page=1&page=2",
    "q=seamles",  # a typo: the fuzzy path
    "category=metals-and-alloys&sort=newest",
    "state=Karnataka",
    "q=valve&verified=true",
    "price_min=300&price_max=2000&sort=price_asc",
    "brand=jindal",
    "city=pune&q=sheet",
]


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command[:3])} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class Deployment:
    """One installation's settings: the field keys travel with the dump, the index does not."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.keys = {
            "SECRET_KEY": secrets.token_urlsafe(32),
            "FIELD_INDEX_KEY": secrets.token_urlsafe(32),
            "FIELD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        }

    def environment(self, database_url: str, index: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("CELERY_BROKER_URL", "ELASTICSEARCH_URL")
        }
        return env | {
            "FLASK_APP": "marketplace.app:create_app()",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(self.folder / "instance"),
            "SEARCH_INDEX_PATH": str(self.folder / index),
            "SECRET_KEY": self.keys["SECRET_KEY"],
            "FIELD_INDEX_KEY": self.keys["FIELD_INDEX_KEY"],
            "FIELD_ENCRYPTION_KEYS": ",".join(self.keys["FIELD_ENCRYPTION_KEYS"]),
        }

    def app(self, database_url: str, name: str, **overrides: Any) -> Flask:
        folder = self.folder / name
        index = str(self.folder / f"{name}-index")
        return make_test_app(database_url, folder, SEARCH_INDEX_PATH=index, **self.keys | overrides)


@pytest.fixture()
def two_databases() -> Iterator[tuple[str, str]]:
    original = _postgres_database()
    restored = _postgres_database()
    try:
        yield next(original), next(restored)
    finally:
        original.close()  # each generator drops its database
        restored.close()


# --- a realistic state -----------------------------------------------------------------------


def _build_state(app: Flask) -> dict[str, Api]:
    """Suppliers with products, enquiries become leads with a conversation, a buy requirement
    unlocked with a credit, credits granted, spent and bought (an invoice), consents, audit rows.
    Returns each person's signed-in API (their bearer tokens are rows of the dump too)."""
    client = app.test_client()
    with app.app_context():
        load_categories()
        commit()
        pune = factories.supplier()
        bengaluru = factories.supplier(
            gstin=factories.make_gstin("29"),
            address={"line1": "12 Peenya", "city": "Bengaluru", "state": "Karnataka",
                     "pincode": "560058"},
        )  # fmt: skip
        buyers = [factories.buyer(), factories.buyer(name="Vikram Shah")]
        set_gst_verification(db.session.get(User, pune.id).supplier.id, "verified")
        commit()
    people = {
        "pune": Api(client).sign_in(pune.email),
        "bengaluru": Api(client).sign_in(bengaluru.email),
        "buyer": Api(client).sign_in(buyers[0].email),
        "buyer2": Api(client).sign_in(buyers[1].email),
    }
    product_ids = []
    for n, body in enumerate(PRODUCTS + PRODUCTS[:3]):
        owner = people["pune" if n < len(PRODUCTS) else "bengaluru"]
        created = owner.post("/products", {**body, "price": str(float(body["price"]) + n)})
        assert created.status_code == 201, created.get_json()
        product_ids.append(created.get_json()["id"])
    for buyer, product_id in [("buyer", product_ids[0]), ("buyer", product_ids[2]),
                              ("buyer2", product_ids[5])]:  # fmt: skip
        enquiry = {"product_id": product_id, "quantity": "500", "city": "Pune",
                   "message": "Please quote for 500 kg, delivery to Pune."}  # fmt: skip
        sent = people[buyer].post("/enquiries", enquiry)
        assert sent.status_code == 201, sent.get_json()
    lead_id = people["pune"].get("/leads").get_json()["items"][0]["id"]
    valid_until = (today_in_india() + timedelta(days=15)).isoformat()
    quote = {"price": "318.00", "quantity": "500", "unit": "kg", "valid_until": valid_until}
    quoted = people["pune"].post(
        f"/leads/{lead_id}/messages", {"text": "Ex-works Pune.", "quotation": quote}
    )
    assert quoted.status_code == 201, quoted.get_json()
    assert people["buyer"].post(f"/leads/{lead_id}/messages", {"text": "310?"}).status_code == 201
    with app.app_context():
        operators.grant_goodwill(
            pune.email, GoodwillIn.model_validate({"credits": 5, "reason": "launch credits"})
        )
        supplier = db.session.get(User, bengaluru.id)
        order, _ = orders.create_order(supplier, OrderIn.model_validate({"pack": "credits-10"}))
        commit()
        body, headers = gateways.SandboxGateway(gateways.sandbox_secret()).simulate(order, pay=True)
        assert payments.receive_callback("sandbox", body, headers).result == "granted"
        buyer = db.session.get(User, buyers[0].id)
        set_consent(buyer, "newsletters", ConsentIn(granted=True), source="settings")
        commit()
    requirement = people["buyer2"].post("/requirements", REQUIREMENT)
    assert requirement.status_code == 201, requirement.get_json()
    unlock = people["pune"].post(f"/buyleads/{requirement.get_json()['id']}/unlock")
    assert unlock.status_code == 200, unlock.get_json()
    with app.app_context():
        drain_outbox()  # the index is up to date, as the relay keeps it
    return people


# --- what the site holds and answers ---------------------------------------------------------


def _rows(app: Flask) -> dict[str, Any]:
    """Every row of every table, through the models' column types: encrypted columns decrypted
    with the configured keys. Plus the schema's revision and each sequence's next value."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in db.session.execute(query)]
        tables["alembic_version"] = db.session.execute(
            text("SELECT version_num FROM alembic_version")
        ).all()
        db.session.remove()
        return tables


def _searches(app: Flask) -> dict[str, Any]:
    anonymous = Api(app.test_client())
    return {query: anonymous.get(f"/search?{query}").get_json() for query in SEARCHES}


def _answers(app: Flask, people: dict[str, Api]) -> dict[str, Any]:
    """What the API answers each person (their tokens unchanged) and an anonymous visitor."""
    client = app.test_client()
    anonymous = Api(client)
    as_ = {name: Api(client, person.token) for name, person in people.items()}

    def get(api: Api, path: str) -> Any:
        response = api.get(path)
        assert response.status_code == 200, (path, response.get_json())
        return response.get_json()

    answers: dict[str, Any] = {"search": _searches(app)}
    answers["suggest"] = get(anonymous, "/search/suggest?q=ss")
    answers["categories"] = get(anonymous, "/categories")
    for name, api in as_.items():
        answers[f"{name} /me"] = get(api, "/me")
        answers[f"{name} consents"] = get(api, "/privacy/consents")
    for name in ("pune", "bengaluru"):
        api = as_[name]
        answers[f"{name} credits"] = get(api, "/credits?per_page=100")
        answers[f"{name} products"] = mine = get(api, "/me/products?per_page=100")
        for item in mine["items"]:
            answers[f"product {item['id']}"] = get(anonymous, f"/products/{item['id']}")
        pull = get(api, "/leads?per_page=100")
        pull.pop("window")  # the pull's window ends now
        answers[f"{name} leads"] = pull
        for lead in pull["items"]:
            answers[f"lead {lead['id']}"] = get(api, f"/leads/{lead['id']}")
            answers[f"lead {lead['id']} messages"] = get(api, f"/leads/{lead['id']}/messages")
        answers[f"{name} buyleads"] = get(api, "/buyleads")
        answers[f"{name} orders"] = get(api, "/orders")
        answers[f"{name} invoices"] = invoices = get(api, "/invoices")
        for invoice in invoices["items"]:
            answers[f"invoice {invoice['id']}"] = get(api, f"/invoices/{invoice['id']}")
            pdf = api.get(f"/invoices/{invoice['id']}.pdf")
            assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
            answers[f"invoice {invoice['id']} pdf"] = pdf.data
    for name in ("buyer", "buyer2"):
        answers[f"{name} enquiries"] = enquiries = get(as_[name], "/enquiries")
        for lead in enquiries["items"]:
            answers[f"enquiry {lead['id']}"] = get(as_[name], f"/enquiries/{lead['id']}")
        answers[f"{name} requirements"] = get(as_[name], "/requirements")
    with app.app_context():
        answers["balances"] = {
            supplier.id: ledger.balance(supplier.id)
            for supplier in db.session.scalars(select(SupplierProfile).order_by(SupplierProfile.id))
        }
        db.session.remove()
    return answers


def _differences(original: dict[str, Any], restored: dict[str, Any]) -> list[str]:
    return [
        name
        for name in sorted(set(original) | set(restored))
        if original.get(name) != restored.get(name)
    ]


def _unordered(searches: dict[str, Any]) -> dict[str, Any]:
    """The answers with each page's hits by id: what an index holds, whatever its history."""
    return {
        query: {**answer, "items": sorted(answer["items"], key=lambda hit: hit["id"])}
        for query, answer in searches.items()
    }


def _backup_and_restore(original_url: str, restored_url: str, folder: Path) -> None:
    """The operator's two commands (README: "Backup and restore"), each checked to report what
    it did."""
    dump = folder / "tradesetu.dump"
    report = _run([str(ROOT / "scripts/backup"), str(dump), original_url], os.environ.copy())
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # every account and lead: its owner's only
    assert f"-> {dump}" in report and dump.stat().st_size > 0
    restore = [str(ROOT / "scripts/restore"), str(dump), restored_url]
    assert "schema revision" in _run(restore, os.environ.copy())
    # Neither command overwrites: not a dump, not a database holding tables.
    for command, refusal in (
        ([str(ROOT / "scripts/backup"), str(dump), original_url], "exists"),
        (restore, "is not empty"),
    ):
        again = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert again.returncode == 1 and refusal in again.stderr, again.stderr


def test_a_backup_restored_into_a_new_database_and_reindexed_answers_alike(tmp_path, two_databases):
    original_url, restored_url = two_databases
    deployment = Deployment(tmp_path)
    original_env = deployment.environment(original_url, "original-index")
    _run([FLASK, "db", "upgrade"], original_env)
    original = deployment.app(original_url, "original")
    people = _build_state(original)

    _backup_and_restore(original_url, restored_url, tmp_path)
    restored_env = deployment.environment(restored_url, "restored-index")
    _run([FLASK, "db", "upgrade"], restored_env)  # the same code as the dump's: nothing to do
    restored = deployment.app(restored_url, "restored")
    empty_index = _searches(restored)
    indexed = _run([FLASK, "search", "reindex"], restored_env)
    assert f"Indexed {len(PRODUCTS) + 3} products" in indexed, indexed

    rows = _rows(original)
    assert all(rows[name] for name in (
        "products", "leads", "lead_messages", "credit_entries", "credit_orders", "invoices",
        "consent_records", "audit_events", "api_credentials", "buy_requirements",
        "requirement_matches", "alembic_version",
    )), {name: len(found) for name, found in rows.items()}  # fmt: skip
    assert _differences(rows, _rows(restored)) == []

    # The original's index was built change by change; the restored one in one rebuild. They
    # hold the same hits, totals and facets, but the order of equal scores (and BM25's figures,
    # which count replaced documents until a merge) follows each index's history ...
    live = _searches(original)
    assert empty_index != live and all(answer["total"] == 0 for answer in empty_index.values())
    assert _unordered(live) == _unordered(_searches(restored))
    # ... so the exact order is compared with the original rebuilt from its own database.
    _run([FLASK, "search", "reindex"], original_env)
    answers = _answers(original, people)
    assert answers["search"]["q=pipe"]["total"] >= 4 and len(answers["balances"]) == 2
    assert _differences(answers, _answers(restored, people)) == []

    health = restored.test_client().get("/healthz")
    assert health.status_code == 200, health.get_json()
    assert health.get_json()["schema"]["status"] == "ok"

    # Each sequence resumes after its table's last id: a new account takes the next one.
    with restored.app_context():
        assert factories.buyer().id == max(row[0] for row in rows["users"]) + 1
        db.session.remove()

    # Without the same FIELD_ENCRYPTION_KEYS, the dump's encrypted fields cannot be read.
    stranger = deployment.app(
        restored_url, "stranger", FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]
    )
    with stranger.app_context(), pytest.raises(DecryptionError):
        db.session.scalars(select(User.phone).where(User.phone.is_not(None))).all()
    for app in (original, restored, stranger):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
