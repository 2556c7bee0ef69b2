"""privacy: requests with their history, legal holds, the statutory archive; the consent ledger
append-only in the database and with request metadata; no cascades from users and supplier
profiles; account deactivation and erasure; phone digests under their own key

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 19:30:00

"""

import sqlalchemy as sa
from alembic import op

from marketplace.privacy.models import CONSENT_GUARD_POSTGRESQL, CONSENT_GUARD_SQLITE

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)

# (table, column, referred table, constraint name): cascades that would destroy rows an erasure
# must archive or redact; deletion goes through the erasure workflow instead.
UNCASCADED = (
    ("user_roles", "user_id", "users", "fk_user_roles_user_id_users"),
    ("supplier_profiles", "user_id", "users", "fk_supplier_profiles_user_id_users"),
    ("api_credentials", "user_id", "users", "fk_api_credentials_user_id_users"),
    ("user_sessions", "user_id", "users", "fk_user_sessions_user_id_users"),
    ("consent_records", "user_id", "users", "fk_consent_records_user_id_users"),
    ("products", "supplier_id", "supplier_profiles", "fk_products_supplier_id_supplier_profiles"),
)


def _foreign_keys(ondelete):
    for table, column, referred, name in UNCASCADED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.create_foreign_key(name, referred, [column], ["id"], ondelete=ondelete)


def _rehash_phone_digests():
    """Digests were keyed on SECRET_KEY; they are now keyed on FIELD_INDEX_KEY."""
    from flask import has_app_context

    if not has_app_context():
        return  # offline SQL: run `flask privacy rehash-phones` after the upgrade
    from marketplace.crypto import blind_index, decrypt

    bind = op.get_bind()
    for table in ("users", "guest_enquiries"):
        rows = bind.execute(sa.text(f"SELECT id, phone FROM {table} WHERE phone IS NOT NULL"))  # noqa: S608
        for row_id, phone in rows.fetchall():
            bind.execute(
                sa.text(f"UPDATE {table} SET phone_digest = :digest WHERE id = :id"),  # noqa: S608
                {"digest": blind_index(decrypt(phone)), "id": row_id},
            )


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", TIME, nullable=True))
        batch_op.add_column(sa.Column("erased_at", TIME, nullable=True))
        batch_op.add_column(sa.Column("inactivity_warned_at", TIME, nullable=True))
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip_address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("user_agent", sa.String(length=200), nullable=True))
    _foreign_keys(None)
    guard = (
        CONSENT_GUARD_POSTGRESQL
        if op.get_bind().dialect.name == "postgresql"
        else CONSENT_GUARD_SQLITE
    )
    for statement in guard:
        op.execute(statement)

    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", TIME, nullable=True),
        sa.Column("hold_reason", sa.String(length=300), nullable=True),
        sa.Column("export_name", sa.String(length=80), nullable=True),
        sa.Column("export_expires_at", TIME, nullable=True),
        sa.Column("certificate", sa.JSON(), nullable=True),
        sa.Column("completed_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_privacy_requests_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_privacy_requests_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index("ix_privacy_requests_status_due", ["status", "due_at"])
        batch_op.create_index(batch_op.f("ix_privacy_requests_user_id"), ["user_id"])

    op.create_table(
        "privacy_request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("occurred_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_requests.id"],
            name=op.f("fk_privacy_request_events_request_id_privacy_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_privacy_request_events_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_request_events")),
    )
    with op.batch_alter_table("privacy_request_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_request_events_request_id"), ["request_id"])

    op.create_table(
        "privacy_legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", TIME, nullable=False),
        sa.Column("released_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["users.id"], name=op.f("fk_privacy_legal_holds_subject_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["users.id"], name=op.f("fk_privacy_legal_holds_placed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_legal_holds")),
    )
    with op.batch_alter_table("privacy_legal_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_legal_holds_subject_id"), ["subject_id"])

    op.create_table(
        "privacy_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("legal_basis", sa.String(length=200), nullable=False),
        sa.Column("retain_until", TIME, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("archived_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_requests.id"],
            name=op.f("fk_privacy_archive_request_id_privacy_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_archive")),
    )
    with op.batch_alter_table("privacy_archive", schema=None) as batch_op:
        batch_op.create_index("ix_privacy_archive_retain_until", ["retain_until"])
        batch_op.create_index(batch_op.f("ix_privacy_archive_subject_id"), ["subject_id"])

    _rehash_phone_digests()


def downgrade():
    op.drop_table("privacy_archive")
    op.drop_table("privacy_legal_holds")
    op.drop_table("privacy_request_events")
    op.drop_table("privacy_requests")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS consent_records_append_only ON consent_records")
        op.execute("DROP FUNCTION IF EXISTS consent_records_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS consent_records_no_update")
    _foreign_keys("CASCADE")
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_column("user_agent")
        batch_op.drop_column("ip_address")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("inactivity_warned_at")
        batch_op.drop_column("erased_at")
        batch_op.drop_column("deactivated_at")
