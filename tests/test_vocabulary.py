"""The trade vocabulary (search/vocabulary.json) and how a query's measures and grades are read:
the same words however they are written, on the query side and in a listing's document."""

from __future__ import annotations

import re

import pytest

from marketplace.catalog.taxonomy import INDUSTRIES
from search.analysis import GENERIC_ROLE, MEASURE_ROLE, QUALIFIER_ROLE, WORD_ROLE, plan
from search.vocabulary import GENERIC, HINDI, PRODUCTS, fold, normalise, specification_words

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


def test_the_nouns_of_the_category_tree_name_products():
    """Each category name's last word (of each part joined by "and") is in 'products', so a
    category added to the tree without it fails here, not in a buyer's search."""
    for industry in INDUSTRIES:
        for name in (industry.name, *(leaf.name for leaf in industry.leaves)):
            for part in re.split(r",| and | & ", name.lower()):
                head = re.findall(r"[a-z']+", part)[-1]
                assert head in PRODUCTS or head in GENERIC, (name, head)


@pytest.mark.parametrize(
    "typed, roles",
    [
        ("organic wheat", [QUALIFIER_ROLE, WORD_ROLE]),
        ("kajaria wall tile", [QUALIFIER_ROLE, QUALIFIER_ROLE, WORD_ROLE]),  # any number
        ("erw wheat", [WORD_ROLE, WORD_ROLE]),  # a trade abbreviation names the product
        ("gehun fe500d", [WORD_ROLE, WORD_ROLE]),  # a Hindi word, a grade
        ("printed blanket 2 kg price", [QUALIFIER_ROLE, WORD_ROLE, MEASURE_ROLE, GENERIC_ROLE]),
    ],
)
def test_qualifiers_only_describe_the_product(typed, roles):
    assert [clause.role for clause in plan(typed).clauses] == roles


def test_relaxing_lets_the_measures_go_then_the_qualifiers_from_the_left():
    query = plan("kajaria glossy wall tiles 2 kg")
    assert query.relaxations() == (0, 1, 2, 3)
    assert query.relaxations(exact=True) == (0,)  # the words as typed: only measures go
    assert query.required("all") == [True] * 5
    assert query.required("relaxed", 0) == [True, True, True, True, False]
    assert query.required("relaxed", 1) == [False, True, True, True, False]
    assert query.required("relaxed", 3) == [False, False, False, True, False]
    assert plan("erw wheat").relaxations() == () and plan("pvc pipe fittings").relaxations() == ()


@pytest.mark.parametrize(
    "typed", ["pvc pipe fittings", "rice flour", "bottle caps", "गेहूं का आटा", "organic printed"]
)
def test_the_last_describing_word_is_the_head_noun_and_never_let_go(typed):
    """Whatever the vocabulary knows of it, the last word that is not generic or a measure
    names the product: relaxing never shows rice for rice flour."""
    clauses = [clause for clause in plan(typed).clauses if clause.role != "generic"]
    assert clauses[-1].role == "word"
