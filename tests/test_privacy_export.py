"""The access export holds every row the portal keeps about the person, and says with whom their
data was shared, what and why (DPDP Act 2023 s.11)."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.grievances.notices import SUB_PROCESSORS
from marketplace.leads.models import RequirementMatch
from marketplace.privacy.export_sections import NOT_EXPORTED, SECTIONS
from tests import factories
from tests.conftest import Api, Shop, enquire
from tests.test_grievances import COMPLAINT
from tests.test_requirements import REQUIREMENT, _credits, _supplier_with_pipe

PERSON_TABLES = ("users", "supplier_profiles")


def _columns_pointing_at_a_person() -> set[str]:
    return {
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name in PERSON_TABLES and table.name not in PERSON_TABLES
    } | {
        f"{table.name}.{column.name}"  # the person's business points at the person
        for table in db.metadata.sorted_tables
        if table.name == "supplier_profiles"
        for column in table.columns
        if column.foreign_keys
    }


def test_every_column_that_points_at_a_person_is_exported_or_says_why_not(app):
    read = {column for section in SECTIONS for column in section.reads}
    pointing = _columns_pointing_at_a_person()
    forgotten = pointing - read - set(NOT_EXPORTED)
    assert not forgotten, f"export these, or say in NOT_EXPORTED why not: {sorted(forgotten)}"
    stale = (read | set(NOT_EXPORTED)) - pointing
    assert not stale, f"no such column points at a person: {sorted(stale)}"
    assert all(reason.strip() for reason in NOT_EXPORTED.values())


def _export(person_api: Api) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    made = person_api.post("/privacy/requests", {"type": "access", "password": factories.PASSWORD})
    assert made.status_code == 202, made.get_json()
    url = person_api.get(f"/privacy/requests/{made.get_json()['id']}").get_json()["download_url"]
    data = person_api.get(url.removeprefix("/api/v1")).data
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("export.json"))


def test_a_buyers_export_names_every_supplier_that_received_their_data_and_what(
    ctx, api: Api, buyer, buyer_api: Api, categories
):
    makers = [_supplier_with_pipe() for _ in range(2)]
    posted = buyer_api.post("/requirements", REQUIREMENT)
    assert posted.status_code == 201 and posted.get_json()["matched_suppliers"] == 2
    requirement_id = posted.get_json()["id"]
    unlocker = makers[0]
    _credits(unlocker)
    supplier_api = api.sign_in(unlocker.email)
    unlocked = supplier_api.post(f"/buyleads/{requirement_id}/unlock")
    assert unlocked.status_code == 200, unlocked.get_json()
    lead_id = unlocked.get_json()["id"]
    replied = supplier_api.post(f"/leads/{lead_id}/messages", {"text": "We can supply by Friday."})
    assert replied.status_code == 201, replied.get_json()
    assert buyer_api.post("/grievances", COMPLAINT).status_code == 201

    sections = _export(buyer_api)

    companies = {maker.id: db.session.get(User, maker.id).supplier.company_name for maker in makers}
    matched = [row for row in sections["shared_with"] if "matched" in (row["why"] or "")]
    assert sorted(row["recipient"] for row in matched) == sorted(companies.values())
    assert all("your name masked" in row["what"] and row["at"] for row in matched)
    unlocks = [row for row in sections["shared_with"] if "unlocked" in (row["why"] or "")]
    assert [row["recipient"] for row in unlocks] == [companies[unlocker.id]]
    assert "mobile number" in unlocks[0]["what"]
    processors = [row for row in sections["shared_with"] if row["kind"] == "processor"]
    assert [row["recipient"] for row in processors] == [p.name for p in SUB_PROCESSORS]
    assert all(row["what"] and row["why"] for row in processors)

    assert "We can supply by Friday." in [m["text"] for m in sections["messages"]]
    assert sections["grievances"][0]["created_at"]  # it was null before
    actions = {row["action"] for row in sections["activity"]}
    assert {"requirement.posted", "privacy.request_pending"} <= actions
    matched_count = db.session.scalar(
        select(db.func.count())
        .select_from(RequirementMatch)
        .where(RequirementMatch.requirement_id == requirement_id)
    )
    assert len(matched) == matched_count


def test_a_suppliers_export_holds_its_about_text_notes_webhooks_and_keys(
    ctx, api: Api, shop: Shop, receiver, private_ok
):
    lead_id = enquire(shop)
    owner = db.session.get(User, shop.supplier_id)
    owner.supplier.about = "Makers of seamless pipe since 1998."
    db.session.commit()
    supplier_api = api.sign_in(owner.email)
    noted = supplier_api.patch(f"/leads/{lead_id}", {"note": "Call after 4 pm."})
    assert noted.status_code == 200, noted.get_json()
    hooked = supplier_api.post("/webhooks", {"url": receiver.url, "events": ["lead.created"]})
    assert hooked.status_code == 201, hooked.get_json()
    key = supplier_api.post("/api-keys", {"name": "Our CRM", "scopes": ["leads:read"]})
    assert key.status_code == 201, key.get_json()

    sections = _export(supplier_api)

    assert sections["business"][0]["about"] == "Makers of seamless pipe since 1998."
    assert [note["text"] for note in sections["lead_notes"]] == ["Call after 4 pm."]
    assert [hook["url"] for hook in sections["webhooks"]] == [receiver.url]
    named = [row for row in sections["api_keys_and_tokens"] if row["name"] == "Our CRM"]
    assert named and named[0]["scopes"] == "leads:read"
    assert key.get_json()["key"] not in json.dumps(sections)  # never the secret
    assert {"webhook.created", "api_key.created"} & {row["action"] for row in sections["activity"]}
