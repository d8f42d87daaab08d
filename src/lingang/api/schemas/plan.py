"""Wire schemas of plan indicators, observations, progress and evaluations (docs/plan.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from lingang.api.schemas.cases import LabelPublic
from lingang.plan.evaluation import AreaEvaluation, Evaluation, EvaluationItem
from lingang.plan.model import (
    Comparator,
    Forecast,
    Indicator,
    IndicatorKind,
    Observation,
    Progress,
    ProgressStatus,
    area_label,
)
from lingang.plan.service import Series


class IndicatorPublic(BaseModel):
    """One indicator of the plan."""

    id: str = Field(examples=["top_scientist_labs"])
    name_zh: str
    name_en: str | None
    area: str
    area_label: LabelPublic
    department: str
    unit: str
    comparator: Comparator
    target: float
    target_low: float | None
    target_high: float | None
    target_text: str = Field(examples=["≥ 10 个"])
    target_year: int
    base_value: float | None
    base_year: int | None
    kind: IndicatorKind
    quote: str
    tolerance: float | None


class IndicatorsPublic(BaseModel):
    """Indicators in plan order."""

    data: list[IndicatorPublic]
    count: int


class IndicatorUpdate(BaseModel):
    """Fields to change; those left out stay."""

    name_zh: str | None = None
    name_en: str | None = None
    area: str | None = None
    department: str | None = None
    unit: str | None = None
    comparator: Comparator | None = None
    target: float | None = None
    target_low: float | None = None
    target_high: float | None = None
    target_year: int | None = None
    base_value: float | None = None
    base_year: int | None = None
    kind: IndicatorKind | None = None
    quote: str | None = None
    tolerance: float | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the request set."""
        return self.model_dump(exclude_unset=True)


class ObservationCreate(BaseModel):
    """A value to record."""

    indicator_id: str
    year: int = Field(ge=2000, le=2100)
    quarter: int | None = Field(default=None, ge=1, le=4)
    value: float
    unit: str | None = Field(default=None, description="default: the indicator's unit")
    source: str = Field(min_length=1, max_length=200, examples=["区统计局年报"])


class ObservationsImport(BaseModel):
    """Rows to import, all or none."""

    rows: list[dict[str, Any]]


class ImportPublic(BaseModel):
    """How many rows an import added."""

    added: int


class CorrectionRequest(BaseModel):
    """A corrected value; the old one is kept."""

    value: float
    source: str = Field(min_length=1, max_length=200)


class ObservationPublic(BaseModel):
    """One observed value."""

    id: int | None
    indicator_id: str
    year: int
    quarter: int | None
    value: float
    unit: str
    source: str
    entered_by: str
    entered_at: dt.datetime
    replaces: int | None
    simulated: bool


class ProgressPublic(BaseModel):
    """An indicator's status in a year and the numbers behind it."""

    indicator_id: str
    year: int
    status: ProgressStatus
    status_label: LabelPublic
    colour: str
    observed: float | None
    observed_year: int | None
    required: float | None
    ratio: float | None
    cagr_observed: float | None
    cagr_required: float | None
    base_value: float | None
    base_year: int | None
    method: str
    explanation: str


class ProgressListPublic(BaseModel):
    """Statuses of many indicators."""

    data: list[ProgressPublic]
    count: int


class ForecastPublic(BaseModel):
    """The target year's value from the trend, with a 95 % prediction interval."""

    indicator_id: str
    year: int
    value: float | None
    low: float | None
    high: float | None
    method: str
    points: int


class SeriesPublic(BaseModel):
    """Everything a chart needs."""

    indicator: IndicatorPublic
    values: dict[int, float]
    required: dict[int, float]
    observations: list[ObservationPublic]
    progress: ProgressPublic
    forecast: ForecastPublic


class EvaluationItemPublic(BaseModel):
    """One indicator in an evaluation."""

    indicator: IndicatorPublic
    progress: ProgressPublic
    forecast: ForecastPublic | None


