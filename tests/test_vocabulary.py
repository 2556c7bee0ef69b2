"""The trade vocabulary (search/vocabulary.json) and how a query's measures and grades are read:
the same words however they are written, on the query side and in a listing's document."""

from __future__ import annotations

import re

import pytest

from search.analysis import GENERIC_ROLE, MEASURE_ROLE, WORD_ROLE, plan
from search.vocabulary import HINDI, fold, normalise, specification_words

DEVANAGARI = re.compile("[\u0900-\u097f]")


def test_every_hindi_word_is_there_in_both_scripts():
    for group in HINDI:
        english, *spellings = group
        assert english.isascii(), group
        assert any(DEVANAGARI.search(spelling) for spelling in spellings), group


@pytest.mark.parametrize(
    "spellings",
    [
        ("5 HP", "5hp", "5 horse power", "5-hp"),
        ("62.5 kVA", "62.5kva", "62.50 KVA"),
        ("Fe 500D", "fe500d", "FE-500D"),
        ("SS 304", "ss304", "ss-304"),
        ("1.5 sq mm", "1.5 sqmm", "1.5sq mm"),
        ("600 x 200 x 150", "600x200x150", "600X200X150"),
        (
            "\u0917\u0941\u095c",
            "\u0917\u0941\u0921\u093c",
            "\u0917\u0941\u0921",
        ),  # gur: ड़, ड + nukta, ड
        ("गेहूं", "गेहूँ"),  # anusvara and chandrabindu
    ],
)
def test_one_measure_however_it_is_written(spellings):
    assert len({normalise(text) for text in spellings}) == 1, spellings


def test_a_listing_is_found_by_its_measures_and_grades_as_a_query_reads_them():
    found = specification_words(
        "TMT Bar Fe 500D 12 mm", '[["Grade", "SS 316L"], ["Power", "62.5 kVA"]]'
    ).split()
    for typed in ("fe500d", "fe 500", "12mm", "ss316l", "ss 316", "62.5 kva"):
        assert set(normalise(typed).split()) <= set(found) | {"fe", "ss"}, typed


def test_what_each_word_says_of_the_product():
    roles = {clause.typed: clause.role for clause in plan("best sariya 12 mm price").clauses}
    assert roles == {
        ("best",): GENERIC_ROLE,
        ("sariya",): WORD_ROLE,
        ("12mm",): MEASURE_ROLE,
        ("price",): GENERIC_ROLE,
    }
    sariya = plan("सरिया").clauses[0]
    assert ("tmt", "bar") in sariya.alternatives and not sariya.fuzzy  # no typo of "sari"


def test_folding_keeps_latin_as_it_is():
    assert fold("Galvanised IRON") == "galvanised iron"
