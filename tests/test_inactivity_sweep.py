"""The inactivity sweep counts every kind of use (sign-ins, sessions, tokens and integration
keys, enquiries, requirements, messages, notes, orders), runs from the command line on the
embedded defaults, and never warns nor erases a supplier who works only through a key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from marketplace.accounts.models import ApiCredential, User, UserSession
from marketplace.accounts.team_models import TeamMember, TeamRole
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.privacy import clock as privacy_clock
from marketplace.privacy import inactive
from marketplace.privacy.activity import active_since, kinds_of_use
from tests import factories
from tests.conftest import Api, enquire, outbox


class Clock:
    """The privacy domain's time, moved by the test; the portal records use at the real time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta()
        monkeypatch.setattr(privacy_clock, "now", lambda: utcnow() + self.offset)

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _idle_since_long_ago(app, *user_ids: int) -> None:  # type: ignore[no-untyped-def]
    """As if the accounts were made, and last signed in, longer ago than the inactivity period."""
    long_ago = utcnow() - timedelta(days=app.config["PRIVACY_INACTIVE_DAYS"] + 30)
    db.session.execute(
        update(User)
        .where(User.id.in_(user_ids))
        .values(created_at=long_ago, last_sign_in_at=long_ago)
    )
    db.session.execute(delete(UserSession).where(UserSession.user_id.in_(user_ids)))
    db.session.execute(
        update(ApiCredential)
        .where(ApiCredential.user_id.in_(user_ids))
        .values(last_used_at=None, crm_pulled_at=None)
    )
    commit()


def _warned(user_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(User, user_id).inactivity_warned_at is not None


def test_every_kind_of_use_is_counted() -> None:
    assert {
        "sign-ins",
        "browser sessions",
        "tokens and integration keys",
        "enquiries",
        "buy requirements",
        "messages",
        "lead notes",
        "orders",
    } <= set(kinds_of_use())


def test_a_supplier_working_only_through_an_integration_key_is_neither_warned_nor_erased(
    app, ctx, client, supplier, supplier_api, clock
) -> None:
    created = supplier_api.post("/api-keys", {"name": "Zoho CRM", "scopes": ["leads:read"]})
    assert created.status_code == 201, created.get_json()
    integration = Api(client, created.get_json()["key"])
    idle = factories.buyer(name="Ravi Idle")
    _idle_since_long_ago(app, supplier.id, idle.id)

    assert integration.get("/leads").status_code == 200  # the key's use is recorded
    clock.advance(timedelta(days=1))
    assert inactive.sweep_inactive() == {"warned": 1, "erased": 0}
    assert not _warned(supplier.id) and _warned(idle.id)
    clock.advance(timedelta(hours=49))
    assert inactive.sweep_inactive() == {"warned": 0, "erased": 1}
    assert db.session.get(User, supplier.id).erased_at is None
    assert not [
        mail for mail in outbox(app) if f"To: {supplier.email}" in mail and "unused" in mail
    ]

    # A year on the key still counts; once unused for the whole period, it no longer does.
    clock.advance(timedelta(days=365))
    assert inactive.sweep_inactive()["warned"] == 0
    clock.advance(timedelta(days=app.config["PRIVACY_INACTIVE_DAYS"]))
    assert inactive.sweep_inactive()["warned"] == 1 and _warned(supplier.id)


def test_using_a_key_answers_a_warning(app, ctx, client, supplier, supplier_api, clock) -> None:
    created = supplier_api.post("/api-keys", {"name": "Zoho CRM", "scopes": ["leads:read"]})
    integration = Api(client, created.get_json()["key"])
    _idle_since_long_ago(app, supplier.id)
    assert inactive.sweep_inactive()["warned"] == 1 and _warned(supplier.id)

    assert integration.get("/leads").status_code == 200  # within the 48 hours
    clock.advance(timedelta(hours=49))
    assert inactive.sweep_inactive() == {"warned": 0, "erased": 0}
    assert not _warned(supplier.id)
    assert db.session.get(User, supplier.id).erased_at is None


def test_an_enquiry_is_use(app, ctx, shop, clock) -> None:
    _idle_since_long_ago(app, shop.buyer_id, shop.supplier_id)
    assert shop.buyer_id not in set(db.session.scalars(active_since(utcnow() - timedelta(1))))
    enquire(shop)
    used = set(db.session.scalars(active_since(utcnow() - timedelta(days=1))))
    assert shop.buyer_id in used and shop.supplier_id not in used  # being enquired is not use
    clock.advance(timedelta(days=30))
    inactive.sweep_inactive()
    assert not _warned(shop.buyer_id) and _warned(shop.supplier_id)


def test_the_sweep_runs_from_the_command_line(app, ctx, clock) -> None:
    idle = factories.buyer()
    _idle_since_long_ago(app, idle.id)
    result = app.test_cli_runner().invoke(args=["privacy", "sweep-inactive"])
    assert result.exit_code == 0, result.output
    assert "1 accounts warned, 0 erased." in result.output
    assert _warned(idle.id)


def test_a_business_run_by_its_team_is_in_use(app, ctx, supplier, clock) -> None:
    """The owner has not signed in for years, but a member of the team works every day."""
    owner = db.session.get(User, supplier.id)
    colleague = factories.buyer(name="Kiran Sales")
    db.session.add(
        TeamMember(
            supplier_id=owner.supplier.id,
            user_id=colleague.id,
            role=TeamRole.SALES,
            joined_at=utcnow(),
        )
    )
    db.session.get(User, colleague.id).last_sign_in_at = utcnow()  # this morning
    commit()
    _idle_since_long_ago(app, supplier.id)
    assert supplier.id in set(db.session.scalars(active_since(utcnow() - timedelta(days=1))))
    inactive.sweep_inactive()
    assert not _warned(supplier.id)
