"""The HS universe the zone trades in, as arrays: prices, masses, duties, dangerous goods.

Built from the HS 2022 nomenclature and the profiles in :mod:`goods` with a fixed seed, so
the simulated reference (median unit prices, the simulated tariff) is the same for every
zone seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from lingang.entities.industries import INDUSTRIES
from lingang.lake.catalog import DG_CLASSES, UNITS
from lingang.lake.reference import load_hs
from lingang.simulate.goods import CHAPTER_DUTY, DANGEROUS, HEADINGS, PORTFOLIOS

MARKET_SEED = 6_000_613  # fixed: the simulated reference does not depend on the zone seed
SUFFIXES = ("0000", "0000", "0000", "1000", "9000", "0090")
F64 = np.ndarray[tuple[int], np.dtype[np.float64]]
I64 = np.ndarray[tuple[int], np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class Market:
    """Per-subheading arrays (index = position in ``hs6``) and per-industry sampling tables."""

    hs6: tuple[str, ...]
    hs10: tuple[str, ...]  # the 10-digit Chinese code declared for each subheading
    description: tuple[str, ...]
    median_usd: F64
    kg_per_unit: F64
    unit: I64  # index into catalog UNITS
    duty: F64
    dg: I64  # index into DANGEROUS_LINES, -1 when never dangerous
    dg_share: F64
    cover: I64  # subheading a dangerous line may hide under, -1 when none
    lower_duty: I64  # same-chapter subheading with a lower duty, -1 when none
    industry_start: I64  # per INDUSTRIES position: slice of the sampling table
    table_code: I64  # sampling table: subheading index
    table_cdf: F64  # sampling table: cumulative weight, each industry scaled to [k, k+1)

    def sample(self, industry: I64, uniform: F64) -> I64:
        """Subheadings drawn for enterprises of the given industries (one per uniform)."""
        position = industry + np.minimum(uniform, 1.0 - 1e-9)
        return self.table_code[np.searchsorted(self.table_cdf, position, side="right")]


DANGEROUS_LINES = tuple(DANGEROUS.items())


@cache
def build_market(hs_path: Path) -> Market:
    """The market for the nomenclature at ``hs_path`` (cached per path)."""
    nomenclature = load_hs(hs_path)
    subheadings = sorted(c for c, h in nomenclature.items() if h.level == 6)
    chapters = {h[:2] for p in PORTFOLIOS.values() for h, _ in p}
    chapters |= {line.cover_code[:2] for line in DANGEROUS.values()}
    hs6 = tuple(c for c in subheadings if c[:2] in chapters)
    index = {c: i for i, c in enumerate(hs6)}
    rng = np.random.Generator(np.random.PCG64(MARKET_SEED))
    profile = [HEADINGS.get(c[:4], ("KGM", 10.0, 1.0, _chapter_duty(int(c[:2])))) for c in hs6]
    median = np.array([p[1] for p in profile]) * rng.lognormal(0.0, 0.5, len(hs6))
    duty = np.array([p[3] for p in profile]) * rng.choice([0.5, 1.0, 1.0, 1.5], len(hs6))
    dg = np.array([_dg_index(c) for c in hs6], dtype=np.int64)
    return Market(
        hs6=hs6,
        hs10=tuple(c + SUFFIXES[k] for c, k in zip(hs6, rng.integers(0, 6, len(hs6)), strict=True)),
        description=tuple(nomenclature[c].description for c in hs6),
        median_usd=median,
        kg_per_unit=np.array([p[2] for p in profile]) * rng.lognormal(0.0, 0.2, len(hs6)),
        unit=np.array([UNITS.index(p[0]) for p in profile], dtype=np.int64),
        duty=np.round(duty * 200) / 200,
        dg=dg,
        dg_share=np.array([DANGEROUS[c].share if c in DANGEROUS else 0.0 for c in hs6]),
        cover=np.array(
            [index.get(DANGEROUS[c].cover_code, -1) if c in DANGEROUS else -1 for c in hs6],
            dtype=np.int64,
        ),
        lower_duty=_lower_duty(hs6, np.round(duty * 200) / 200),
        **_sampling_table(hs6, index, rng),
    )


def _chapter_duty(chapter: int) -> float:
    return next(rate for last, rate in CHAPTER_DUTY if chapter <= last)


def _dg_index(code: str) -> int:
    keys = [c for c, _ in DANGEROUS_LINES]
    return keys.index(code) if code in DANGEROUS else -1


def _lower_duty(hs6: tuple[str, ...], duty: F64) -> I64:
    """For each code, the lowest-duty code of its heading (else chapter) when 2 points lower."""
    target = np.full(len(hs6), -1, dtype=np.int64)
    for width in (2, 4):  # heading wins over chapter: it is applied last
        groups: dict[str, list[int]] = {}
        for i, code in enumerate(hs6):
            groups.setdefault(code[:width], []).append(i)
        for members in groups.values():
            best = min(members, key=lambda i: (duty[i], i))
            for i in members:
                if duty[i] - duty[best] >= 0.02 and (width == 4 or target[i] < 0):
                    target[i] = best
    return target


def _sampling_table(
    hs6: tuple[str, ...], index: dict[str, int], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Concatenated per-industry CDFs over subheadings, industry k occupying (k, k+1]."""
    codes: list[int] = []
    cdfs: list[np.ndarray] = []
    starts: list[int] = []
    for k, industry in enumerate(INDUSTRIES):
        members: list[tuple[int, float]] = []
        for heading, weight in PORTFOLIOS[industry.code]:
            found = [index[c] for c in hs6 if c.startswith(heading)]
            members += [(i, weight / len(found)) for i in found]
        weights = np.array([w for _, w in members]) * rng.lognormal(0.0, 0.8, len(members))
        cumulative = np.cumsum(weights)
        starts.append(len(codes))
        codes += [i for i, _ in members]
        cdfs.append(k + cumulative / cumulative[-1])
    return {
        "industry_start": np.array(starts, dtype=np.int64),
        "table_code": np.array(codes, dtype=np.int64),
        "table_cdf": np.concatenate(cdfs),
    }


def dg_class_index(line: int) -> int:
    """Position of a dangerous line's class in the catalog's DG_CLASSES."""
    return DG_CLASSES.index(DANGEROUS_LINES[line][1].dg_class)
