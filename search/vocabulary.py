"""The trade's vocabulary (vocabulary.json, maintained beside this module) and the reading of
specifications that both engines share.

A buyer writes "5hp", "5 HP" or "5 horse power"; a listing says "Power: 5 HP". Both are read
as the one word `5hp` (a decimal point becomes "p": "62.5 kVA" is `62p5kva`, which every
tokenizer keeps whole), in the query and in an extra line of each document's specifications.
Grades are read the same way: "Fe 500D", "fe500d" and "FE-500D" are `fe500d`, and a listing
of Fe 500D is also found as `fe500` and `500` (the grade without its sub-grade letter).
Devanagari is folded so that spellings with and without a nukta or chandrabindu meet.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from importlib import resources
from typing import Any

_DATA: dict[str, Any] = json.loads(
    resources.files("search").joinpath("vocabulary.json").read_text(encoding="utf-8")
)

_NUKTA, _CHANDRABINDU, _ANUSVARA = "\u093c", "\u0901", "\u0902"


def fold(text: str) -> str:
    """Lower case, and Devanagari without the marks people write or leave out at will."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    decomposed = decomposed.replace(_NUKTA, "").replace(_CHANDRABINDU, _ANUSVARA)
    return unicodedata.normalize("NFC", decomposed)


def _groups(key: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fold(phrase) for phrase in group) for group in _DATA[key])


# Equivalent phrases: any one finds the others. The Hindi groups lead with the English meant.
ABBREVIATIONS = _groups("abbreviations")
SPELLINGS = _groups("spellings")
HINDI = _groups("hindi")
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = ABBREVIATIONS + SPELLINGS + HINDI
# Words that say nothing of the product by themselves ("price", "supplier", "set", "ka").
GENERIC: frozenset[str] = frozenset(fold(word) for word in _DATA["generic"])
# The nouns that say what a product is ("blankets", "tiles", "wheat"): the heads of the category
# names. Any other word of a query that the vocabulary does not know only describes the product.
PRODUCTS: frozenset[str] = frozenset(fold(word) for word in _DATA["products"])
UNITS: dict[str, str] = {
    fold(spelling): unit for unit, spellings in _DATA["units"].items() for spelling in spellings
}
GRADE_PREFIXES: tuple[str, ...] = tuple(_DATA["grade_prefixes"])

_NUMBER = r"\d+(?:,\d{2,3})*(?:\.\d+)?(?:/\d+)?"
_UNIT_SPELLINGS = "|".join(re.escape(spelling) for spelling in sorted(UNITS, key=len, reverse=True))
# A number and its unit, apart or together ("5 HP", "5hp", "62.5-kVA", '2"'), not inside a
# longer word or number ("M25", "1/2").
_MEASURE = re.compile(
    rf"(?<![\w./])({_NUMBER})\s*-?\s*({_UNIT_SPELLINGS})(?![^\W_])", re.IGNORECASE
)
_GRADE = re.compile(
    rf"(?<![\w.])({'|'.join(GRADE_PREFIXES)})\s*-?\s*(\d+[a-z]{{0,2}})(?![^\W_])", re.IGNORECASE
)
_SUBGRADE = re.compile(r"^([a-z]*\d+)[a-z]{1,2}$")
# Sizes written as one word ("600x200x150", "16x16"): the numbers apart, as listings write them.
_BY = re.compile(r"(?<=\d)\s*[x\u00d7*]\s*(?=\d)")
# A bare decimal ("2.5", "10.00"): one word, as the measures are (tokenizers split it or not).
_DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\w.])")


def _number(text: str) -> str:
    text = text.replace(",", "")
    if "/" in text:
        over, under = text.split("/", 1)
        return f"{over}by{under}"
    whole, _, part = text.partition(".")
    part = part.rstrip("0")
    return f"{whole}p{part}" if part else whole


def _measure(match: re.Match[str]) -> str:
    return _number(match.group(1)) + UNITS[fold(match.group(2))]


def _grade(match: re.Match[str]) -> str:
    return f"{match.group(1).lower()}{match.group(2).lower()}"


@functools.lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """A query's text with its measures and grades as single words: 'TMT Fe 500D 12 mm' ->
    'tmt fe500d 12mm'."""
    folded = _MEASURE.sub(_measure, _BY.sub(" x ", fold(text)))
    return _GRADE.sub(_grade, _DECIMAL.sub(lambda match: _number(match.group(1)), folded))


def is_measure(word: str) -> bool:
    """'5hp', '62p5kva', '304': a number, with or without its unit."""
    match = re.fullmatch(r"\d[\dpby]*([a-z]*)", word)
    return bool(match) and (not match.group(1) or match.group(1) in UNITS.values())


# A listing's words for specification_words: numbers (with what is glued to them) and words.
_TOKEN = re.compile(r"\d+(?:[.,/]\d+)*[a-z]*|[a-z]+")
_NUMBER_PART = re.compile(r"(\d+(?:[.,/]\d+)*)([a-z]*)")
_TWO_WORD_UNITS = {spelling for spelling in UNITS if " " in spelling}


def specification_words(*texts: str) -> str:
    """The measures and grades of a listing as normalise() reads a query, for its index
    document: 'Fe 500D, 12 mm' -> 'fe500d 500d fe500 500 12mm'. One pass over its words (this
    runs for every product on every rebuild)."""
    found: dict[str, None] = {}
    for text in texts:
        found.update(dict.fromkeys(_text_words(text)))
    return " ".join(found)


@functools.lru_cache(maxsize=16384)  # listings share names and spec sheets
def _text_words(text: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    folded = fold(text).replace("stainless steel", "ss").replace("mild steel", "ms")
    tokens = _TOKEN.findall(folded)
    for at, token in enumerate(tokens):
        if token[0].isdigit():
            _number_words(token, tokens[at + 1 : at + 3], found)
        elif token in GRADE_PREFIXES and at + 1 < len(tokens) and tokens[at + 1][0].isdigit():
            number = tokens[at + 1]
            digits = _NUMBER_PART.match(number)
            found[token + number] = None
            if digits and digits.group(2) and len(digits.group(2)) <= 2:
                found[token + digits.group(1)] = None
                found[digits.group(1)] = None
    return tuple(found)


def _number_words(token: str, following: list[str], found: dict[str, None]) -> None:
    number, glued = _NUMBER_PART.match(token).groups()  # type: ignore[union-attr]
    if glued:
        if glued in UNITS:
            found[_number(number) + UNITS[glued]] = None
        elif len(glued) <= 2:  # a sub-grade: 500d, 316l
            found[token] = None
            found[number] = None
        return
    pair = " ".join(following[:2])
    if pair in _TWO_WORD_UNITS:
        found[_number(number) + UNITS[pair]] = None
    elif following and following[0] in UNITS:
        found[_number(number) + UNITS[following[0]]] = None
    elif "." in number:
        found[_number(number)] = None
