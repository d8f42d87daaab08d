"""Simulated natural persons: Chinese names and resident ID numbers valid under GB 11643-1999."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa

from lingang.simulate import text
from lingang.simulate.vocab import GIVEN_CHARS, ID_REGIONS, SURNAMES

_EPOCH = dt.date(1970, 1, 1)


def person_names(rng: np.random.Generator, n: int) -> pa.Array[Any]:
    """Surname (common ones more often) and one or two given-name characters."""
    weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.8
    surname = rng.choice(len(SURNAMES), n, p=weights / weights.sum())
    given = list(GIVEN_CHARS)
    first = text.pick(given, rng.integers(0, len(given), n))
    second = text.pick(given, rng.integers(0, len(given), n), mask=rng.random(n) < 0.3)
    second = second.fill_null("")
    return text.concat(text.pick(SURNAMES, surname), first, second)


def id_numbers(
    rng: np.random.Generator, n: int, born_after: dt.date, born_before: dt.date
) -> pa.StringArray:
    """``n`` distinct 18-character resident ID numbers with valid check characters."""
    low = (born_after - _EPOCH).days
    high = (born_before - _EPOCH).days
    region = rng.integers(0, len(ID_REGIONS), n)
    birth = rng.integers(low, high, n)
    sequence = rng.integers(0, 1000, n)
    key = (region * 100_000 + birth - low) * 1000 + sequence
    while True:  # redraw the few collisions; terminates fast as the space is ~10^9
        _, first = np.unique(key, return_index=True)
        duplicate = np.ones(n, dtype=bool)
        duplicate[first] = False
        if not duplicate.any():
            break
        sequence[duplicate] = rng.integers(0, 1000, int(duplicate.sum()))
        key = (region * 100_000 + birth - low) * 1000 + sequence
    body = text.join(_region_bytes(region), _birth_bytes(birth), text.digits(sequence, 3))
    return text.to_arrow(text.id_with_check(body))


def _region_bytes(region: np.ndarray) -> text.Bytes:
    table = np.array([list(r.encode()) for r in ID_REGIONS], dtype=np.uint8)
    rows: text.Bytes = table[region]
    return rows


def _birth_bytes(epoch_days: np.ndarray) -> text.Bytes:
    dates = epoch_days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    return text.digits(years * 10_000 + months * 100 + days, 8)
