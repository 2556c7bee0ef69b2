"""Whether what a supplier registered agrees with what the GST registry says: the business name
(with the registry's legal or trade name), the state and the PIN code.

Names are compared as people write them, not as bytes: case, punctuation, "&" for "and", "M/s"
before a name and the spellings of a legal form ("Pvt. Ltd." for "Private Limited") do not make
two names differ. Anything else does: a badge that says "legal name matches" must mean it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marketplace.accounts.gst_registry import Registration
from marketplace.accounts.india import find_state

# Spellings of one legal form or word, each rewritten to one form (applied to whole words).
_WORD_FORMS = (
    (r"\bprivate\b", "pvt"),
    (r"\blimited\b", "ltd"),
    (r"\bcompany\b", "co"),
    (r"\bcorporation\b", "corp"),
    (r"\bbrothers\b", "bros"),
    (r"\bl\s?l\s?p\b", "llp"),
    (r"\bp\s?ltd\b", "pvt ltd"),
)


def normalise_name(name: str) -> str:
    """'M/s. Kulkarni Precision Engg. Pvt. Ltd.' and 'KULKARNI PRECISION ENGG PRIVATE LIMITED'
    both become 'kulkarni precision engg pvt ltd'."""
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"^\s*m\s*/\s*s\b\.?", " ", text)  # "M/s" (messrs) before a firm's name
    text = re.sub(r"[^\w\s]", " ", text)  # punctuation, dots of abbreviations included
    text = " ".join(text.split())
    text = re.sub(r"^the\s+", "", text)
    for pattern, replacement in _WORD_FORMS:
        text = re.sub(pattern, replacement, text)
    return text


def _same_state(registered: str, registry: str) -> bool:
    ours, theirs = find_state(registered), find_state(registry)
    if ours is not None and theirs is not None:
        return ours.gst_code == theirs.gst_code
    return normalise_name(registered) == normalise_name(registry)


@dataclass(frozen=True)
class Comparison:
    mismatches: tuple[str, ...]  # "name", "state", "pincode", in that order
    name_matched: str | None  # "legal" or "trade": which registry name the business name is


def compare(name: str, state: str, pincode: str, registration: Registration) -> Comparison:
    wanted = normalise_name(name)
    name_matched = None
    if wanted == normalise_name(registration.legal_name):
        name_matched = "legal"
    elif registration.trade_name and wanted == normalise_name(registration.trade_name):
        name_matched = "trade"
    pincodes = (registration.pincode, *registration.other_pincodes)
    mismatches = [
        field
        for field, agrees in (
            ("name", name_matched is not None),
            ("state", _same_state(state, registration.state)),
            ("pincode", pincode.strip() in pincodes),
        )
        if not agrees
    ]
    return Comparison(tuple(mismatches), name_matched)
