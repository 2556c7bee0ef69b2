"""What a buyer typed, as a plan both backends execute the same way.

The text is split into words; runs of words that belong to a synonym group ("ss", "stainless
steel") become one clause whose alternatives are every phrase of the group. Every clause must
match (AND); a clause matches when any of its alternatives does. Each backend turns the plan into
its own query language, with the same field boosts and the same typo tolerance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Field weights: a match in the name counts most, then category and specifications, then the
# description (the "name above category and specifications above description").
FIELD_BOOSTS = {"name": 4.0, "category_text": 2.5, "specs": 2.0, "description": 1.0}
# Multi-word synonyms ("stainless steel") match as phrases in the short fields.
PHRASE_FIELDS = ("name", "category_text", "specs")
# Typo tolerance compares the word as typed with unstemmed words: a stemmer cuts a misspelt word
# differently from the real one ("stainles" -> "stainl", three edits from "stainless").
FUZZY_FIELDS = {"name": "name_plain", "category_text": "category_plain"}

# Equivalent ways Indian traders write the same thing: abbreviations, Hindi trade words, British
# and American spellings. Each tuple is one group; any phrase finds the others.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("ss", "stainless steel"),
    ("ms", "mild steel"),
    ("gi", "galvanised iron", "galvanized iron"),
    ("tmt", "tmt bar", "thermo mechanically treated"),
    ("hdpe", "high density polyethylene"),
    ("ldpe", "low density polyethylene"),
    ("pvc", "polyvinyl chloride"),
    ("upvc", "unplasticised pvc", "unplasticized pvc"),
    ("pp", "polypropylene"),
    ("pet", "polyethylene terephthalate"),
    ("bopp", "biaxially oriented polypropylene"),
    ("crca", "cold rolled close annealed"),
    ("cr", "cold rolled"),
    ("hr", "hot rolled"),
    ("erw", "electric resistance welded"),
    ("aac", "autoclaved aerated concrete"),
    ("rmc", "ready mix concrete"),
    ("opc", "ordinary portland cement"),
    ("ppc", "portland pozzolana cement"),
    ("dg", "dg set", "diesel generator"),
    ("pcb", "printed circuit board"),
    ("cctv", "closed circuit television"),
    ("api", "active pharmaceutical ingredient"),
    ("ppe", "personal protective equipment"),
    ("frp", "fibre reinforced plastic", "fiber reinforced plastic"),
    ("led", "light emitting diode"),
    ("mcb", "miniature circuit breaker"),
    ("vfd", "variable frequency drive"),
    ("plc", "programmable logic controller"),
    ("aluminium", "aluminum"),
    ("galvanised", "galvanized"),
    ("colour", "color"),
    ("fibre", "fiber"),
    ("mould", "mold"),
    ("moulding", "molding"),
    ("tyre", "tire"),
    ("almirah", "steel cupboard"),
    ("kurti", "kurta"),
    ("razai", "quilt"),
    ("gitti", "aggregate", "crushed stone"),
    ("gur", "jaggery"),
    ("dal", "pulses"),
    ("atta", "wheat flour"),
    ("chawal", "rice"),
    ("namkeen", "snacks"),
    ("saree", "sari"),
    ("dhurrie", "durrie", "dhurrie rug"),
    ("genset", "diesel generator"),
)

_MAX_PHRASE = 4
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _group_index() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    index: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for group in SYNONYM_GROUPS:
        phrases = tuple(tuple(words(phrase)) for phrase in group)
        for phrase in phrases:
            index.setdefault(phrase, ())
            index[phrase] = tuple(dict.fromkeys(index[phrase] + phrases))
    return index


_SYNONYMS = _group_index()


@dataclass(frozen=True)
class Clause:
    """One thing the buyer asked for; any alternative (a word or a phrase) satisfies it."""

    alternatives: tuple[tuple[str, ...], ...]

    @property
    def typed(self) -> tuple[str, ...]:
        return self.alternatives[0]


@dataclass(frozen=True)
class QueryPlan:
    clauses: tuple[Clause, ...]

    @property
    def is_empty(self) -> bool:
        return not self.clauses


def plan(text: str) -> QueryPlan:
    tokens = words(text)[:32]  # a query longer than this is not a search, and costs more
    clauses: list[Clause] = []
    position = 0
    while position < len(tokens):
        for length in range(min(_MAX_PHRASE, len(tokens) - position), 0, -1):
            phrase = tuple(tokens[position : position + length])
            group = _SYNONYMS.get(phrase)
            if group or length == 1:
                alternatives = (phrase, *[p for p in group or () if p != phrase])
                clauses.append(Clause(alternatives))
                position += length
                break
    return QueryPlan(tuple(dict.fromkeys(clauses)))


def fuzziness(word: str) -> int:
    """Edits forgiven in a word: none for short words (too many false friends), one from five
    letters, two from nine."""
    if len(word) >= 9:
        return 2
    if len(word) >= 5:
        return 1
    return 0
