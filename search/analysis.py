"""What a buyer typed, as a plan both backends execute the same way.

The text is split into words; runs of words that belong to a synonym group ("ss", "stainless
steel") become one clause whose alternatives are every phrase of the group. Every clause must
match (AND); a clause matches when any of its alternatives does. Each backend turns the plan into
its own query language, with the same field boosts and the same typo tolerance.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import tantivy

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
    # Hindi and Hinglish trade words, as buyers type them in Latin letters
    ("kapda", "kapada", "cloth", "fabric"),
    ("sariya", "saria", "sarya", "tmt bar"),
    ("loha", "iron"),
    ("ispat", "steel"),
    ("chadar", "chaddar", "sheet"),
    ("patti", "strip"),
    ("taar", "wire"),
    ("naal", "nal", "pipe"),
    ("balti", "bucket"),
    ("bori", "gunny bag", "sack"),
    ("thaila", "bag"),
    ("rassi", "rope"),
    ("kil", "nail"),
    ("pench", "screw"),
    ("cheeni", "chini", "sugar"),
    ("haldi", "turmeric"),
    ("mirchi", "chilli"),
    ("jeera", "cumin"),
    ("tel", "oil"),
    ("sabun", "soap"),
    ("khad", "fertiliser", "fertilizer"),
    ("beej", "seed"),
    ("darwaza", "door"),
    ("khidki", "window"),
    ("pankha", "fan"),
    ("bijli", "electric"),
)

_MAX_PHRASE = 4
WORD = re.compile(r"[^\W_]+", re.UNICODE)  # what counts as a word


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


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


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance with adjacent transpositions (as both engines count typos),
    stopping early once it is past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)
            )
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@functools.cache
def _stemmer() -> Any:
    # The embedded engine's library (always installed) gives both engines one English stemmer.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str:
    tokens = _stemmer().analyze(word)
    return tokens[0] if tokens else word


def corrected_text(query_plan: QueryPlan, found_texts: list[str]) -> str | None:
    """The query as the results read it, when typo tolerance changed a word: each typed word
    (one long enough to be forgiven) that none of the found texts contains is replaced by the
    closest word they do contain. None when nothing was changed."""
    vocabulary: dict[str, int] = {}
    for text in found_texts:
        for word in set(words(text)):
            vocabulary[word] = vocabulary.get(word, 0) + 1
    stems = {stem(word) for word in vocabulary}
    changed = False
    shown = []
    for clause in query_plan.clauses:
        typed = clause.typed
        if len(typed) != 1 or any(char.isdigit() for char in typed[0]) or not fuzziness(typed[0]):
            shown.append(" ".join(typed))
            continue
        word = typed[0]
        alternatives = {alt[0] for alt in clause.alternatives if len(alt) == 1}
        if any(alt in vocabulary or stem(alt) in stems for alt in alternatives):
            shown.append(word)
            continue
        limit = fuzziness(word)
        close = [
            (edit_distance(word, candidate, limit), -count, candidate)
            for candidate, count in vocabulary.items()
            if abs(len(candidate) - len(word)) <= limit
        ]
        close = [item for item in close if item[0] <= limit]
        if close:
            shown.append(min(close)[2])
            changed = True
        else:
            shown.append(word)
    return " ".join(shown) if changed else None
