"""What a buyer typed, as a plan both backends execute the same way.

The text is read first (search.vocabulary: measures and grades as one word each, Devanagari
folded), then split into words; runs of words that belong to a synonym group ("ss", "stainless
steel", "sariya", "सरिया") become one clause whose alternatives are every phrase of the group. A
clause matches when any of its alternatives does. Every word that names or describes the product
and every measure must match; generic words ("price", "supplier") only rank. When nothing
matches, the search relaxes step by step: first the measures only rank, then the words that
only describe the product (qualifiers: "organic", "printed", a brand) go one by one from the
left, but a word that names the product (a noun of the category tree or a word of the
vocabulary) is never let go. Each backend turns the
plan into its own query language, with the same field boosts and the same typo tolerance.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

import tantivy

from search import vocabulary

# Field weights: a match in the name counts most, then category and specifications, then the
# supplier's name and the description (the issue's "name above category and specifications
# above description"; a supplier is found by its name, without its name lifting its products
# above those that are named what was asked for).
FIELD_BOOSTS = {
    "name": 4.0,
    "category_text": 2.5,
    "specs": 2.0,
    "supplier": 1.5,
    "description": 1.0,
}
# Multi-word synonyms ("stainless steel") match as phrases in the short fields.
PHRASE_FIELDS = ("name", "category_text", "specs")
# Typo tolerance compares the word as typed with unstemmed words: a stemmer cuts a misspelt word
# differently from the real one ("stainles" -> "stainl", three edits from "stainless").
FUZZY_FIELDS = {"name": "name_plain", "category_text": "category_plain"}

# Equivalent ways Indian traders write the same thing (abbreviations, Hindi and Hinglish trade
# words in both scripts, British and American spellings) are data: search/vocabulary.json.
SYNONYM_GROUPS = vocabulary.SYNONYM_GROUPS

_MAX_PHRASE = 4
# What counts as a word: letters and digits of any script, with Devanagari's vowel signs and
# viramas (which Python's \w leaves out, cutting "सरिया" in two).
WORD = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0971-\u097f])+", re.UNICODE)


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


# What a clause says of the product: a word that names it (never let go), a qualifier that only
# describes it (let go, from the left, when nothing has every word), a measure or a bare number
# (must match, except when relaxed), or a generic word (a result need not have it).
WORD_ROLE, QUALIFIER_ROLE, MEASURE_ROLE, GENERIC_ROLE = "word", "qualifier", "measure", "generic"
# How the clauses combine: "all" the meaningful ones, "relaxed" (the words that name the
# product, without its measures and some of its qualifiers), or "any" (a buy requirement's
# supplier matching).
Mode = Literal["all", "relaxed", "any"]
# Relaxed searches tried at most: letting go of one qualifier, of two, then of all of them.
_QUALIFIER_STEPS = (1, 2)
_DESCRIBING = (WORD_ROLE, QUALIFIER_ROLE)


@dataclass(frozen=True)
class Clause:
    """One thing the buyer asked for; any alternative (a word or a phrase) satisfies it."""

    alternatives: tuple[tuple[str, ...], ...]
    role: str = WORD_ROLE
    # Typo tolerance: not for a word the vocabulary knows ("saria" is no typo of "sari").
    fuzzy: bool = True

    @property
    def typed(self) -> tuple[str, ...]:
        return self.alternatives[0]


@dataclass(frozen=True)
class QueryPlan:
    clauses: tuple[Clause, ...]

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def relaxations(self, exact: bool = False) -> tuple[int, ...]:
        """The relaxed searches to try in turn when nothing matches every word, each as the
        number of qualifiers it lets go (from the left: "kajaria wall tiles" becomes "wall
        tiles" before "tiles"). Only a query with a word that names the product relaxes: two
        such words of different kinds ("erw wheat") find nothing rather than either alone.
        `exact`: the buyer asked for the words as typed, so only the measures may go."""
        roles = [clause.role for clause in self.clauses]
        if WORD_ROLE not in roles:
            return ()
        qualifiers = 0 if exact else roles.count(QUALIFIER_ROLE)
        steps = [0] if MEASURE_ROLE in roles else []
        wanted = (*_QUALIFIER_STEPS, qualifiers)
        steps += sorted({step for step in wanted if 0 < step <= qualifiers})
        return tuple(steps)

    @property
    def can_relax(self) -> bool:
        return bool(self.relaxations())

    def required(self, mode: Mode, let_go: int = 0) -> list[bool]:
        """Which clauses a result must match (the others only rank it). The words that carry
        the meaning are never dropped: a query of only generic words or measures needs them.
        Relaxed, the measures and the first `let_go` qualifiers only rank."""
        roles = [clause.role for clause in self.clauses]
        if mode == "any":
            return [False] * len(roles)
        needed = {WORD_ROLE, QUALIFIER_ROLE}
        if mode != "relaxed":
            needed.add(MEASURE_ROLE)
        if not any(role in needed for role in roles):
            needed = {WORD_ROLE, QUALIFIER_ROLE, MEASURE_ROLE, GENERIC_ROLE}
        required = [role in needed for role in roles]
        if mode == "relaxed":
            qualifiers = [at for at, role in enumerate(roles) if role == QUALIFIER_ROLE]
            for at in qualifiers[:let_go]:
                required[at] = False
        return required


def _role(phrase: tuple[str, ...], known: bool) -> str:
    """`known`: the phrase is a word of the vocabulary (a trade term, which names the product)."""
    if len(phrase) == 1 and vocabulary.is_measure(phrase[0]):
        return MEASURE_ROLE
    if all(word in vocabulary.GENERIC for word in phrase):
        return GENERIC_ROLE
    if known or is_product_noun(phrase[-1]) or any(char.isdigit() for char in phrase[-1]):
        return WORD_ROLE  # a grade ("fe500d") says what the product is too
    return QUALIFIER_ROLE


@functools.cache
def _product_stems() -> frozenset[str]:
    return frozenset(stem(word) for word in vocabulary.PRODUCTS)


@functools.lru_cache(maxsize=4096)
def is_product_noun(word: str) -> bool:
    """'blanket', 'tiles', 'wheat': a noun of the category tree, in any number, or one typed
    with a typo that search forgives ('blankts'): a misspelt product is no qualifier."""
    if word in vocabulary.PRODUCTS or stem(word) in _product_stems():
        return True
    limit = fuzziness(word)
    return bool(limit) and any(
        edit_distance(word, noun, limit) <= limit for noun in vocabulary.PRODUCTS
    )


def plan(text: str) -> QueryPlan:
    """The words of a query, its measures and grades read as specifications (search.vocabulary),
    runs of words of one synonym group as one clause."""
    tokens = words(vocabulary.normalise(text))[:32]  # longer is no search, and costs more
    clauses: list[Clause] = []
    position = 0
    while position < len(tokens):
        for length in range(min(_MAX_PHRASE, len(tokens) - position), 0, -1):
            phrase = tuple(tokens[position : position + length])
            group = _SYNONYMS.get(phrase)
            if group or length == 1:
                alternatives = (phrase, *[p for p in group or () if p != phrase])
                clauses.append(Clause(alternatives, _role(phrase, bool(group)), fuzzy=not group))
                position += length
                break
    return QueryPlan(tuple(dict.fromkeys(_head_kept(clauses))))


def _head_kept(clauses: list[Clause]) -> list[Clause]:
    """The last describing word of a query is its head noun, whatever the vocabulary knows
    ("pvc pipe fittings", "rice flour", "गेहूं का आटा"): it names the product, so relaxing
    never lets it go (showing pipes for pipe fittings would answer another question)."""
    describing = [at for at, clause in enumerate(clauses) if clause.role in _DESCRIBING]
    if describing and clauses[describing[-1]].role == QUALIFIER_ROLE:
        clauses[describing[-1]] = dataclasses.replace(clauses[describing[-1]], role=WORD_ROLE)
    return clauses


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
