"""Plan persistence: the editable copy of the indicator registry and every observation
(a correction is a new row naming the one it ``replaces_id``; the old row stays, flagged
``superseded``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.plan.model import Comparator, Indicator, IndicatorKind, Observation


class PlanIndicatorRow(Base):
    """One indicator of the plan (loaded from the registry file, editable afterwards)."""

    __tablename__ = "plan_indicators"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    area: Mapped[str] = mapped_column(String(32), index=True)
    department: Mapped[str] = mapped_column(String(80), index=True)
    unit: Mapped[str] = mapped_column(String(32))
    comparator: Mapped[str] = mapped_column(String(8))
    target: Mapped[float] = mapped_column(Float)
    target_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_year: Mapped[int] = mapped_column(Integer)
    base_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    base_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    quote: Mapped[str] = mapped_column(Text)
    tolerance: Mapped[float | None] = mapped_column(Float, nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PlanObservationRow(Base):
    """One observed value of an indicator, yearly or quarterly."""

    __tablename__ = "plan_observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("plan_indicators.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_observations.id"), nullable=True
    )
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)


INDICATOR_FIELDS = (
    "name_zh", "name_en", "area", "department", "unit", "comparator", "target", "target_low",
    "target_high", "target_year", "base_value", "base_year", "kind", "quote", "tolerance",
)  # fmt: skip
"""The fields of an indicator a row keeps (besides its id)."""


def to_indicator(row: PlanIndicatorRow) -> Indicator:
    """Row → domain indicator."""
    return Indicator(
        id=row.id, name_zh=row.name_zh, name_en=row.name_en, area=row.area,
        department=row.department, unit=row.unit, comparator=Comparator(row.comparator),
        target=row.target, target_low=row.target_low, target_high=row.target_high,
        target_year=row.target_year, base_value=row.base_value, base_year=row.base_year,
        kind=IndicatorKind(row.kind), quote=row.quote, tolerance=row.tolerance,
    )  # fmt: skip


def indicator_values(indicator: Indicator) -> dict[str, object]:
    """Domain indicator → the column values of its row (without id)."""
    values: dict[str, object] = {k: getattr(indicator, k) for k in INDICATOR_FIELDS}
    values["comparator"] = indicator.comparator.value
    values["kind"] = indicator.kind.value
    return values


def to_observation(row: PlanObservationRow) -> Observation:
    """Row → domain observation."""
    return Observation(
        indicator_id=row.indicator_id, year=row.year, quarter=row.quarter, value=row.value,
        unit=row.unit, source=row.source, entered_by=row.entered_by, entered_at=row.entered_at,
        replaces=row.replaces_id, simulated=row.simulated, id=row.id,
    )  # fmt: skip
