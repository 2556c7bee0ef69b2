"""Indian trading towns a buyer may name in a search ("gi pipe jalandhar"), with their states.

A query's words are matched against these and against the state names; a match becomes a
location filter instead of a word to find in listings.
"""

from __future__ import annotations

# city -> state, for the towns B2B listings come from most (and their common other names)
CITY_STATES: dict[str, str] = {
    "mumbai": "Maharashtra",
    "bombay": "Maharashtra",
    "pune": "Maharashtra",
    "nagpur": "Maharashtra",
    "nashik": "Maharashtra",
    "aurangabad": "Maharashtra",
    "thane": "Maharashtra",
    "ahmedabad": "Gujarat",
    "surat": "Gujarat",
    "vadodara": "Gujarat",
    "baroda": "Gujarat",
    "rajkot": "Gujarat",
    "jamnagar": "Gujarat",
    "morbi": "Gujarat",
    "chennai": "Tamil Nadu",
    "madras": "Tamil Nadu",
    "coimbatore": "Tamil Nadu",
    "tiruppur": "Tamil Nadu",
    "madurai": "Tamil Nadu",
    "salem": "Tamil Nadu",
    "bengaluru": "Karnataka",
    "bangalore": "Karnataka",
    "mysuru": "Karnataka",
    "mysore": "Karnataka",
    "hubballi": "Karnataka",
    "new delhi": "Delhi",
    "noida": "Uttar Pradesh",
    "kanpur": "Uttar Pradesh",
    "lucknow": "Uttar Pradesh",
    "agra": "Uttar Pradesh",
    "moradabad": "Uttar Pradesh",
    "ghaziabad": "Uttar Pradesh",
    "gurugram": "Haryana",
    "gurgaon": "Haryana",
    "faridabad": "Haryana",
    "panipat": "Haryana",
    "ludhiana": "Punjab",
    "jalandhar": "Punjab",
    "amritsar": "Punjab",
    "jaipur": "Rajasthan",
    "jodhpur": "Rajasthan",
    "udaipur": "Rajasthan",
    "kolkata": "West Bengal",
    "calcutta": "West Bengal",
    "howrah": "West Bengal",
    "hyderabad": "Telangana",
    "indore": "Madhya Pradesh",
    "bhopal": "Madhya Pradesh",
    "kochi": "Kerala",
    "cochin": "Kerala",
    "thrissur": "Kerala",
    "visakhapatnam": "Andhra Pradesh",
    "vizag": "Andhra Pradesh",
    "vijayawada": "Andhra Pradesh",
    "bhubaneswar": "Odisha",
    "patna": "Bihar",
    "guwahati": "Assam",
}
# The name a listing's city is stored under, for the other names above.
CITY_NAMES: dict[str, str] = {
    "bombay": "Mumbai",
    "baroda": "Vadodara",
    "madras": "Chennai",
    "bangalore": "Bengaluru",
    "mysore": "Mysuru",
    "gurgaon": "Gurugram",
    "calcutta": "Kolkata",
    "cochin": "Kochi",
    "vizag": "Visakhapatnam",
    "new delhi": "New Delhi",
}


def city_name(key: str) -> str:
    return CITY_NAMES.get(key, key.title())
