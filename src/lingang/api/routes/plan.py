"""Plan indicators (issue #7): the registry, observations with corrections, progress per
indicator and year, chart series, forecasts and the three evaluations. Staff read
(``plan.view``); planners and administrators write (``plan.manage``). Formulas in
docs/plan.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.plan import (
    CorrectionRequest,
    EvaluationPublic,
    ForecastPublic,
    ImportPublic,
    IndicatorPublic,
    IndicatorsPublic,
    IndicatorUpdate,
    ObservationCreate,
    ObservationPublic,
    ObservationsImport,
    ProgressListPublic,
    ProgressPublic,
    SeriesPublic,
    evaluation_public,
    forecast_public,
    indicator_public,
    observation_public,
    progress_public,
    series_public,
)
from lingang.plan.evaluation import EvaluationKind
from lingang.plan.service import ObservationDraft

router = APIRouter(prefix="/api/plan", tags=["plan"])
Year = Annotated[int | None, Query(ge=2000, le=2100, description="default: last year")]


@router.get("/indicators", operation_id="plan-indicators", response_model=IndicatorsPublic)
def indicators(
    platform: PlatformDep, actor: CurrentActor, area: str | None = None,
    department: str | None = None,
) -> IndicatorsPublic:  # fmt: skip
    """The plan's indicators in plan order, optionally of one area and/or department."""
    found = platform.plan.indicators(actor=actor, area=area, department=department)
    return IndicatorsPublic(data=[indicator_public(i) for i in found], count=len(found))


@router.get("/indicators/{indicator_id}", operation_id="plan-indicator",
            response_model=IndicatorPublic)  # fmt: skip
def indicator(platform: PlatformDep, actor: CurrentActor, indicator_id: str) -> IndicatorPublic:
    """One indicator."""
    return indicator_public(platform.plan.indicator(indicator_id, actor=actor))


@router.patch("/indicators/{indicator_id}", operation_id="plan-indicator-update",
              response_model=IndicatorPublic)  # fmt: skip
def update_indicator(
    platform: PlatformDep, actor: CurrentActor, indicator_id: str, body: IndicatorUpdate
) -> IndicatorPublic:
    """Edit an indicator (target, unit, department …); the whole indicator is re-checked."""
    done = platform.plan.update_indicator(indicator_id, body.changes(), actor=actor)
    return indicator_public(done)


@router.get("/indicators/{indicator_id}/observations", operation_id="plan-observations",
            response_model=list[ObservationPublic])  # fmt: skip
def observations(
    platform: PlatformDep, actor: CurrentActor, indicator_id: str
) -> list[ObservationPublic]:
    """Every observation of the indicator, corrected ones included."""
    found = platform.plan.observations(indicator_id, actor=actor)
    return [observation_public(o) for o in found]


@router.post("/observations", operation_id="plan-observation-add", status_code=201,
             response_model=ObservationPublic)  # fmt: skip
def add_observation(
    platform: PlatformDep, actor: CurrentActor, body: ObservationCreate
) -> ObservationPublic:
    """Record one yearly or quarterly value (a second one for the same period: 409)."""
    draft = ObservationDraft(body.indicator_id, body.year, body.value, body.source,
                             body.quarter, body.unit)  # fmt: skip
    return observation_public(platform.plan.add_observation(draft, actor=actor))


@router.post("/observations/import", operation_id="plan-observations-import",
             status_code=201, response_model=ImportPublic)  # fmt: skip
def import_observations(
    platform: PlatformDep, actor: CurrentActor, body: ObservationsImport
) -> ImportPublic:
    """Import rows (indicator_id, year, value, source, quarter, unit): all or none; a bad row
    answers 422 naming ``row N: field``."""
    return ImportPublic(added=platform.plan.import_observations(body.rows, actor=actor))


@router.post("/observations/{observation_id}/correction", operation_id="plan-observation-correct",
             status_code=201, response_model=ObservationPublic)  # fmt: skip
def correct_observation(
    platform: PlatformDep, actor: CurrentActor, observation_id: int, body: CorrectionRequest
) -> ObservationPublic:
    """Replace a value; the old one is kept (superseded)."""
    done = platform.plan.correct_observation(observation_id, body.value, body.source,
                                             actor=actor)  # fmt: skip
    return observation_public(done)


@router.get("/progress", operation_id="plan-progress", response_model=ProgressListPublic)
def progress(
    platform: PlatformDep, actor: CurrentActor, year: Year = None, area: str | None = None,
    department: str | None = None,
) -> ProgressListPublic:  # fmt: skip
    """Every indicator's status in ``year`` (UN SDG progress measure)."""
    as_of = year or platform.plan.this_year() - 1
    found = platform.plan.progress(as_of, actor=actor, area=area, department=department)
    return ProgressListPublic(data=[progress_public(p) for p in found], count=len(found))


@router.get("/indicators/{indicator_id}/progress", operation_id="plan-indicator-progress",
            response_model=ProgressPublic)  # fmt: skip
def progress_of(
    platform: PlatformDep, actor: CurrentActor, indicator_id: str, year: Year = None
) -> ProgressPublic:
    """One indicator's status in ``year`` with the numbers behind it."""
    as_of = year or platform.plan.this_year() - 1
    return progress_public(platform.plan.progress_of(indicator_id, as_of, actor=actor))


@router.get("/indicators/{indicator_id}/series", operation_id="plan-indicator-series",
            response_model=SeriesPublic)  # fmt: skip
def series(
    platform: PlatformDep, actor: CurrentActor, indicator_id: str, year: Year = None
) -> SeriesPublic:
    """Values per year, the required path to the target, the status and the forecast."""
    return series_public(platform.plan.series(indicator_id, actor=actor, year=year))


@router.get("/indicators/{indicator_id}/forecast", operation_id="plan-indicator-forecast",
            response_model=ForecastPublic)  # fmt: skip
def forecast(platform: PlatformDep, actor: CurrentActor, indicator_id: str) -> ForecastPublic:
    """The target year's value from the trend, with a 95 % prediction interval."""
    return forecast_public(platform.plan.forecast(indicator_id, actor=actor))


@router.get("/evaluations/{kind}.pdf", operation_id="plan-evaluation-pdf",
            response_class=Response,
            responses={200: {"content": {"application/pdf": {}},
                             "description": "the evaluation report"}})  # fmt: skip
def evaluation_pdf(
    platform: PlatformDep, actor: CurrentActor, kind: EvaluationKind, year: Year = None
) -> Response:
    """The evaluation as a PDF in Chinese (summary, at-risk indicators with charts, every
    area, the method), as a download."""
    pdf = platform.plan.evaluation_pdf(kind, year, actor=actor)
    name = f"plan-{kind.value}-{year or 'default'}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/evaluations/{kind}", operation_id="plan-evaluation", response_model=EvaluationPublic)
def evaluation(
    platform: PlatformDep, actor: CurrentActor, kind: EvaluationKind, year: Year = None
) -> EvaluationPublic:
    """The annual, mid-term (default 2023) or final (default 2025) evaluation by area."""
    return evaluation_public(platform.plan.evaluation(kind, year, actor=actor))
