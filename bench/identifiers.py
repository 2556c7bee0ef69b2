#!/usr/bin/env python3
"""Free-text redaction benchmark: how fast an erasure reads the texts it must scan, and how
fast the BuyLead feed masks contact details.

    .venv/bin/python bench/identifiers.py [--texts 100000]

An erasure reads every free-text column of every domain (marketplace.privacy.erasure.
redact_columns), anyone's rows: its cost grows with the number of enquiries, messages, notes,
requirements and complaints. This times `PersonIdentifiers.replace` over synthetic texts like
the portal's (a fifth of them holding a phone number, one in a hundred naming the person) and
`mask_contacts` over requirement descriptions, without a database, so that the figures are the
text work alone. The last line printed is one JSON object:
{"redact": {"texts", "seconds", "per_second", "found"}, "mask": {...}}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.identifiers import PersonIdentifiers, mask_contacts

WORDS = [
    "please",
    "quote",
    "for",
    "500",
    "kg",
    "SS",
    "304",
    "seamless",
    "pipe",
    "schedule",
    "40",
    "delivery",
    "to",
    "Pune",
    "within",
    "15",
    "days",
    "with",
    "mill",
    "test",
    "certificate",
    "payment",
    "30",
    "days",
    "credit",
    "GST",
    "invoice",
    "required",
    "sample",
    "first",
]


def _texts(count: int, rng: random.Random) -> list[str]:
    texts = []
    for index in range(count):
        words = rng.choices(WORDS, k=rng.randint(8, 60))
        if index % 5 == 0:
            words.append(f"call {rng.randint(70000, 99999)} {rng.randint(10000, 99999)}")
        if index % 100 == 0:
            words.append("Farida Noorani on +91 98765 43210 or farida.n@example.in")
        texts.append(" ".join(words))
    return texts


def _timed(function, texts: list[str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    found = sum(function(text) != text for text in texts)
    seconds = time.perf_counter() - started
    return {
        "texts": len(texts),
        "seconds": round(seconds, 3),
        "per_second": round(len(texts) / seconds),
        "found": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=100_000)
    texts = _texts(parser.parse_args().texts, random.Random(7))
    person = PersonIdentifiers.of(
        emails=["farida.n@example.in"],
        phones=["+919876543210"],
        gstins=["27AAPFU0939F1ZV"],
        names=["Farida Noorani"],
        businesses=["Noorani Traders Pvt Ltd"],
        addresses=["Shop 4, Crawford Market"],
    )
    figures = {
        "redact": _timed(lambda text: person.replace(text, "[erased]", about_them=True), texts),
        "mask": _timed(mask_contacts, texts),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
