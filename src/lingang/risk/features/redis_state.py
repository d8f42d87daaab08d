"""Buckets in Redis, shared by every worker: one small structure per (feature, key, day).

Layout under ``<prefix>:<feature>:<key>`` (the key is a JSON list of its parts):

* ``…:days`` — sorted set of the days that hold a bucket (score = day number);
* ``…:<day>`` — the bucket: a hash ``n``/``s`` for count, sum and avg (HINCRBY,
  HINCRBYFLOAT); a sorted set with one member ``v`` for min/max (ZADD LT/GT keeps the
  extreme, scores are exact doubles); a set for distinct (SADD); a list of the values for
  stddev, percentile, median and mad (RPUSH of ``repr(float)``, exact).

Every write refreshes a TTL of the longest window plus two days, so Redis forgets what the
features can no longer read. Writes of one observed row go in one pipeline; a window read is
two pipelined round trips (the days, then their buckets) for all features of an event.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import redis

from lingang.risk.features.aggregate import (
    Bucket,
    CountBucket,
    DistinctBucket,
    MaxBucket,
    MinBucket,
    SumBucket,
    ValuesBucket,
    moments,
)
from lingang.risk.features.state import Key, Observation, Request

DAY_S = 86_400


def _part(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return repr(value + 0.0)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _member(value: Any) -> str:
    """A distinct value as a set member (numbers by their exact repr, -0.0 as 0.0)."""
    if isinstance(value, float):
        return repr(value + 0.0)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class RedisState:
    """Feature buckets in Redis (redis-py), safe to share between processes."""

    shared = True

    def __init__(
        self, url: str, *, prefix: str = "lingang:features", client: redis.Redis | None = None
    ) -> None:
        self.prefix = prefix
        self.client = client or redis.Redis.from_url(url, decode_responses=True)
        self.ttl_s = 367 * DAY_S
        self._retain_days = 365

    def _base(self, feature: str, key: Key) -> str:
        parts = json.dumps([_part(v) for v in key], ensure_ascii=False, separators=(",", ":"))
        return f"{self.prefix}:{feature}:{parts}"

    def retain(self, days: int) -> None:
        """Keep buckets for the longest window plus two days."""
        self._retain_days = days
        self.ttl_s = (days + 2) * DAY_S

    def add(self, observations: Sequence[Observation]) -> None:
        """Fold source rows into their day buckets, in one pipeline."""
        if not observations:
            return
        pipe = self.client.pipeline(transaction=False)
        for feature, key, day, value in observations:
            base = self._base(feature.name, key)
            bucket, index = f"{base}:{day}", f"{base}:days"
            agg = feature.agg
            if agg == "count":
                pipe.hincrby(bucket, "n", 1)
            elif agg in ("sum", "avg"):
                pipe.hincrby(bucket, "n", 1)
                pipe.hincrbyfloat(bucket, "s", value)
            elif agg == "min":
                pipe.zadd(bucket, {"v": value}, lt=True)
            elif agg == "max":
                pipe.zadd(bucket, {"v": value}, gt=True)
            elif agg == "distinct":
                pipe.sadd(bucket, _member(value))
            else:
                pipe.rpush(bucket, repr(float(value)))
            pipe.expire(bucket, self.ttl_s)
            pipe.zadd(index, {str(day): day})
            pipe.zremrangebyscore(index, "-inf", f"({day - self._retain_days - 1}")
            pipe.expire(index, self.ttl_s)
        pipe.execute()

    def read(self, requests: Sequence[Request]) -> list[list[Bucket]]:
        """For each request, the existing buckets of its days, oldest first."""
        if not requests:
            return []
        pipe = self.client.pipeline(transaction=False)
        bases = [self._base(f.name, key) for f, key, _, _ in requests]
        for base, (_, _, first, last) in zip(bases, requests, strict=True):
            pipe.zrangebyscore(f"{base}:days", first, last)
        day_lists: list[list[str]] = pipe.execute()
        pipe = self.client.pipeline(transaction=False)
        for base, (feature, _, _, _), days in zip(bases, requests, day_lists, strict=True):
            for day in days:
                self._queue_read(pipe, feature.agg, f"{base}:{day}")
        replies = iter(pipe.execute())
        out: list[list[Bucket]] = []
        for (feature, _, _, _), days in zip(requests, day_lists, strict=True):
            out.append([_decode(feature.agg, next(replies)) for _ in days])
        return out

    @staticmethod
    def _queue_read(pipe: Any, agg: str, bucket: str) -> None:
        if agg == "count":
            pipe.hget(bucket, "n")
        elif agg in ("sum", "avg"):
            pipe.hmget(bucket, ["n", "s"])
        elif agg in ("min", "max"):
            pipe.zscore(bucket, "v")
        elif agg == "distinct":
            pipe.smembers(bucket)
        else:
            pipe.lrange(bucket, 0, -1)

    def evict(self, before: int) -> None:
        """Nothing to do: buckets expire by TTL and windows read only their own days."""

    def clear(self) -> int:
        """Delete every key under the prefix (tests, re-warming); returns how many."""
        deleted = 0
        batch: list[str] = []
        for name in self.client.scan_iter(match=f"{self.prefix}:*", count=1000):
            batch.append(name)
            if len(batch) >= 1000:
                deleted += int(self.client.delete(*batch))
                batch = []
        if batch:
            deleted += int(self.client.delete(*batch))
        return deleted


def _decode(agg: str, reply: Any) -> Bucket:
    if agg == "count":
        return CountBucket(int(reply or 0))
    if agg in ("sum", "avg"):
        n, s = reply
        return SumBucket(int(n or 0), float(s or 0.0))
    if agg == "min":
        return MinBucket(None if reply is None else float(reply))
    if agg == "max":
        return MaxBucket(None if reply is None else float(reply))
    if agg == "distinct":
        return DistinctBucket(set(reply))
    values = [float(v) for v in reply]
    if agg == "stddev":
        return moments(values)
    return ValuesBucket(values)
