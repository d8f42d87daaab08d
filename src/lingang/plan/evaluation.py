"""Evaluations of the plan (年度跟踪监测 · 中期评估 · 末期全面评估): the statuses of every
indicator in one year, grouped by area, with the indicators at risk. Pure: the service
supplies the indicators, their progress and their forecasts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from lingang.plan.model import (
    AREA_LABELS,
    Forecast,
    Indicator,
    Progress,
    ProgressStatus,
    area_label,
)

MIDTERM_YEAR = 2023
FINAL_YEAR = 2025


class EvaluationKind(StrEnum):
    """The three reports the plan asks for."""

    ANNUAL = "annual"
    MIDTERM = "midterm"
    FINAL = "final"

    def label(self, lang: str = "zh") -> str:
        """The report's title word."""
        return _KIND_LABELS[self][0 if lang.startswith("zh") else 1]

    def default_year(self, this_year: int) -> int:
        """Midterm: 2023; final: 2025; annual: the year before ``this_year``."""
        if self is EvaluationKind.MIDTERM:
            return MIDTERM_YEAR
        if self is EvaluationKind.FINAL:
            return FINAL_YEAR
        return this_year - 1


_KIND_LABELS = {
    EvaluationKind.ANNUAL: ("年度跟踪监测", "Annual tracking"),
    EvaluationKind.MIDTERM: ("中期评估", "Mid-term evaluation"),
    EvaluationKind.FINAL: ("末期全面评估", "Final evaluation"),
}


@dataclass(frozen=True, slots=True)
class EvaluationItem:
    """One indicator in an evaluation."""

    indicator: Indicator
    progress: Progress
    forecast: Forecast | None


@dataclass(frozen=True, slots=True)
class AreaEvaluation:
    """The indicators of one area and how many hold each status."""

    area: str
    label_zh: str
    label_en: str
    counts: dict[ProgressStatus, int]
    items: tuple[EvaluationItem, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A whole report: per area, totals, and the at-risk list (needs acceleration, limited
    progress, deterioration — worst first)."""

    kind: EvaluationKind
    year: int
    title_zh: str
    title_en: str
    generated_at: dt.datetime
    counts: dict[ProgressStatus, int]
    areas: tuple[AreaEvaluation, ...]
    at_risk: tuple[EvaluationItem, ...]

    @property
    def total(self) -> int:
        """How many indicators the report covers."""
        return sum(self.counts.values())


_RISK_ORDER = {
    ProgressStatus.DETERIORATION: 0,
    ProgressStatus.LIMITED_PROGRESS: 1,
    ProgressStatus.NEEDS_ACCELERATION: 2,
}


def build_evaluation(
    kind: EvaluationKind, year: int, indicators: Sequence[Indicator],
    progress: Mapping[str, Progress], forecasts: Mapping[str, Forecast],
    generated_at: dt.datetime,
) -> Evaluation:  # fmt: skip
    """Group the indicators by area (in the order of :data:`AREA_LABELS`)."""
    items = [EvaluationItem(i, progress[i.id], forecasts.get(i.id)) for i in indicators]
    order = {area: n for n, area in enumerate(AREA_LABELS)}
    areas = sorted({i.indicator.area for i in items}, key=lambda a: (order.get(a, 99), a))
    grouped = tuple(_area(area, [i for i in items if i.indicator.area == area]) for area in areas)
    risky = [i for i in items if i.progress.status.at_risk]
    at_risk = sorted(risky, key=lambda i: (_RISK_ORDER[i.progress.status], i.progress.ratio or 0))
    return Evaluation(
        kind=kind, year=year, title_zh=f"临港新片区“十四五”规划{year}年{kind.label()}",
        title_en=f"Lingang 14th Five-Year Plan — {kind.label('en')} {year}",
        generated_at=generated_at, counts=_counts(items), areas=grouped, at_risk=tuple(at_risk),
    )  # fmt: skip


def _area(area: str, items: list[EvaluationItem]) -> AreaEvaluation:
    return AreaEvaluation(area, area_label(area), area_label(area, "en"), _counts(items),
                          tuple(items))  # fmt: skip


def _counts(items: Sequence[EvaluationItem]) -> dict[ProgressStatus, int]:
    found = Counter(i.progress.status for i in items)
    return {status: found.get(status, 0) for status in ProgressStatus}
