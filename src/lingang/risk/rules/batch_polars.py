"""A whole rule set over a frame in one polars lazy plan: hit masks and a total score.

Each rule is one boolean column (null counts as not fired). The rules are packed into
``hits_<k>`` bit masks of up to 63 rules, summed in 32-bit integers when a mask holds at most
31 rules. The score is not a sum of one column per rule: it is read from the masks, ten bits
at a time, in tables of the 1,024 possible sums, so the cost of scoring no longer grows with
the number of rules. The output has the columns, in the order, of ``RuleSetEvaluator.query``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import pyarrow as pa

from lingang.risk.rules.evaluate import (
    RESULT,
    Batch,
    CompiledRule,
    Lists,
    as_frame,
    categorical_columns,
    columns_over,
)
from lingang.risk.rules.ruleset import MASK_BITS

TABLE_BITS = 10  # mask bits per score lookup table (1,024 entries)


def rule_set_batch(
    rules: Sequence[CompiledRule],
    data: Batch,
    lists: Lists | None = None,
    scores: Sequence[float] | None = None,
) -> pa.Table:
    """``hits_0[, hits_1…][, score]`` for every row of ``data``, in order."""
    frame = as_frame(data)
    categorical = categorical_columns(frame)
    fired = [
        rule.polars(lists, categorical).fill_null(False).alias(f"{RESULT}{i}")
        for i, rule in enumerate(rules)
    ]
    fired = fired or [pl.lit(False).alias(f"{RESULT}0")]
    plan = columns_over(frame, fired).lazy().select(_masks(len(rules)))
    if scores is not None:
        plan = plan.with_columns(_score(scores).alias("score"))
    table: pa.Table = plan.collect().to_arrow()
    return table


def _chunks(count: int, size: int) -> list[range]:
    return [range(start, min(start + size, count)) for start in range(0, max(count, 1), size)]


def _masks(count: int) -> list[pl.Expr]:
    masks = []
    for k, chunk in enumerate(_chunks(count, MASK_BITS)):
        dtype = pl.Int32 if len(chunk) <= 31 else pl.Int64
        zero = pl.lit(0, dtype=dtype)
        bits = [
            pl.when(pl.col(f"{RESULT}{i}")).then(pl.lit(1 << j, dtype=dtype)).otherwise(zero)
            for j, i in enumerate(chunk)
        ]
        masks.append(pl.sum_horizontal(bits or [zero]).cast(pl.Int64).alias(f"hits_{k}"))
    return masks


def _score(scores: Sequence[float]) -> pl.Expr:
    """Σ scores[i] over the fired rules, looked up from the masks ``TABLE_BITS`` at a time."""
    parts = []
    for k, chunk in enumerate(_chunks(len(scores), MASK_BITS)):
        mask = pl.col(f"hits_{k}")
        for piece in _chunks(len(chunk), TABLE_BITS):
            weights = [float(scores[chunk[j]]) for j in piece]
            bits = (mask // (1 << piece.start)) % (1 << len(piece))
            parts.append(pl.lit(pl.Series(_sums(weights))).gather(bits))
    return pl.sum_horizontal(parts or [pl.lit(0.0)])


def _sums(weights: Sequence[float]) -> np.ndarray:
    """The sum of the weights of every subset, indexed by the subset's bits."""
    sums = np.zeros(1 << len(weights))
    for value in range(1, 1 << len(weights)):
        low = value & -value  # the lowest set bit: the rest was computed before
        sums[value] = sums[value ^ low] + weights[low.bit_length() - 1]
    return sums
