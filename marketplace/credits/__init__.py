"""Credits: the ledger of grants and debits, weekly plan allocations, credit packs paid through a
payment gateway, and the GST tax invoices (and credit notes) that record each payment."""
