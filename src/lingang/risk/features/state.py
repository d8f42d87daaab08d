"""Where online features keep their per-key per-day buckets: one Protocol, two backends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from lingang.errors import Invalid
from lingang.risk.features.aggregate import Bucket, new_bucket
from lingang.risk.features.catalog import WindowFeature

Key = tuple[Any, ...]
# (feature, key, day, value): one source row seen by a window feature (value None for count)
Observation = tuple[WindowFeature, Key, int, Any]
# (feature, key, first day, last day): the buckets of a window, both ends included
Request = tuple[WindowFeature, Key, int, int]


class FeatureState(Protocol):
    """Per (feature, key, day) buckets. ``shared`` states may be written by other processes,
    so :class:`~lingang.risk.features.online.OnlineFeatures` does not cache results over them."""

    shared: bool

    def retain(self, days: int) -> None:
        """Buckets more than ``days`` days older than the newest may be dropped."""

    def add(self, observations: Sequence[Observation]) -> None:
        """Fold source rows into their day buckets."""

    def read(self, requests: Sequence[Request]) -> list[list[Bucket]]:
        """For each request, the existing buckets of its days, oldest first."""
        ...

    def evict(self, before: int) -> None:
        """Drop buckets of days before ``before`` (a day number)."""


class InProcessState:
    """Buckets in dictionaries of this process: feature → key → day → bucket."""

    shared = False

    def __init__(self) -> None:
        self._data: dict[str, dict[Key, dict[int, Bucket]]] = {}
        self._by_day: dict[int, set[tuple[str, Key]]] = {}

    def retain(self, days: int) -> None:
        """Nothing to configure: :meth:`evict` is called by the online engine."""

    def add(self, observations: Sequence[Observation]) -> None:
        """Fold source rows into their day buckets."""
        for feature, key, day, value in observations:
            days = self._data.setdefault(feature.name, {}).setdefault(key, {})
            bucket = days.get(day)
            if bucket is None:
                bucket = days[day] = new_bucket(feature.agg)
                self._by_day.setdefault(day, set()).add((feature.name, key))
            bucket.add(value)

    def read(self, requests: Sequence[Request]) -> list[list[Bucket]]:
        """For each request, the existing buckets of its days (oldest first for stddev; the
        other aggregates do not depend on the order)."""
        out: list[list[Bucket]] = []
        for feature, key, first, last in requests:
            days = self._data.get(feature.name, {}).get(key)
            if not days:
                out.append([])
            elif len(days) > last - first + 1:
                out.append([b for d in range(first, last + 1) if (b := days.get(d)) is not None])
            elif feature.agg == "stddev":  # merging moments is the only order-sensitive step
                out.append([b for d, b in sorted(days.items()) if first <= d <= last])
            else:
                out.append([b for d, b in days.items() if first <= d <= last])
        return out

    def evict(self, before: int) -> None:
        """Drop buckets of days before ``before``."""
        for day in [d for d in self._by_day if d < before]:
            for name, key in self._by_day.pop(day):
                days = self._data[name][key]
                days.pop(day, None)
                if not days:
                    del self._data[name][key]

    def bucket_count(self) -> int:
        """How many buckets are held (for tests and monitoring)."""
        return sum(len(days) for keys in self._data.values() for days in keys.values())


def state_from_url(url: str | None, *, prefix: str = "lingang:features") -> FeatureState:
    """The state a deployment configures: in process when ``url`` is empty, else Redis
    (``redis://``, ``rediss://`` or ``unix://``). The composition root calls this."""
    if not url:
        return InProcessState()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from lingang.risk.features.redis_state import RedisState

        return RedisState(url, prefix=prefix)
    raise Invalid("redis_url", "must start with redis://, rediss:// or unix://")
