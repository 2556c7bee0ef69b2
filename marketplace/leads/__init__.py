"""Leads: enquiries, the lead manager, conversations, the CRM pull API and webhooks."""
