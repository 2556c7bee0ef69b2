"""grievances: complaints, their history and attachments, guests' confirmations, desk warnings,
and the breach register

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 19:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "grievances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("complainant_id", sa.Integer(), nullable=True),
        sa.Column("complainant_name", sa.String(length=100), nullable=False),
        sa.Column("complainant_email", sa.String(length=254), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("related_kind", sa.String(length=16), nullable=True),
        sa.Column("related_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("acknowledge_by", TIME, nullable=False),
        sa.Column("resolve_by", TIME, nullable=False),
        sa.Column("acknowledged_at", TIME, nullable=True),
        sa.Column("resolved_at", TIME, nullable=True),
        sa.Column("appealed_at", TIME, nullable=True),
        sa.Column("closed_at", TIME, nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["complainant_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("grievances") as batch:
        batch.create_index("ix_grievances_received_at", ["received_at"])
        batch.create_index("ix_grievances_status_resolve_by", ["status", "resolve_by"])
        batch.create_index("ix_grievances_complainant", ["complainant_id", "received_at"])

    op.create_table(
        "grievance_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grievance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("status_from", sa.String(length=16), nullable=True),
        sa.Column("status_to", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], ["grievances.id"]),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("grievance_events") as batch:
        batch.create_index("ix_grievance_events_grievance_id", ["grievance_id"])

    op.create_table(
        "grievance_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grievance_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], ["grievances.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("grievance_attachments") as batch:
        batch.create_index("ix_grievance_attachments_grievance_id", ["grievance_id"])

    op.create_table(
        "grievance_guest_drafts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("grievance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], ["grievances.id"]),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "desk_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(length=16), nullable=False),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "item_id", "deadline", "due_at"),
    )

    op.create_table(
        "breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("detected_at", TIME, nullable=False),
        sa.Column("nature", sa.Text(), nullable=False),
        sa.Column("data_affected", sa.JSON(), nullable=False),
        sa.Column("users_affected", sa.Integer(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("consequences", sa.Text(), nullable=False),
        sa.Column("user_safety_steps", sa.Text(), nullable=False),
        sa.Column("board_report_due", TIME, nullable=False),
        sa.Column("board_intimated_at", TIME, nullable=True),
        sa.Column("board_report_at", TIME, nullable=True),
        sa.Column("users_notified_at", TIME, nullable=True),
        sa.Column("users_notified", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_at", TIME, nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )


def downgrade():
    op.drop_table("breaches")
    op.drop_table("desk_warnings")
    op.drop_table("grievance_guest_drafts")
    op.drop_table("grievance_attachments")
    op.drop_table("grievance_events")
    op.drop_table("grievances")
