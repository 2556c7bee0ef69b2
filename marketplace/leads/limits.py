"""Spam control, for the pages and the API alike: a buyer, and an address, send only so many
enquiries, guest enquiries and buy requirements."""

from __future__ import annotations

ENQUIRY_LIMITS_PER_BUYER = "5 per minute; 60 per day"
ENQUIRY_LIMITS_PER_ADDRESS = "20 per minute; 300 per day"
GUEST_LIMITS_PER_ADDRESS = "5 per hour; 20 per day"
REQUIREMENT_LIMITS_PER_BUYER = "5 per minute; 20 per day"
