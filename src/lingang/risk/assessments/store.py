"""Assessment persistence: every online verdict with what it was based on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, Index, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime


class AssessmentRow(Base):
    """One event scored by a published rule set (and, in a shadow run, by the candidate)."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        Index("ix_risk_assessments_assessed_at", "assessed_at"),
        Index("ix_risk_assessments_enterprise", "enterprise_uscc", "assessed_at"),
        Index("ix_risk_assessments_outcome", "outcome", "assessed_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(32))
    record_key: Mapped[str] = mapped_column(String(80))
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18))
    event_day: Mapped[dt.date] = mapped_column(Date)
    assessed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(String(16))
    rule_set_version: Mapped[int] = mapped_column(Integer)
    scorer_version: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(8))
    top_scenario: Mapped[str | None] = mapped_column(String(64))
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    scenarios: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    features: Mapped[dict[str, Any]] = mapped_column(JSON)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    shadow_version: Mapped[int | None] = mapped_column(Integer)
    shadow_score: Mapped[float | None] = mapped_column(Float)
    shadow_outcome: Mapped[str | None] = mapped_column(String(8))
    shadow_rules: Mapped[list[str] | None] = mapped_column(JSON)


def recent(session: Session, *, limit: int, outcome: str | None = None,
           enterprise: str | None = None, since: dt.datetime | None = None
           ) -> list[AssessmentRow]:  # fmt: skip
    """The newest assessments first, optionally of one outcome, enterprise, or after a time."""
    statement = select(AssessmentRow)
    if outcome is not None:
        statement = statement.where(AssessmentRow.outcome == outcome)
    if enterprise is not None:
        statement = statement.where(AssessmentRow.enterprise_uscc == enterprise)
    if since is not None:
        statement = statement.where(AssessmentRow.assessed_at > since)
    statement = statement.order_by(AssessmentRow.assessed_at.desc(), AssessmentRow.id)
    return list(session.scalars(statement.limit(limit)))


def outcome_counts(session: Session, since: dt.datetime | None) -> dict[str, int]:
    """How many assessments of each outcome (since a time)."""
    statement = select(AssessmentRow.outcome, func.count()).group_by(AssessmentRow.outcome)
    if since is not None:
        statement = statement.where(AssessmentRow.assessed_at >= since)
    return {str(o): int(n) for o, n in session.execute(statement)}


def shadow_rows(session: Session, version: int, limit: int) -> list[AssessmentRow]:
    """Assessments also scored by shadow ``version``, newest first."""
    statement = (
        select(AssessmentRow).where(AssessmentRow.shadow_version == version)
        .order_by(AssessmentRow.assessed_at.desc()).limit(limit)
    )  # fmt: skip
    return list(session.scalars(statement))
