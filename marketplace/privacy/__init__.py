"""Privacy: the consent ledger (and, later, objections, access and erasure requests)."""
