"""lead supplier notified: a new enquiry's notice is sent by a task, once

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 20:50:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("supplier_notified_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Leads from before this column were notified in the request that made them.
    op.execute("UPDATE leads SET supplier_notified_at = created_at")


def downgrade():
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("supplier_notified_at")
