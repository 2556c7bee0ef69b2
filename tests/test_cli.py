"""`flask accounts ...`: scriptable for operators, with the same rules as the pages."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import Role, SupplierProfile, User
from marketplace.extensions import db
from tests import factories


def test_create_officer(app, ctx):
    result = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "grievance_officer",
            "--email",
            "Meera@TradeSetu.example",
            "--name",
            "Meera Iyer",
            "--password",
            factories.PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "meera@tradesetu.example"))
    assert user.roles == [Role.GRIEVANCE_OFFICER]


def test_password_is_prompted_for_when_omitted(app, ctx):
    result = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "admin",
            "--email",
            "ops@tradesetu.example",
            "--name",
            "Ops Admin",
        ],
        input=f"{factories.PASSWORD}\n{factories.PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ops@tradesetu.example" in result.output


def test_refusals_are_explained(app, ctx):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "admin",
            "--email",
            "a@tradesetu.example",
            "--name",
            "A B",
            "--password",
            "password",
        ]
    )
    assert weak.exit_code == 1 and "password: at least 10 characters" in weak.output.replace(
        "must be ", ""
    )
    bad_role = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "buyer",
            "--email",
            "a@tradesetu.example",
            "--name",
            "A B",
            "--password",
            "x",
        ]
    )
    assert bad_role.exit_code == 2
    factories.staff(email="taken@tradesetu.example")
    taken = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "admin",
            "--email",
            "taken@tradesetu.example",
            "--name",
            "A B",
            "--password",
            factories.PASSWORD,
        ]
    )
    assert taken.exit_code == 1 and "already registered" in taken.output


def test_gst_verification_is_recorded(app, ctx):
    supplier = factories.supplier()
    result = app.test_cli_runner().invoke(
        args=["accounts", "set-gst-verification", supplier.gstin.lower(), "verified"]
    )
    assert result.exit_code == 0, result.output
    profile = db.session.scalar(select(SupplierProfile))
    db.session.refresh(profile)
    assert profile.gst_verified and profile.gst_verified_at is not None
    missing = app.test_cli_runner().invoke(
        args=["accounts", "set-gst-verification", "27AAPFU0939F1ZV", "verified"]
    )
    assert missing.exit_code == 1 and "No supplier" in missing.output


def test_roles_are_granted_and_revoked_with_an_audit_row(app, ctx):
    from marketplace.audit import AuditEvent

    buyer = factories.buyer()
    runner = app.test_cli_runner()
    granted = runner.invoke(
        args=["accounts", "grant-role", "--email", buyer.email, "--role", "grievance_officer"]
    )
    assert granted.exit_code == 0, granted.output
    assert "buyer, grievance_officer" in granted.output
    revoked = runner.invoke(
        args=["accounts", "revoke-role", "--email", buyer.email, "--role", "grievance_officer"]
    )
    assert revoked.exit_code == 0 and "roles: buyer." in revoked.output
    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("role.%"))
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["role.granted", "role.revoked"]
    last = runner.invoke(
        args=["accounts", "revoke-role", "--email", buyer.email, "--role", "buyer"]
    )
    assert last.exit_code == 1 and "at least one role" in last.output
    supplier = runner.invoke(
        args=["accounts", "grant-role", "--email", buyer.email, "--role", "supplier"]
    )
    assert supplier.exit_code == 1 and "registers its business" in supplier.output
    nobody = runner.invoke(
        args=["accounts", "grant-role", "--email", "no@one.in", "--role", "admin"]
    )
    assert nobody.exit_code == 1 and "No account" in nobody.output
