"""first response: when the supplier first answered a lead, for the public response figures

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# The answers already on record: the supplier's first message or quotation, and the audit rows
# of marking a lead spam (directly, or by blocking its buyer).
_FIRST_MESSAGE = """
UPDATE leads SET first_response_at = (
    SELECT MIN(m.created_at) FROM lead_messages m
    WHERE m.lead_id = leads.id AND m.side = 'supplier'
)
"""
_MARKED_SPAM = """
UPDATE leads SET first_response_at = (
    SELECT MIN(a.occurred_at) FROM audit_events a
    WHERE a.action IN ('lead.marked_spam', 'lead.buyer_blocked')
      AND a.subject_type = 'leads' AND a.subject_id = CAST(leads.id AS VARCHAR(64))
)
WHERE EXISTS (
    SELECT 1 FROM audit_events a
    WHERE a.action IN ('lead.marked_spam', 'lead.buyer_blocked')
      AND a.subject_type = 'leads' AND a.subject_id = CAST(leads.id AS VARCHAR(64))
      AND (leads.first_response_at IS NULL OR a.occurred_at < leads.first_response_at)
)
"""


def upgrade():
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(
            sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(_FIRST_MESSAGE)
    op.execute(_MARKED_SPAM)


def downgrade():
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_column("first_response_at")
