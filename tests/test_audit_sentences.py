"""The audit log reads as sentences: every action the code records has one, and a row names
who did what to whom, never "users 21"."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import select

from marketplace import audit, audit_sentences
from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.models import Product
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads.models import Webhook
from marketplace.privacy.models import RequestStatus
from marketplace.reviews.models import ReportOutcome
from tests import factories
from tests.conftest import sign_in_page
from tests.test_catalog import PIPE

CODE = Path(__file__).resolve().parent.parent / "marketplace"

# The action names built at run time (f-strings): each pattern with every value it can take.
DYNAMIC: dict[str, list[str]] = {
    "review.{}": [str(outcome) for outcome in ReportOutcome],
    "privacy.request_{}": [str(status) for status in RequestStatus],
    "privacy.consent_manager_{}": ["suspended", "restored"],
}


def _is_audit_record(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "record"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "audit"
    )


def _pattern(node: ast.JoinedStr) -> str:
    return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)


def _passed_in(name: str, module: ast.Module) -> set[str]:
    """The constants the module's callers pass for a function's parameter `name`."""
    found: set[str] = set()
    for function in ast.walk(module):
        if not isinstance(function, ast.FunctionDef):
            continue
        parameters = [argument.arg for argument in function.args.args]
        if name not in parameters:
            continue
        index = parameters.index(name)
        for call in ast.walk(module):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == function.name
                and len(call.args) > index
                and isinstance(call.args[index], ast.Constant)
            ):
                found.add(call.args[index].value)
    return found


def _names_in(argument: ast.expr, module: ast.Module) -> tuple[set[str], set[str]]:
    """The action names an argument of audit.record can hold, and the f-string patterns."""
    if isinstance(argument, ast.Constant):
        return {argument.value}, set()
    if isinstance(argument, ast.JoinedStr):
        return set(), {_pattern(argument)}
    if isinstance(argument, ast.IfExp):
        body, body_patterns = _names_in(argument.body, module)
        other, other_patterns = _names_in(argument.orelse, module)
        return body | other, body_patterns | other_patterns
    if isinstance(argument, ast.Name):
        passed = _passed_in(argument.id, module)
        assert passed, f"cannot tell which actions {argument.id} holds: spell them out"
        return passed, set()
    raise AssertionError(f"an action name the walk cannot read: {ast.unparse(argument)}")


def recorded_actions() -> tuple[set[str], set[str]]:
    names: set[str] = set()
    patterns: set[str] = set()
    for path in CODE.rglob("*.py"):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(module):
            if _is_audit_record(node):
                found, shapes = _names_in(node.args[0], module)
                names |= found
                patterns |= shapes
    return names, patterns


def test_the_walk_finds_the_actions_it_should():
    names, patterns = recorded_actions()
    assert {"product.hidden", "product.unhidden", "auth.password_changed", "role.revoked"} <= names
    assert "review.{}" in patterns


def test_every_recorded_action_has_a_sentence():
    names, patterns = recorded_actions()
    unknown_patterns = patterns - set(DYNAMIC)
    assert not unknown_patterns, f"list the values of these action names in DYNAMIC: {patterns}"
    for pattern in patterns:
        names |= {pattern.format(value) for value in DYNAMIC[pattern]}
    missing = sorted(name for name in names if name not in audit_sentences.SENTENCES)
    assert not missing, f"these audit actions have no sentence: {missing}"


def test_a_row_reads_as_who_did_what_to_whom(ctx, supplier_api, categories):
    admin = factories.staff("admin")
    made = supplier_api.post("/products", PIPE)
    assert made.status_code == 201, made.get_json()
    product = db.session.get(Product, made.get_json()["id"])
    audit.record("product.hidden", actor_id=admin.id, subject=product, reason="Fake brand")
    commit()
    rows, _ = audit.recent_events(action="product.hidden")
    [line] = audit_sentences.read(rows)
    assert line.text == (
        "Meera Iyer (admin) hid the listing 'SS 304 Seamless Pipe' — reason: Fake brand."
    )


def test_the_audit_page_shows_sentences_not_table_names(app, ctx):
    officer = factories.staff("grievance_officer")
    buyer = factories.buyer()
    audit.record(
        "role.granted", actor_id=officer.id, subject=db.session.get(User, buyer.id), role="buyer"
    )
    commit()
    client = app.test_client()
    sign_in_page(client, officer)
    page = client.get("/account/audit?action=role.granted").text
    assert "Meera Iyer (officer) made the account of &#39;Asha Rao&#39; a buyer." in page
    assert "users " + str(buyer.id) not in page


def test_an_action_without_words_still_reads_as_a_sentence():
    text = audit_sentences.sentence("test.event", "Ravi Kumar", "", {})
    assert text == "Ravi Kumar did something the log has no words for yet (test.event)."


def test_a_person_acts_on_their_account_and_a_webhook_is_named_by_its_host(ctx):
    buyer = factories.buyer()
    user = db.session.get(User, buyer.id)
    audit.record("account.updated", actor_id=user.id, subject=user)
    hook = Webhook(
        supplier_id=db.session.scalar(
            select(SupplierProfile.id).where(SupplierProfile.user_id == factories.supplier().id)
        ),
        url="https://crm.example.com/hooks?token=s3cret",
        events=["lead.created"],
        secret="whsec_x",
    )
    db.session.add(hook)
    db.session.flush()
    audit.record("webhook.created", actor_id=user.id, subject=hook)
    commit()
    rows, _ = audit.recent_events()
    texts = [line.text for line in audit_sentences.read(rows)]
    assert "Asha Rao created the webhook to crm.example.com." in texts
    assert "Asha Rao changed the details of their account." in texts
    assert not any("s3cret" in text for text in texts)
