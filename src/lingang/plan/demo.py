"""Simulated observations for the demo (2020–2023, labelled ``模拟数据 simulated``).

Each indicator is given one status for 2023, in turn, so that every status occurs. Its
2023 value is then the value that earns that status under docs/plan.md: a growth ratio of
1.10 (on track), 0.80 (needs acceleration), 0.30 (limited progress) or −0.30
(deterioration) of the required growth, or the target itself (achieved). Earlier years lie
on the same growth path with a little seeded noise. A plan baseline is the 2020 value;
without one a level starts in 2020 at half its target, and a cumulative count at 0.
Cumulative counts never deteriorate (a count built up cannot fall).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lingang.plan.model import (
    PLAN_BASE_YEAR,
    Comparator,
    Indicator,
    IndicatorKind,
    ProgressStatus,
)
from lingang.types import SYSTEM

if TYPE_CHECKING:
    from lingang.bootstrap import Platform

SOURCE = "模拟数据 simulated"
YEARS = (2020, 2021, 2022, 2023)
DEMO_YEAR = 2023
RATIOS = {
    ProgressStatus.ON_TRACK: 1.10,
    ProgressStatus.NEEDS_ACCELERATION: 0.80,
    ProgressStatus.LIMITED_PROGRESS: 0.30,
    ProgressStatus.DETERIORATION: -0.30,
}
CYCLE = (
    ProgressStatus.TARGET_ACHIEVED,
    ProgressStatus.ON_TRACK,
    ProgressStatus.NEEDS_ACCELERATION,
    ProgressStatus.LIMITED_PROGRESS,
    ProgressStatus.DETERIORATION,
)
NOISE = 0.02


def intended_statuses(indicators: Sequence[Indicator], seed: int) -> dict[str, ProgressStatus]:
    """The 2023 status each indicator is simulated to reach (every status occurs)."""
    order = list(indicators)
    random.Random(seed).shuffle(order)
    chosen: dict[str, ProgressStatus] = {}
    for index, indicator in enumerate(order):
        status = CYCLE[index % len(CYCLE)]
        if indicator.kind is IndicatorKind.CUMULATIVE and status is ProgressStatus.DETERIORATION:
            status = ProgressStatus.LIMITED_PROGRESS
        chosen[indicator.id] = status
    return chosen


def simulated_observations(indicators: Sequence[Indicator], seed: int = 7) -> list[dict[str, Any]]:
    """Yearly observation rows (``import_observations`` columns) for 2020–2023."""
    noise = random.Random(seed)
    statuses = intended_statuses(indicators, seed)
    rows: list[dict[str, Any]] = []
    for indicator in indicators:
        values = _path(indicator, statuses[indicator.id], noise)
        rows += [{"indicator_id": indicator.id, "year": year, "value": round(value, 4),
                  "unit": indicator.unit, "source": SOURCE, "simulated": True}
                 for year, value in values.items()]  # fmt: skip
    return rows


def _path(indicator: Indicator, status: ProgressStatus, noise: random.Random) -> dict[int, float]:
    if indicator.kind is IndicatorKind.RATE:
        ratio = RATIOS.get(status, 1.0)
        return {y: indicator.target * ratio * (1 + noise.uniform(-NOISE, NOISE))
                if y < DEMO_YEAR else indicator.target * ratio for y in YEARS[1:]}  # fmt: skip
    cumulative = indicator.kind is IndicatorKind.CUMULATIVE
    if indicator.base_value is not None and indicator.base_year is not None:
        t0, x0 = indicator.base_year, indicator.base_value
    else:
        t0, x0 = PLAN_BASE_YEAR, 0.0 if cumulative else _start(indicator)
    aim = indicator.target_low if indicator.comparator is Comparator.RANGE else indicator.target
    assert aim is not None
    end = _end(indicator, status, t0, x0, aim, cumulative)
    values: dict[int, float] = {}
    for year in YEARS:
        if year < t0:
            continue
        k = (year - t0) / (DEMO_YEAR - t0)
        value = x0 + (end - x0) * k if cumulative or x0 <= 0 else x0 * (end / x0) ** k
        if PLAN_BASE_YEAR < year < DEMO_YEAR:
            value *= 1 + noise.uniform(-NOISE, NOISE)
        values[year] = value
    if indicator.base_value is not None and t0 in values:
        values[t0] = x0  # the plan's own baseline, unchanged
    return values


def _start(indicator: Indicator) -> float:
    """A 2020 level for an indicator the plan gives no baseline: half the target."""
    aim = indicator.target_low if indicator.comparator is Comparator.RANGE else indicator.target
    return (aim or 1.0) * 0.5


def _end(
    indicator: Indicator, status: ProgressStatus, t0: int, x0: float, aim: float,
    cumulative: bool,
) -> float:  # fmt: skip
    """The 2023 value that earns ``status``."""
    if status is ProgressStatus.TARGET_ACHIEVED:
        return aim * 1.02 if indicator.comparator is Comparator.MORE_THAN else aim
    ratio = RATIOS[status]
    span_o, span_r = DEMO_YEAR - t0, indicator.target_year - t0
    if cumulative or x0 <= 0:
        return x0 + ratio * (aim - x0) / span_r * span_o
    cagr_r = (aim / x0) ** (1 / span_r) - 1
    return float(x0 * (1 + ratio * cagr_r) ** span_o)


def ensure_demo_plan(platform: Platform, seed: int = 7) -> str:
    """Load the registry (when the shared file is there) and the simulated observations,
    once; return a one-line summary of 2023's statuses."""
    if not platform.plan.registry_path.is_file():
        return f"plan indicators: {platform.plan.registry_path} missing, skipped"
    platform.plan.load_registry(actor=SYSTEM)
    indicators = platform.plan.indicators(actor=SYSTEM)
    observed = {i.id for i in indicators if platform.plan.observations(i.id, actor=SYSTEM)}
    fresh = [i for i in indicators if i.id not in observed]
    if fresh:
        platform.plan.import_observations(simulated_observations(fresh, seed), actor=SYSTEM,
                                          source=SOURCE)  # fmt: skip
    return summary(platform, DEMO_YEAR)


def summary(platform: Platform, year: int) -> str:
    """``60 indicators; 2023: 12 已达标 · 13 进度正常 · …``."""
    found = Counter(p.status for p in platform.plan.progress(year, actor=SYSTEM))
    parts = " · ".join(f"{found[s]} {s.label()}" for s in ProgressStatus if found[s])
    return f"{sum(found.values())} indicators; {year}: {parts}"
