"""enquiry guard lead time: the guard row carries its lead's creation time

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 23:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enquiry_guards") as batch_op:
        batch_op.add_column(sa.Column("lead_created_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE enquiry_guards SET lead_created_at = "
        "(SELECT leads.created_at FROM leads WHERE leads.id = enquiry_guards.lead_id)"
    )


def downgrade():
    with op.batch_alter_table("enquiry_guards") as batch_op:
        batch_op.drop_column("lead_created_at")
