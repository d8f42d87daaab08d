"""Inspection-rate metrics: what inspecting the top n % of declarations by score would catch.

At rate ``r`` the ``ceil(r * rows)`` highest-scoring rows are inspected. Ties are broken
deterministically: higher score first, then the earlier position in the input (callers pass
rows in a fixed order — the KCS loader sorts by date and declaration id).

* precision — frauds among the inspected rows / inspected rows;
* recall — frauds among the inspected rows / all frauds;
* recovered value — declared value (``Item Price``) of the frauds caught / declared value of
  all frauds. The KCS README defines no revenue measure, so the value at stake is the item's
  assessed value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RATES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)


@dataclass(frozen=True)
class AtRate:
    """The outcome of inspecting the top ``rate`` share of rows."""

    rate: float
    inspected: int
    frauds_caught: int
    precision: float
    recall: float
    recovered_value: float


def inspection_order(scores: npt.ArrayLike) -> npt.NDArray[np.intp]:
    """Row indices, highest score first; equal scores keep their input order."""
    values = np.asarray(scores, dtype=np.float64)
    order: npt.NDArray[np.intp] = np.argsort(-values, kind="stable")
    return order


def at_rates(
    scores: npt.ArrayLike,
    labels: npt.ArrayLike,
    values: npt.ArrayLike,
    rates: Sequence[float] = RATES,
) -> list[AtRate]:
    """Precision, recall and recovered value at each inspection rate."""
    y = np.asarray(labels, dtype=np.int64) > 0
    v = np.asarray(values, dtype=np.float64)
    order = inspection_order(scores)
    if not (len(order) == len(y) == len(v)):
        raise ValueError("scores, labels and values must have the same length")
    frauds = int(y.sum())
    fraud_value = float(v[y].sum())
    out = []
    for rate in rates:
        k = min(len(order), math.ceil(rate * len(order) - 1e-9))
        top = order[:k]
        caught = int(y[top].sum())
        value = float(v[top][y[top]].sum())
        out.append(AtRate(rate=rate, inspected=k, frauds_caught=caught,
                          precision=caught / k if k else 0.0,
                          recall=caught / frauds if frauds else 0.0,
                          recovered_value=value / fraud_value if fraud_value else 0.0))  # fmt: skip
    return out
