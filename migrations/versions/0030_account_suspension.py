"""account suspension: an admin suspends an account with a reason, and lifts it

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 13:30:00

"""

import sqlalchemy as sa
from alembic import op

from marketplace.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("suspended_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("suspended_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_users_suspended_by_id_users",
            "users",
            ["suspended_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("fk_users_suspended_by_id_users", type_="foreignkey")
        batch_op.drop_column("suspended_by_id")
        batch_op.drop_column("suspended_reason")
        batch_op.drop_column("suspended_at")
