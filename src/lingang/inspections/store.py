"""Persistence of 双随机、一公开: the catalogue of items, the library of inspectors, the plans
(with their frozen inputs, secret seed and stored result) and the inspection results.

A plan's ``inputs`` are the canonical JSON text of the draw's inputs, kept as text so that
their bytes (and so ``inputs_digest``) survive every database unchanged. ``seed`` is written
at commit and shown to nobody until the draw reveals it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.inspections.model import PlanStatus

DRAWN_STATES = (PlanStatus.DRAWN.value, PlanStatus.RESULTS_PUBLISHED.value)


class InspectionItemRow(Base):
    """One item of the 抽查事项清单."""

    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(80))
    key: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class InspectorRow(Base):
    """One entry of the 执法检查人员名录库; ``conflicts`` the USCCs it is recused from."""

    __tablename__ = "inspection_inspectors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    department: Mapped[str] = mapped_column(String(80), index=True)
    qualifications: Mapped[list[Any]] = mapped_column(JSON, default=list)
    conflicts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class InspectionPlanRow(Base):
    """One batch of the annual plan, from draft to published results."""

    __tablename__ = "inspection_plans"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    department: Mapped[str] = mapped_column(String(80))
    key_item: Mapped[bool] = mapped_column(Boolean, default=False)
    rates: Mapped[dict[str, Any]] = mapped_column(JSON)
    inspectors_per_target: Mapped[int] = mapped_column(Integer)
    required_qualification: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(24), index=True)
    seed_commitment: Mapped[str | None] = mapped_column(String(64))
    inputs_digest: Mapped[str | None] = mapped_column(String(64))
    inputs: Mapped[str | None] = mapped_column(Text)
    ungraded: Mapped[int | None] = mapped_column(Integer)
    seed: Mapped[str | None] = mapped_column(String(128))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    committed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    drawn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    publish_by: Mapped[dt.date | None] = mapped_column(Date)


class InspectionResultRow(Base):
    """The result of inspecting one drawn target; public once ``published_at`` is set."""

    __tablename__ = "inspection_results"
    __table_args__ = (UniqueConstraint("plan_id", "uscc", name="uq_inspection_results_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    inspectors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(24))
    finding: Mapped[str] = mapped_column(String(2000), default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    credit_record_ref: Mapped[str | None] = mapped_column(String(120))


def item_by_code(session: Session, code: str) -> InspectionItemRow | None:
    """A catalogue item by its code."""
    return session.scalar(select(InspectionItemRow).where(InspectionItemRow.code == code))


def items(session: Session, *, include_inactive: bool = False) -> list[InspectionItemRow]:
    """The catalogue, by code."""
    statement = select(InspectionItemRow).order_by(InspectionItemRow.code)
    if not include_inactive:
        statement = statement.where(InspectionItemRow.active.is_(True))
    return list(session.scalars(statement))


def inspector_by_code(session: Session, code: str) -> InspectorRow | None:
    """An inspector by id code, locked for update on PostgreSQL."""
    statement = select(InspectorRow).where(InspectorRow.code == code).with_for_update()
    return session.scalar(statement)


def inspectors(session: Session, department: str | None = None) -> list[InspectorRow]:
    """Active inspectors (of one department when given), by id code."""
    statement = select(InspectorRow).where(InspectorRow.active.is_(True))
    if department is not None:
        statement = statement.where(InspectorRow.department == department)
    return list(session.scalars(statement.order_by(InspectorRow.code)))


def existing_item_codes(session: Session, codes: list[str]) -> set[str]:
    """Which of ``codes`` the catalogue already holds."""
    column = InspectionItemRow.code
    return set(session.scalars(select(column).where(column.in_(codes))))


def existing_inspector_codes(session: Session, codes: list[str]) -> set[str]:
    """Which of ``codes`` the inspector library already holds."""
    column = InspectorRow.code
    return set(session.scalars(select(column).where(column.in_(codes))))


def plan_for_update(session: Session, plan_id: str) -> InspectionPlanRow | None:
    """A plan, locked for the rest of the transaction on PostgreSQL."""
    statement = select(InspectionPlanRow).where(InspectionPlanRow.id == plan_id)
    return session.scalar(statement.with_for_update())


def plans(
    session: Session, *, year: int | None = None, drawn_only: bool = False
) -> list[InspectionPlanRow]:
    """Plans (of one year when given; only drawn ones with ``drawn_only``), newest first."""
    statement = select(InspectionPlanRow)
    if year is not None:
        statement = statement.where(InspectionPlanRow.year == year)
    if drawn_only:
        statement = statement.where(InspectionPlanRow.status.in_(DRAWN_STATES))
    order = (InspectionPlanRow.created_at.desc(), InspectionPlanRow.id.desc())
    return list(session.scalars(statement.order_by(*order)))


def results_of(session: Session, plan_id: str) -> list[InspectionResultRow]:
    """A plan's recorded results, in the order they were recorded."""
    statement = select(InspectionResultRow).where(InspectionResultRow.plan_id == plan_id)
    return list(session.scalars(statement.order_by(InspectionResultRow.id)))


def result_for_update(session: Session, plan_id: str, uscc: str) -> InspectionResultRow | None:
    """The result recorded for one target of a plan, locked for update."""
    statement = select(InspectionResultRow).where(
        InspectionResultRow.plan_id == plan_id, InspectionResultRow.uscc == uscc
    )
    return session.scalar(statement.with_for_update())
