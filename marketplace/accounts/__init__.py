"""Accounts: users, roles, supplier profiles with GSTIN/PAN, sessions and API keys."""
