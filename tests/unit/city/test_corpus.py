"""The shipped hotline corpus: every row valid, splits disjoint and honest, rebuilt exactly."""

from __future__ import annotations

from collections import Counter

import pytest

from lingang.city.categories import load_categories
from lingang.city.classify import load_corpus, parse_corpus
from lingang.city.corpus.build import main as build_main
from lingang.errors import Invalid

HEADER = "id,text,category,split,origin\n"


def test_every_row_is_valid_and_the_corpus_is_large_enough() -> None:
    train, test = load_corpus()
    assert len(train) + len(test) >= 700
    assert len(test) >= 150


def test_splits_are_disjoint() -> None:
    train, test = load_corpus()
    assert not {e.id for e in train} & {e.id for e in test}
    assert not {e.text for e in train} & {e.text for e in test}


def test_at_least_twenty_per_category_and_every_category_tested() -> None:
    train, test = load_corpus()
    counts = Counter(e.code for e in [*train, *test])
    tested = Counter(e.code for e in test)
    for code in load_categories().codes():
        assert counts[code] >= 20, code
        assert tested[code] >= 3, code


def test_test_rows_are_all_handwritten() -> None:
    _, test = load_corpus()
    assert {e.origin for e in test} == {"handwritten"}


def test_shipped_csv_is_what_the_builder_makes() -> None:
    assert build_main(["--check"]) == 0


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("r1,井盖松了,P9999,train,handwritten", "corpus[r1].category"),
        ("r2,,P0101,train,handwritten", "corpus[r2].text"),
        ("r3,井盖松了,P0101,dev,handwritten", "corpus[r3].split"),
        ("r4,井盖松了,P0101,train,scraped", "corpus[r4].origin"),
    ],
)
def test_a_bad_row_is_named_by_its_id(row: str, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_corpus(HEADER + row + "\n", load_categories())
    assert caught.value.field == field
