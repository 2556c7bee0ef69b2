"""request ids: a queued task and a webhook delivery keep the id of the request that caused them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 07:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("queued_tasks", "webhook_deliveries")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("request_id", sa.String(64), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("request_id")
