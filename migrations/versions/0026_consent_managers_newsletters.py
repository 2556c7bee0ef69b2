"""consent managers and newsletters: registered consent managers, the nonces of their signed
calls, the ledger's column naming the manager of a choice, newsletters and their deliveries

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 10:30:00

"""

import sqlalchemy as sa
from alembic import op

from marketplace.privacy.models import CONSENT_GUARD_POSTGRESQL, CONSENT_GUARD_SQLITE

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def _guard():
    """A batch on SQLite copies the table and drops its triggers: the ledger's guard returns."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in CONSENT_GUARD_POSTGRESQL if postgresql else CONSENT_GUARD_SQLITE:
        op.execute(statement)


def upgrade():
    op.create_table(
        "consent_managers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", TIME, nullable=False),
        sa.Column("suspended_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["users.id"], name="fk_consent_managers_registered_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consent_managers"),
        sa.UniqueConstraint("registration_number", name="uq_consent_managers_registration_number"),
    )
    op.create_table(
        "consent_manager_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["consent_managers.id"],
            name="fk_consent_manager_nonces_manager_id_consent_managers",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consent_manager_nonces"),
        sa.UniqueConstraint("manager_id", "nonce", name="uq_consent_manager_nonces_manager_id"),
    )
    op.create_index(
        "ix_consent_manager_nonces_seen_at", "consent_manager_nonces", ["seen_at"], unique=False
    )
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_manager_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_consent_records_consent_manager_id_consent_managers",
            "consent_managers",
            ["consent_manager_id"],
            ["id"],
        )
    _guard()
    op.create_table(
        "newsletters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sending_at", TIME, nullable=True),
        sa.Column("finished_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_newsletters_created_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name="fk_newsletters_sent_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_newsletters"),
    )
    op.create_table(
        "newsletter_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("newsletter_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["newsletter_id"],
            ["newsletters.id"],
            name="fk_newsletter_deliveries_newsletter_id_newsletters",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_newsletter_deliveries_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_newsletter_deliveries"),
        sa.UniqueConstraint(
            "newsletter_id", "user_id", name="uq_newsletter_deliveries_newsletter_id"
        ),
    )
    op.create_index(
        "ix_newsletter_deliveries_user_id", "newsletter_deliveries", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_newsletter_deliveries_user_id", table_name="newsletter_deliveries")
    op.drop_table("newsletter_deliveries")
    op.drop_table("newsletters")
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_consent_records_consent_manager_id_consent_managers", type_="foreignkey"
        )
        batch_op.drop_column("consent_manager_id")
    _guard()
    op.drop_index("ix_consent_manager_nonces_seen_at", table_name="consent_manager_nonces")
    op.drop_table("consent_manager_nonces")
    op.drop_table("consent_managers")
