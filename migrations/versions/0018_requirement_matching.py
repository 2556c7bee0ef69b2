"""requirement matching: a requirement posted while search is down waits to be matched

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("buy_requirements") as batch_op:
        batch_op.add_column(sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True))
    # Every requirement so far was matched when it was posted.
    op.execute("UPDATE buy_requirements SET matched_at = created_at")
    op.create_index(
        "ix_buy_requirements_unmatched",
        "buy_requirements",
        ["created_at"],
        postgresql_where=sa.text("matched_at IS NULL"),
        sqlite_where=sa.text("matched_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_buy_requirements_unmatched", table_name="buy_requirements")
    with op.batch_alter_table("buy_requirements") as batch_op:
        batch_op.drop_column("matched_at")
