"""Per-day buckets of one (feature, key) and the final aggregate over a window of them.

A bucket summarises the rows of one day incrementally; a window's value combines the buckets
of its days. The formulas match the SQL of :mod:`.batch` (docs/features.md):

* count: rows; sum: correctly rounded sum of the days' sums; avg: that sum / count;
* stddev: sample standard deviation from Welford's per-day moments merged with Chan's formula
  (null under two values);
* percentile/median: linear interpolation between the order statistics ⌊h⌋ and ⌈h⌉ of the
  sorted values, h = (n − 1)·q, as ``lo + (hi − lo)·(h − ⌊h⌋)``;
* mad: the median of |x − median| (interpolated the same way).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class CountBucket:
    """Rows of the day."""

    n: int = 0

    def add(self, value: Any) -> None:
        """Count one row."""
        self.n += 1


@dataclass(slots=True)
class SumBucket:
    """Non-null values of the day and their sum (for sum and avg)."""

    n: int = 0
    total: float = 0.0

    def add(self, value: Any) -> None:
        """Add one value."""
        self.n += 1
        self.total += value


@dataclass(slots=True)
class MinBucket:
    """The smallest value of the day."""

    value: float | None = None

    def add(self, value: Any) -> None:
        """Keep ``value`` if it is the smallest so far."""
        if self.value is None or value < self.value:
            self.value = value


@dataclass(slots=True)
class MaxBucket:
    """The largest value of the day."""

    value: float | None = None

    def add(self, value: Any) -> None:
        """Keep ``value`` if it is the largest so far."""
        if self.value is None or value > self.value:
            self.value = value


@dataclass(slots=True)
class MomentsBucket:
    """Count, mean and sum of squared deviations of the day (Welford)."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, value: Any) -> None:
        """Welford's update."""
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (value - self.mean)


@dataclass(slots=True)
class DistinctBucket:
    """The distinct values of the day."""

    values: set[Any] = field(default_factory=set)

    def add(self, value: Any) -> None:
        """Remember ``value``."""
        self.values.add(value)


@dataclass(slots=True)
class ValuesBucket:
    """Every value of the day (percentile, median, mad need the raw values)."""

    values: list[float] = field(default_factory=list)

    def add(self, value: Any) -> None:
        """Keep ``value``."""
        self.values.append(value)


Bucket = (
    CountBucket | SumBucket | MinBucket | MaxBucket | MomentsBucket | DistinctBucket | ValuesBucket
)

BUCKETS: dict[str, type[Bucket]] = {
    "count": CountBucket,
    "sum": SumBucket,
    "avg": SumBucket,
    "min": MinBucket,
    "max": MaxBucket,
    "stddev": MomentsBucket,
    "distinct": DistinctBucket,
    "percentile": ValuesBucket,
    "median": ValuesBucket,
    "mad": ValuesBucket,
}


def new_bucket(agg: str) -> Bucket:
    """An empty bucket for ``agg``."""
    return BUCKETS[agg]()


def moments(values: Iterable[float]) -> MomentsBucket:
    """Welford's moments of ``values``."""
    bucket = MomentsBucket()
    for value in values:
        bucket.add(value)
    return bucket


def interpolate(ordered: Sequence[float], q: float) -> float | None:
    """Linear interpolation at ``q`` of sorted values (DuckDB's quantile_cont definition);
    the float operations are those of the SQL in :mod:`.batch`."""
    n = len(ordered)
    if n == 0:
        return None
    h = (n - 1) * q
    low, high = math.floor(h), math.ceil(h)
    lo = ordered[low]
    if low == high:
        return lo
    return lo + (ordered[high] - lo) * (h - low)


def mad(values: Sequence[float]) -> float | None:
    """Median absolute deviation from the median."""
    ordered = sorted(values)
    centre = interpolate(ordered, 0.5)
    if centre is None:
        return None
    return interpolate(sorted(abs(x - centre) for x in ordered), 0.5)


def finalize(agg: str, q: float | None, buckets: Sequence[Any]) -> float | None:
    """The aggregate over a window given its days' buckets (oldest first)."""
    if agg == "count":
        return float(sum(b.n for b in buckets))
    if agg in ("sum", "avg"):
        n = sum(b.n for b in buckets)
        if n == 0:
            return None
        total = math.fsum(b.total for b in buckets)
        return total if agg == "sum" else total / n
    if agg in ("min", "max"):
        found = [b.value for b in buckets if b.value is not None]
        if not found:
            return None
        return float(min(found) if agg == "min" else max(found))
    if agg == "stddev":
        return _stddev(buckets)
    if agg == "distinct":
        return float(len(set().union(*(b.values for b in buckets))))
    values = [v for b in buckets for v in b.values]
    if agg == "mad":
        return mad(values)
    return interpolate(sorted(values), 0.5 if agg == "median" else float(q or 0.0))


def _stddev(buckets: Sequence[MomentsBucket]) -> float | None:
    n, mean, m2 = 0, 0.0, 0.0
    for b in buckets:
        if b.n == 0:
            continue
        if n == 0:
            n, mean, m2 = b.n, b.mean, b.m2
            continue
        total = n + b.n
        delta = b.mean - mean
        mean += delta * b.n / total
        m2 += b.m2 + delta * delta * n * b.n / total
        n = total
    if n < 2:
        return None
    return math.sqrt(m2 / (n - 1))
