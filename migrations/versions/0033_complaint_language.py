"""complaint language: the language a complaint was written in, so the officer reads it as
written and the complainant's mails about it go out in that language

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 17:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    # Complaints filed before this were all written in English, the only language offered.
    with op.batch_alter_table("grievances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )


def downgrade():
    with op.batch_alter_table("grievances", schema=None) as batch_op:
        batch_op.drop_column("language")
