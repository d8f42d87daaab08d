"""Plan indicator monitoring (issue #7): ``PlanService`` wired as ``platform.plan``.

- ``load_registry`` upserts the plan's indicators from ``plan-indicators.yaml`` (all or
  nothing; loading the same file twice changes nothing); ``update_indicator`` edits one.
- Observations are added one by one or imported (all or nothing, errors name row and
  field); ``correct_observation`` adds a new value that replaces the old, which is kept.
- ``progress`` / ``progress_of`` / ``series`` / ``forecast`` / ``evaluation`` read them.
- Every staff member reads (``plan.view``); administrators and planners write
  (``plan.manage``). Every write is audited. Formulas in docs/plan.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.auth.model import Permission, can
from lingang.db import UnitOfWorkFactory
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.plan.evaluation import Evaluation, EvaluationKind, build_evaluation
from lingang.plan.model import (
    Comparator,
    Forecast,
    Indicator,
    IndicatorKind,
    Observation,
    Progress,
    ProgressThresholds,
    effective,
    forecast,
    progress,
    required_path,
    validate_observation,
    yearly_values,
)
from lingang.plan.registry import PlanRegistry, load_registry
from lingang.plan.store import (
    INDICATOR_FIELDS,
    PlanIndicatorRow,
    PlanObservationRow,
    indicator_values,
    to_indicator,
    to_observation,
)
from lingang.types import Actor, utcnow
from lingang.workdays import SHANGHAI


@dataclass(frozen=True, slots=True)
class ObservationDraft:
    """A value to record; ``unit`` defaults to the indicator's."""

    indicator_id: str
    year: int
    value: float
    source: str
    quarter: int | None = None
    unit: str | None = None
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class RegistryLoad:
    """What loading the registry did."""

    path: str
    added: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        """Indicators in the file."""
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class Series:
    """An indicator's chart: the values that count per year, the required path, the target
    and every observation (corrections included)."""

    indicator: Indicator
    values: dict[int, float]
    required: dict[int, float]
    observations: tuple[Observation, ...]
    progress: Progress
    forecast: Forecast


