"""notice retry: a new-enquiry notice that failed waits before it is tried again

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 04:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("notice_retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_column("notice_retry_at")
