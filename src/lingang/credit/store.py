"""Credit record persistence: one row per record, unique on ``(source, source_ref)``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lingang.credit.model import CreditRecord, RecordKind
from lingang.db import Base, UtcDateTime


class CreditRecordRow(Base):
    """One credit record of an enterprise."""

    __tablename__ = "credit_records"
    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_credit_records_source_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(40))
    source_ref: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CreditGradeRow(Base):
    """One grade of an enterprise, kept when it differs from the one before (the history)."""

    __tablename__ = "credit_grades"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    instrument: Mapped[str] = mapped_column(String(40))
    customs_category: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    zone_class: Mapped[str] = mapped_column(String(1))
    on_serious_list: Mapped[bool] = mapped_column(Boolean)
    dishonest_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ruleset_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    trigger: Mapped[str] = mapped_column(String(120))
    graded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CreditStandingRow(Base):
    """The current grade of an enterprise (one row each; the distribution reads these)."""

    __tablename__ = "credit_standings"

    enterprise_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    instrument: Mapped[str] = mapped_column(String(40))
    customs_category: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    zone_class: Mapped[str] = mapped_column(String(1), index=True)
    on_serious_list: Mapped[bool] = mapped_column(Boolean)
    grade_id: Mapped[int] = mapped_column(ForeignKey("credit_grades.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CreditProfileRow(Base):
    """What grading needs to know of an enterprise beyond its records: a customs broker
    (报关企业) has lower 失信 thresholds."""

    __tablename__ = "credit_profiles"

    enterprise_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    is_broker: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CreditRepairRow(Base):
    """A credit-repair application (信用修复) and its decision."""

    __tablename__ = "credit_repairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    cause: Mapped[str] = mapped_column(String(40))
    record_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    determined_on: Mapped[dt.date] = mapped_column(Date)
    eligible_from: Mapped[dt.date] = mapped_column(Date)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    applied_by: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    publicity_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    publicity_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CreditObjectionRow(Base):
    """An enterprise's objection to one of its credit records (异议申诉) and its decision."""

    __tablename__ = "credit_objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    due_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)


def to_record(row: CreditRecordRow) -> CreditRecord:
    """The domain record of a row."""
    return CreditRecord(
        id=row.id, enterprise_uscc=row.enterprise_uscc, kind=RecordKind(row.kind),
        occurred_on=row.occurred_on, source=row.source, source_ref=row.source_ref,
        summary=row.summary, details=dict(row.details or {}), recorded_at=row.recorded_at,
    )  # fmt: skip
