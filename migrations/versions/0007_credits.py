"""credits: the ledger, credit-pack orders, GST invoices and credit notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 18:01:56.726377

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoice_series",
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "financial_year", name=op.f("pk_invoice_series")),
    )
    op.create_table(
        "credit_accounts",
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.String(length=32), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier_profiles.id"],
            name=op.f("fk_credit_accounts_supplier_id_supplier_profiles"),
        ),
        sa.PrimaryKeyConstraint("supplier_id", name=op.f("pk_credit_accounts")),
    )
    op.create_table(
        "credit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "allocation",
                "purchase",
                "goodwill",
                "unlock",
                "refund",
                "expiry",
                name="creditkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("week", sa.Date(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_credit_entries_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["credit_entries.id"], name=op.f("fk_credit_entries_lot_id_credit_entries")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier_profiles.id"],
            name=op.f("fk_credit_entries_supplier_id_supplier_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_entries")),
        sa.UniqueConstraint("supplier_id", "reference", name="uq_credit_entries_reference"),
        sa.UniqueConstraint("supplier_id", "week", name="uq_credit_entries_week"),
    )
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_entries_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(
            "ix_credit_entries_supplier_expiry", ["supplier_id", "expires_at"], unique=False
        )

    op.create_table(
        "credit_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.String(length=32), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("taxable_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("cgst", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("sgst", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("igst", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("gateway_order_id", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "created",
                "paid",
                "failed",
                "refunded",
                name="orderstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_id", sa.String(length=64), nullable=True),
        sa.Column("refund_reason", sa.String(length=300), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier_profiles.id"],
            name=op.f("fk_credit_orders_supplier_id_supplier_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_orders")),
        sa.UniqueConstraint("gateway", "gateway_order_id", name="uq_credit_orders_gateway_order"),
        sa.UniqueConstraint("gateway", "payment_id", name="uq_credit_orders_payment"),
    )
    with op.batch_alter_table("credit_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_orders_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_credit_orders_supplier_created", ["supplier_id", "created_at"], unique=False
        )

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("invoice", "credit_note", name="invoicekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("original_invoice_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("seller_gstin", sa.String(length=15), nullable=False),
        sa.Column("seller_address", sa.String(length=400), nullable=False),
        sa.Column("seller_state", sa.String(length=64), nullable=False),
        sa.Column("seller_state_code", sa.String(length=2), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_gstin", sa.String(length=15), nullable=False),
        sa.Column("recipient_address", sa.String(length=400), nullable=False),
        sa.Column("recipient_state", sa.String(length=64), nullable=False),
        sa.Column("recipient_state_code", sa.String(length=2), nullable=False),
        sa.Column("place_of_supply", sa.String(length=64), nullable=False),
        sa.Column("place_of_supply_code", sa.String(length=2), nullable=False),
        sa.Column("sac", sa.String(length=8), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("taxable_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("cgst_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("cgst", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("sgst_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("sgst", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("igst_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("igst", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["credit_orders.id"], name=op.f("fk_invoices_order_id_credit_orders")
        ),
        sa.ForeignKeyConstraint(
            ["original_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoices_original_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier_profiles.id"],
            name=op.f("fk_invoices_supplier_id_supplier_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint("order_id", "kind", name=op.f("uq_invoices_order_id")),
        sa.UniqueConstraint("series", "financial_year", "serial", name=op.f("uq_invoices_series")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoices_supplier_issued", ["supplier_id", "issued_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_supplier_issued")

    op.drop_table("invoices")
    with op.batch_alter_table("credit_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_orders_supplier_created")
        batch_op.drop_index(batch_op.f("ix_credit_orders_status"))

    op.drop_table("credit_orders")
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_entries_supplier_expiry")
        batch_op.drop_index(batch_op.f("ix_credit_entries_lot_id"))

    op.drop_table("credit_entries")
    op.drop_table("credit_accounts")
    op.drop_table("invoice_series")
