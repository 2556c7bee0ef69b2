"""reviews: ratings from real trade, the supplier's reply, reports to the officer's desk

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

import marketplace.db

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("replied_at", marketplace.db.UTCDateTime(), nullable=True),
        sa.Column("hidden_at", marketplace.db.UTCDateTime(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", marketplace.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", marketplace.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["hidden_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier_profiles.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supplier_id", "author_id"),
    )
    op.create_index("ix_reviews_author", "reviews", ["author_id"])
    op.create_index("ix_reviews_supplier_created", "reviews", ["supplier_id", "created_at"])
    op.create_table(
        "review_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", marketplace.db.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", marketplace.db.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_reports_open", "review_reports", ["review_id", "resolved_at"])
    op.create_index("ix_review_reports_reporter", "review_reports", ["reporter_id"])


def downgrade():
    op.drop_index("ix_review_reports_reporter", table_name="review_reports")
    op.drop_index("ix_review_reports_open", table_name="review_reports")
    op.drop_table("review_reports")
    op.drop_index("ix_reviews_supplier_created", table_name="reviews")
    op.drop_index("ix_reviews_author", table_name="reviews")
    op.drop_table("reviews")