class AreaEvaluationPublic(BaseModel):
    """One area of an evaluation."""

    area: str
    label: LabelPublic
    counts: dict[ProgressStatus, int]
    items: list[EvaluationItemPublic]


class EvaluationPublic(BaseModel):
    """An annual, mid-term or final evaluation."""

    kind: str
    year: int
    title_zh: str
    title_en: str
    generated_at: dt.datetime
    total: int
    counts: dict[ProgressStatus, int]
    areas: list[AreaEvaluationPublic]
    at_risk: list[EvaluationItemPublic]


def indicator_public(indicator: Indicator) -> IndicatorPublic:
    """The wire form of an indicator."""
    return IndicatorPublic(
        id=indicator.id, name_zh=indicator.name_zh, name_en=indicator.name_en,
        area=indicator.area,
        area_label=LabelPublic(zh=area_label(indicator.area), en=area_label(indicator.area, "en")),
        department=indicator.department, unit=indicator.unit, comparator=indicator.comparator,
        target=indicator.target, target_low=indicator.target_low,
        target_high=indicator.target_high, target_text=indicator.target_text(),
        target_year=indicator.target_year, base_value=indicator.base_value,
        base_year=indicator.base_year, kind=indicator.kind, quote=indicator.quote,
        tolerance=indicator.tolerance,
    )  # fmt: skip


def observation_public(obs: Observation) -> ObservationPublic:
    """The wire form of an observation."""
    return ObservationPublic(
        id=obs.id, indicator_id=obs.indicator_id, year=obs.year, quarter=obs.quarter,
        value=obs.value, unit=obs.unit, source=obs.source, entered_by=obs.entered_by,
        entered_at=obs.entered_at, replaces=obs.replaces, simulated=obs.simulated,
    )  # fmt: skip


def progress_public(found: Progress) -> ProgressPublic:
    """The wire form of a status."""
    return ProgressPublic(
        indicator_id=found.indicator_id, year=found.year, status=found.status,
        status_label=LabelPublic(zh=found.status.label(), en=found.status.label("en")),
        colour=found.status.colour, observed=found.observed, observed_year=found.observed_year,
        required=found.required, ratio=found.ratio, cagr_observed=found.cagr_observed,
        cagr_required=found.cagr_required, base_value=found.base_value,
        base_year=found.base_year, method=found.method, explanation=found.explanation,
    )  # fmt: skip


def forecast_public(found: Forecast) -> ForecastPublic:
    """The wire form of a forecast."""
    return ForecastPublic(indicator_id=found.indicator_id, year=found.year, value=found.value,
                          low=found.low, high=found.high, method=found.method,
                          points=found.points)  # fmt: skip


def series_public(series: Series) -> SeriesPublic:
    """The wire form of a chart series."""
    return SeriesPublic(
        indicator=indicator_public(series.indicator), values=series.values,
        required=series.required,
        observations=[observation_public(o) for o in series.observations],
        progress=progress_public(series.progress), forecast=forecast_public(series.forecast),
    )  # fmt: skip


def _item(item: EvaluationItem) -> EvaluationItemPublic:
    return EvaluationItemPublic(
        indicator=indicator_public(item.indicator), progress=progress_public(item.progress),
        forecast=forecast_public(item.forecast) if item.forecast else None,
    )  # fmt: skip


def _area(area: AreaEvaluation) -> AreaEvaluationPublic:
    return AreaEvaluationPublic(area=area.area, label=LabelPublic(zh=area.label_zh,
                                en=area.label_en), counts=area.counts,
                                items=[_item(i) for i in area.items])  # fmt: skip


def evaluation_public(evaluation: Evaluation) -> EvaluationPublic:
    """The wire form of an evaluation."""
    return EvaluationPublic(
        kind=evaluation.kind.value, year=evaluation.year, title_zh=evaluation.title_zh,
        title_en=evaluation.title_en, generated_at=evaluation.generated_at,
        total=evaluation.total, counts=evaluation.counts,
        areas=[_area(a) for a in evaluation.areas],
        at_risk=[_item(i) for i in evaluation.at_risk],
    )  # fmt: skip
