"""Simulated enterprise attributes: USCCs, names, addresses, phones, founding dates, capital.

Every name carries the suffix （模拟） / (simulated) so no simulated firm can be taken for a
real one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lingang.entities.model import USCC_ALPHABET
from lingang.simulate import text
from lingang.simulate.vocab import (
    ADDRESS_PREFIX,
    BRAND_SYLLABLES,
    CLUSTER_WORDS,
    NAME_PREFIXES,
    ROADS,
    SHARED_OFFICES,
)

PUDONG = "91310115MA"  # 企业法人 + 浦东新区 + the "MA" series of new registrations
_SERIES = "CDEFGHJK"  # third character: a letter, so codes never clash with demo_uscc()
_SPACE = len(_SERIES) * 31**6
_STRIDE = 2_654_435_761  # odd and not a multiple of 31: i ↦ stride·i + offset permutes the space
LINGANG_FOUNDED = dt.date(2019, 8, 20)
SIMULATED_ZH = "（模拟）"
SIMULATED_EN = " (simulated)"


def usccs(rng: np.random.Generator, n: int) -> text.Bytes:
    """``n`` distinct USCCs of Pudong enterprises with valid check characters."""
    value = (np.arange(n, dtype=np.int64) * _STRIDE + int(rng.integers(0, _SPACE))) % _SPACE
    series = text.base_alphabet(value // 31**6, 1, _SERIES)
    rest = text.base_alphabet(value % 31**6, 6, USCC_ALPHABET)
    return text.uscc_with_check(text.join(text.literal(PUDONG, n), series, rest))


def company_names(
    rng: np.random.Generator, cluster: np.ndarray, clusters: list[str]
) -> tuple[pa.Array[Any], pa.Array[Any]]:
    """Chinese and English names, distinct within a cluster while the name space lasts."""
    n = len(cluster)
    syllables = len(BRAND_SYLLABLES)
    prefix = np.zeros(n, dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    second = np.zeros(n, dtype=np.int64)
    word = np.zeros(n, dtype=np.int64)
    offset = np.zeros(n, dtype=np.int64)
    for k, name in enumerate(clusters):
        members = np.flatnonzero(cluster == k)
        words = len(CLUSTER_WORDS[name])
        space = len(NAME_PREFIXES) * syllables * syllables * words
        combo = rng.choice(space, len(members), replace=len(members) > space)
        prefix[members], rest = np.divmod(combo, syllables * syllables * words)
        first[members], rest = np.divmod(rest, syllables * words)
        second[members], word[members] = np.divmod(rest, words)
        offset[members] = sum(len(CLUSTER_WORDS[c]) for c in clusters[:k])
    second = np.where(second == first, (second + 1) % syllables, second)
    word_zh = [zh for c in clusters for zh, _ in CLUSTER_WORDS[c]]
    word_en = [en for c in clusters for _, en in CLUSTER_WORDS[c]]
    zh = text.concat(
        text.pick([p for p, _ in NAME_PREFIXES], prefix),
        text.pick([s for s, _ in BRAND_SYLLABLES], first),
        text.pick([s for s, _ in BRAND_SYLLABLES], second),
        text.pick(word_zh, offset + word),
        "有限公司" + SIMULATED_ZH,
    )
    en = text.concat(
        text.pick([p + " " for _, p in NAME_PREFIXES], prefix),
        text.pick([s for _, s in BRAND_SYLLABLES], first),
        text.pick([s.lower() + " " for _, s in BRAND_SYLLABLES], second),
        text.pick(word_en, offset + word),
        " Co., Ltd." + SIMULATED_EN,
    )
    return zh, en


def addresses(rng: np.random.Generator, n: int, shared_share: float = 0.03) -> pa.Array[Any]:
    """Lingang street addresses; a small share at business centres that many firms share."""
    road = text.pick(ROADS, rng.integers(0, len(ROADS), n))
    number = pa.array(rng.integers(1, 3000, n)).cast(pa.string())
    building = pa.array(rng.integers(1, 12, n)).cast(pa.string())
    room = pa.array(rng.integers(1, 12, n) * 100 + rng.integers(1, 30, n)).cast(pa.string())
    own = text.concat(road, number, "号", building, "幢", room, "室")
    shared = pa.array(rng.random(n) < shared_share)
    office = text.pick(SHARED_OFFICES, rng.integers(0, len(SHARED_OFFICES), n))
    return text.concat(ADDRESS_PREFIX, pc.if_else(shared, office, own))


def phones(rng: np.random.Generator, n: int) -> pa.Array[Any]:
    """Shanghai landlines, ``021-`` and eight digits."""
    first = np.array([50, 51, 53, 54], dtype=np.uint8)[rng.integers(0, 4, n)]  # 2, 3, 5, 6
    return text.to_arrow(
        text.join(
            text.literal("021-", n), first[:, None], text.digits(rng.integers(0, 10**7, n), 7)
        )
    )


def founding_days(rng: np.random.Generator, n: int, start: dt.date, days: int) -> np.ndarray:
    """Founding dates as day offsets from ``start``: most since Lingang's launch, some older,
    a few inside the window (at least 30 days before its end)."""
    older = (dt.date(2006, 1, 1) - start).days, (LINGANG_FOUNDED - start).days
    since = (LINGANG_FOUNDED - start).days, -1
    kind = rng.choice(3, n, p=[0.2, 0.75, 0.05])
    u = rng.random(n)
    result = np.where(
        kind == 0,
        older[0] + u * (older[1] - older[0]),
        since[0] + u**0.7 * (since[1] - since[0]),
    )
    inside = u * max(days - 30, 1)
    return np.floor(np.where(kind == 2, inside, result)).astype(np.int64)


def capital_wan(rng: np.random.Generator, scale: np.ndarray) -> np.ndarray:
    """Registered capital in 万元, lognormal around 1,000 times the cluster's scale."""
    capital = np.round(rng.lognormal(np.log(1000), 1.1, len(scale)) * scale, -1)
    return np.asarray(np.maximum(capital, 10.0), dtype=np.float64)
