"""Inspection-rate metrics of the learned scorers on tiny hand-made cases."""

from __future__ import annotations

import pytest

from lingang.risk.scorers.evaluate import at_rates, inspection_order


def test_precision_recall_and_recovered_value_at_rates() -> None:
    # ten rows, three frauds; the top two by score are one fraud and one clean row
    scores = [0.9, 0.8, 0.1, 0.2, 0.3, 0.05, 0.4, 0.01, 0.02, 0.03]
    labels = [1, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    values = [100.0, 5.0, 300.0, 1.0, 1.0, 1.0, 1.0, 1.0, 600.0, 1.0]
    top10, top20, top50 = at_rates(scores, labels, values, rates=(0.10, 0.20, 0.50))
    assert (top10.inspected, top10.frauds_caught) == (1, 1)
    assert top10.precision == 1.0
    assert top10.recall == pytest.approx(1 / 3)
    assert top10.recovered_value == pytest.approx(100 / 1000)
    assert (top20.inspected, top20.precision) == (2, 0.5)
    # top five: 0.9, 0.8, 0.4, 0.3, 0.2 → still only the first fraud
    assert (top50.inspected, top50.frauds_caught) == (5, 1)
    assert top50.recall == pytest.approx(1 / 3)


def test_inspected_count_rounds_up() -> None:
    result = at_rates([0.5] * 150, [1] * 150, [1.0] * 150, rates=(0.01, 0.02, 0.05, 0.10))
    assert [r.inspected for r in result] == [2, 3, 8, 15]


def test_ties_keep_input_order() -> None:
    assert list(inspection_order([0.5, 0.7, 0.5, 0.7, 0.1])) == [1, 3, 0, 2, 4]
    # equal scores: the earlier row is inspected, whatever its label
    (first,) = at_rates([0.5, 0.5], [0, 1], [1.0, 1.0], rates=(0.5,))
    assert (first.inspected, first.frauds_caught) == (1, 0)
    (swapped,) = at_rates([0.5, 0.5], [1, 0], [1.0, 1.0], rates=(0.5,))
    assert swapped.frauds_caught == 1


def test_no_frauds_gives_zero_recall_not_an_error() -> None:
    (result,) = at_rates([0.3, 0.2], [0, 0], [1.0, 2.0], rates=(0.5,))
    assert (result.precision, result.recall, result.recovered_value) == (0.0, 0.0, 0.0)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="same length"):
        at_rates([0.1, 0.2], [1], [1.0, 2.0])
