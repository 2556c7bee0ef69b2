"""The lead manager's CSV export: exactly the leads of the filtered list, safe to open in a
spreadsheet."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.formatting import export_moment
from marketplace.leads import policy, queries
from marketplace.leads.schemas import quantity_text
from marketplace.spreadsheets import safe_cell

CSV_COLUMNS = (
    "id",
    "received_at_ist",
    "type",
    "source",
    "status",
    "product",
    "quantity",
    "unit",
    "buyer_name",
    "buyer_company",
    "buyer_email",
    "buyer_phone",
    "city",
    "message",
    "follow_up_on",
)


def export_csv(user: User, chosen: queries.LeadFilter) -> str:
    """Exactly the leads of the filtered list, every page of it, newest first."""
    scope = policy.lead_scope(user)
    chosen = replace(chosen, assignee_id=scope.only_assignee_id)
    rows = queries.all_leads(queries.supplier_leads_query(scope.supplier.id, chosen))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for lead in rows:
        buyer = lead.buyer
        writer.writerow(
            safe_cell(value)
            for value in (
                lead.id,
                export_moment(lead.created_at),
                lead.type,
                lead.source,
                lead.status,
                lead.product_name,
                quantity_text(lead.quantity),
                lead.unit,
                buyer.name if buyer else "Deleted account",
                buyer.supplier.company_name if buyer and buyer.supplier else None,
                buyer.email if buyer else None,
                buyer.phone if buyer else None,
                lead.city,
                lead.message,
                lead.follow_up_on,
            )
        )
    audit.record("leads.exported", actor_id=user.id, rows=len(rows))
    return out.getvalue()