class PlanService:
    """The indicator registry, observations, progress, forecasts and evaluations."""

    def __init__(
        self, uow: UnitOfWorkFactory, audit: AuditService, *, registry_path: Path,
        thresholds: ProgressThresholds | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._audit = audit
        self.registry_path = registry_path
        self.thresholds = thresholds or ProgressThresholds()
        self._now = clock

    def this_year(self) -> int:
        """The current year in Asia/Shanghai."""
        return self._now().astimezone(SHANGHAI).year

    # --- registry ---------------------------------------------------------------------------

    def read_registry(self, path: Path | None = None) -> PlanRegistry:
        """Parse and check the registry file (default: the configured one)."""
        return load_registry(path or self.registry_path)

    def load_registry(self, path: Path | None = None, *, actor: Actor) -> RegistryLoad:
        """Upsert every indicator of the file in one transaction (a bad row: nothing)."""
        _require(actor, Permission.MANAGE_PLAN)
        source = path or self.registry_path
        registry = load_registry(source)
        added = updated = 0
        now = self._now()
        with self._uow() as uow:
            for position, indicator in enumerate(registry.indicators):
                row = uow.session.get(PlanIndicatorRow, indicator.id)
                values = indicator_values(indicator) | {"position": position}
                if row is None:
                    uow.session.add(PlanIndicatorRow(id=indicator.id, updated_by=actor.username,
                                                     updated_at=now, **values))  # fmt: skip
                    added += 1
                elif any(getattr(row, k) != v for k, v in values.items()):
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.updated_by, row.updated_at = actor.username, now
                    updated += 1
            done = RegistryLoad(str(source), added, updated,
                                len(registry.indicators) - added - updated)  # fmt: skip
            if added or updated:
                self._audit.record(uow.session, actor=actor, action="plan.registry_loaded",
                                   object_type="plan", object_id=registry.plan_id,
                                   after=dataclasses.asdict(done),
                                   detail=f"{added} added, {updated} updated")  # fmt: skip
            uow.commit()
        return done

    def indicators(
        self, *, actor: Actor, area: str | None = None, department: str | None = None
    ) -> list[Indicator]:
        """The indicators in plan order, optionally of one area and/or department."""
        _require(actor, Permission.VIEW_PLAN)
        query = select(PlanIndicatorRow).order_by(PlanIndicatorRow.position)
        if area:
            query = query.where(PlanIndicatorRow.area == area)
        if department:
            query = query.where(PlanIndicatorRow.department == department)
        with self._uow.read() as session:
            return [to_indicator(row) for row in session.scalars(query)]

    def indicator(self, indicator_id: str, *, actor: Actor) -> Indicator:
        """One indicator."""
        _require(actor, Permission.VIEW_PLAN)
        with self._uow.read() as session:
            return to_indicator(_indicator_row(session, indicator_id))

    def update_indicator(
        self, indicator_id: str, changes: Mapping[str, Any], *, actor: Actor
    ) -> Indicator:
        """Change fields of an indicator (unit, target, department …); checked as a whole."""
        _require(actor, Permission.MANAGE_PLAN)
        unknown = set(changes) - set(INDICATOR_FIELDS)
        if unknown:
            raise Invalid(sorted(unknown)[0], "not an editable indicator field")
        with self._uow() as uow:
            row = _indicator_row(uow.session, indicator_id)
            before = to_indicator(row)
            after = dataclasses.replace(before, **_typed(changes))
            for key, value in indicator_values(after).items():
                setattr(row, key, value)
            row.updated_by, row.updated_at = actor.username, self._now()
            self._audit.record(uow.session, actor=actor, action="plan.indicator_updated",
                               object_type="plan_indicator", object_id=indicator_id,
                               before={k: _plain(getattr(before, k)) for k in changes},
                               after={k: _plain(getattr(after, k)) for k in changes})  # fmt: skip
            uow.commit()
        return after

    # --- observations -----------------------------------------------------------------------

    def add_observation(self, draft: ObservationDraft, *, actor: Actor) -> Observation:
        """Record one value (a second value for the same year and quarter is a conflict:
        correct the first instead)."""
        _require(actor, Permission.MANAGE_PLAN)
        with self._uow() as uow:
            row = self._add(uow.session, draft, actor)
            self._audit.record(uow.session, actor=actor, action="plan.observation_added",
                               object_type="plan_indicator", object_id=draft.indicator_id,
                               after=_obs_audit(row))  # fmt: skip
            uow.commit()
            return to_observation(row)

    def correct_observation(
        self, observation_id: int, value: float, source: str, *, actor: Actor
    ) -> Observation:
        """Replace a value; the old one is kept, flagged superseded."""
        _require(actor, Permission.MANAGE_PLAN)
        with self._uow() as uow:
            old = uow.session.get(PlanObservationRow, observation_id)
            if old is None:
                raise NotFound(f"observation {observation_id} not found")
            if old.superseded:
                raise Conflict(f"observation {observation_id} was already corrected")
            draft = ObservationDraft(old.indicator_id, old.year, value, source, old.quarter,
                                     old.unit)  # fmt: skip
            old.superseded = True
            uow.session.flush()
            row = self._add(uow.session, draft, actor, replaces=old.id)
            self._audit.record(uow.session, actor=actor, action="plan.observation_corrected",
                               object_type="plan_indicator", object_id=old.indicator_id,
                               before=_obs_audit(old), after=_obs_audit(row))  # fmt: skip
            uow.commit()
            return to_observation(row)

    def import_observations(
        self, rows: Sequence[Mapping[str, Any]], *, actor: Actor, source: str = "import"
    ) -> int:
        """Add every row or none: a bad row raises ``Invalid`` naming ``row N: field``.
        Columns: indicator_id, year, value, source (default ``source``), quarter, unit."""
        _require(actor, Permission.MANAGE_PLAN)
        drafts = [_draft(row, number, source) for number, row in enumerate(rows, 1)]
        with self._uow() as uow:
            for number, draft in enumerate(drafts, 1):
                try:
                    self._add(uow.session, draft, actor)
                except (Invalid, NotFound, Conflict) as exc:
                    field = exc.field if isinstance(exc, Invalid) else "indicator_id"
                    raise Invalid(f"row {number}: {field}", _reason(exc)) from exc
            self._audit.record(uow.session, actor=actor, action="plan.observations_imported",
                               object_type="plan", object_id="observations",
                               after={"rows": len(drafts)},
                               detail=f"{len(drafts)} observation(s) imported")  # fmt: skip
            uow.commit()
        return len(drafts)

    def observations(
        self, indicator_id: str, *, actor: Actor, include_superseded: bool = True
    ) -> list[Observation]:
        """The indicator's observations by year, quarter and entry (corrections included)."""
        _require(actor, Permission.VIEW_PLAN)
        with self._uow.read() as session:
            _indicator_row(session, indicator_id)
            found = _observations(session, [indicator_id]).get(indicator_id, [])
        return found if include_superseded else effective(found)

    def _add(
        self, session: Session, draft: ObservationDraft, actor: Actor, replaces: int | None = None
    ) -> PlanObservationRow:
        indicator = to_indicator(_indicator_row(session, draft.indicator_id))
        observation = Observation(
            indicator_id=draft.indicator_id, year=draft.year, quarter=draft.quarter,
            value=float(draft.value), unit=draft.unit or indicator.unit,
            source=draft.source.strip(), entered_by=actor.username, entered_at=self._now(),
            replaces=replaces, simulated=draft.simulated,
        )  # fmt: skip
        validate_observation(indicator, observation)
        if replaces is None and _current(session, observation) is not None:
            when = f"{observation.year}" + (
                f"Q{observation.quarter}" if observation.quarter else ""
            )
            raise Conflict(f"{indicator.id} already has a value for {when}; correct it instead")
        row = PlanObservationRow(
            indicator_id=observation.indicator_id, year=observation.year,
            quarter=observation.quarter, value=observation.value, unit=observation.unit,
            source=observation.source, entered_by=observation.entered_by,
            entered_at=observation.entered_at, replaces_id=replaces, superseded=False,
            simulated=observation.simulated,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row

    # --- progress ---------------------------------------------------------------------------

    def progress(
        self, year: int, *, actor: Actor, area: str | None = None, department: str | None = None
    ) -> list[Progress]:
        """Every indicator's status in ``year`` (plan order)."""
        found = self.indicators(actor=actor, area=area, department=department)
        observed = self._observed([i.id for i in found])
        return [progress(i, observed.get(i.id, []), year, self.thresholds) for i in found]

    def progress_of(self, indicator_id: str, year: int, *, actor: Actor) -> Progress:
        """One indicator's status in ``year``."""
        indicator = self.indicator(indicator_id, actor=actor)
        observed = self._observed([indicator_id]).get(indicator_id, [])
        return progress(indicator, observed, year, self.thresholds)

    def series(self, indicator_id: str, *, actor: Actor, year: int | None = None) -> Series:
        """What a chart needs: yearly values, the required path, the target, the forecast."""
        indicator = self.indicator(indicator_id, actor=actor)
        observed = self._observed([indicator_id]).get(indicator_id, [])
        values = yearly_values(observed)
        as_of = year or (max(values) if values else self.this_year())
        return Series(indicator, values, required_path(indicator, observed), tuple(observed),
                      progress(indicator, observed, as_of, self.thresholds),
                      forecast(indicator, observed))  # fmt: skip

    def forecast(self, indicator_id: str, *, actor: Actor) -> Forecast:
        """The target year's value from the trend, with a 95 % prediction interval."""
        indicator = self.indicator(indicator_id, actor=actor)
        return forecast(indicator, self._observed([indicator_id]).get(indicator_id, []))

    def evaluation(
        self, kind: EvaluationKind | str, year: int | None = None, *, actor: Actor
    ) -> Evaluation:
        """An annual, mid-term (2023) or final (2025) evaluation, grouped by area."""
        report = EvaluationKind(kind)
        as_of = year or report.default_year(self.this_year())
        found = self.indicators(actor=actor)
        observed = self._observed([i.id for i in found])
        statuses = {i.id: progress(i, observed.get(i.id, []), as_of, self.thresholds)
                    for i in found}  # fmt: skip
        forecasts = {i.id: forecast(i, [o for o in observed.get(i.id, []) if o.year <= as_of])
                     for i in found}  # fmt: skip
        return build_evaluation(report, as_of, found, statuses, forecasts, self._now())

    def evaluation_pdf(
        self, kind: EvaluationKind | str, year: int | None = None, *, actor: Actor
    ) -> bytes:
        """The evaluation as a Chinese PDF (``plan/report.py``), with the at-risk charts."""
        from lingang.plan.report import build_report

        report = self.evaluation(kind, year, actor=actor)
        charts = {i.indicator.id: self.series(i.indicator.id, actor=actor, year=report.year)
                  for i in report.at_risk}  # fmt: skip
        return build_report(report, series=charts, generated_by=actor.username)

    def _observed(self, ids: Sequence[str]) -> dict[str, list[Observation]]:
        with self._uow.read() as session:
            return _observations(session, ids)


def _require(actor: Actor, permission: Permission) -> None:
    if not can(actor.role, permission):
        raise Forbidden(f"role {actor.role.value} may not {permission.value}")


def _indicator_row(session: Session, indicator_id: str) -> PlanIndicatorRow:
    row = session.get(PlanIndicatorRow, indicator_id)
    if row is None:
        raise NotFound(f"indicator {indicator_id} not found")
    return row


def _observations(session: Session, ids: Sequence[str]) -> dict[str, list[Observation]]:
    query = select(PlanObservationRow).order_by(
        PlanObservationRow.year, PlanObservationRow.quarter, PlanObservationRow.id
    )
    if len(ids) == 1:
        query = query.where(PlanObservationRow.indicator_id == ids[0])
    found: dict[str, list[Observation]] = {}
    wanted = set(ids)
    for row in session.scalars(query):
        if row.indicator_id in wanted:
            found.setdefault(row.indicator_id, []).append(to_observation(row))
    return found


def _current(session: Session, obs: Observation) -> PlanObservationRow | None:
    quarter = (
        PlanObservationRow.quarter.is_(None)
        if obs.quarter is None
        else PlanObservationRow.quarter == obs.quarter
    )
    query = select(PlanObservationRow).where(
        PlanObservationRow.indicator_id == obs.indicator_id,
        PlanObservationRow.year == obs.year, quarter,
        PlanObservationRow.superseded.is_(False),
    )  # fmt: skip
    return session.scalars(query).first()


def _draft(row: Mapping[str, Any], number: int, default_source: str) -> ObservationDraft:
    def need(key: str) -> Any:
        value = row.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise Invalid(f"row {number}: {key}", "required")
        return value

    return ObservationDraft(
        indicator_id=str(need("indicator_id")).strip(),
        year=_int(need("year"), f"row {number}: year"),
        value=_float(need("value"), f"row {number}: value"),
        source=str(row.get("source") or default_source),
        quarter=_int(row["quarter"], f"row {number}: quarter") if _given(row, "quarter") else None,
        unit=str(row["unit"]).strip() if _given(row, "unit") else None,
        simulated=str(row.get("simulated", "")).strip().lower() in ("true", "1", "yes"),
    )  # fmt: skip


def _given(row: Mapping[str, Any], key: str) -> bool:
    value = row.get(key)
    return value is not None and str(value).strip() != ""


def _int(value: Any, field: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid(field, f"must be a whole number, not {value!r}") from None
    if not number.is_integer():
        raise Invalid(field, f"must be a whole number, not {value!r}")
    return int(number)


def _float(value: Any, field: str) -> float:
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        raise Invalid(field, f"must be a number, not {value!r}") from None


def _reason(exc: Invalid | NotFound | Conflict) -> str:
    return exc.reason if isinstance(exc, Invalid) else exc.message


def _typed(changes: Mapping[str, Any]) -> dict[str, Any]:
    typed = dict(changes)
    try:
        if "comparator" in typed:
            typed["comparator"] = Comparator(typed["comparator"])
        if "kind" in typed:
            typed["kind"] = IndicatorKind(typed["kind"])
    except ValueError as exc:
        raise Invalid("comparator" if "comparator" in typed else "kind", str(exc)) from None
    return typed


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Comparator | IndicatorKind) else value


def _obs_audit(row: PlanObservationRow) -> dict[str, Any]:
    return {"id": row.id, "year": row.year, "quarter": row.quarter, "value": row.value,
            "unit": row.unit, "source": row.source, "replaces": row.replaces_id}  # fmt: skip
