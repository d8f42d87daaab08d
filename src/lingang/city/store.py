"""City-event persistence: events with the current clock (``sla_*`` columns, like permits),
their timeline, and the operators' category overrides kept as training data.

``open_key`` is ``sensor_id|category`` while a sensor event is open (NULL otherwise); its
unique index keeps one open event per sensor and category (migration 0019; before it, per
sensor and rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.workdays import SlaClock, WorkCalendar, pauses_from_json, pauses_to_json

BigId = BigInteger().with_variant(Integer(), "sqlite")


class CityEventRow(Base):
    """One city event: where, what, who handles it, and the current clock."""

    __tablename__ = "city_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16), index=True)
    request_type: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(2000))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(300))
    grid_id: Mapped[str | None] = mapped_column(String(16), index=True)
    caller_name: Mapped[str | None] = mapped_column(String(120))
    caller_phone: Mapped[str | None] = mapped_column(String(40))
    reporter: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    suggestions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    duplicates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    time_limit: Mapped[str | None] = mapped_column(String(16))
    approved_by: Mapped[str | None] = mapped_column(String(120))
    unit: Mapped[str | None] = mapped_column(String(80), index=True)
    designated: Mapped[bool] = mapped_column(Boolean, default=False)
    dispatch_reason: Mapped[str | None] = mapped_column(String(500))
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    filed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    handled_on_time: Mapped[bool | None] = mapped_column(Boolean)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    sla_limit: Mapped[int | None] = mapped_column(Integer)
    sla_started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sla_pauses: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sla_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sensor_id: Mapped[str | None] = mapped_column(String(64))
    rule_id: Mapped[str | None] = mapped_column(String(64))
    open_key: Mapped[str | None] = mapped_column(String(140), unique=True)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    last_value: Mapped[float | None] = mapped_column(Float)
    last_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    severity: Mapped[str | None] = mapped_column(String(16))


class CityStepRow(Base):
    """One step of an event's timeline (each also has an audit record)."""

    __tablename__ = "city_event_steps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("city_events.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(1000), default="")


class CityTrainingRow(Base):
    """An operator's category for a ticket text that the classifier did not rank first:
    training data for the next model."""

    __tablename__ = "city_training_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("city_events.id"), index=True)
    text: Mapped[str] = mapped_column(String(2000))
    category: Mapped[str] = mapped_column(String(32))
    suggested: Mapped[str | None] = mapped_column(String(32))
    operator: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


def steps_of(session: Session, event_id: int) -> list[CityStepRow]:
    """An event's timeline, oldest first."""
    statement = select(CityStepRow).where(CityStepRow.event_id == event_id)
    return list(session.scalars(statement.order_by(CityStepRow.id)))


def training_examples(session: Session) -> list[CityTrainingRow]:
    """Every stored override, oldest first."""
    return list(session.scalars(select(CityTrainingRow).order_by(CityTrainingRow.id)))


def read_clock(row: CityEventRow, calendar: WorkCalendar) -> SlaClock | None:
    """The event's current clock (None when none runs)."""
    if row.sla_limit is None or row.sla_started_at is None:
        return None
    pauses = pauses_from_json(row.sla_pauses)
    return SlaClock(row.sla_limit, row.sla_started_at, pauses, calendar=calendar)


def save_clock(row: CityEventRow, clock: SlaClock | None) -> None:
    """Store a clock (None: no clock runs); a new clock clears the escalation mark."""
    row.escalated_at = None
    if clock is None:
        row.sla_limit = row.sla_started_at = row.sla_due_at = None
        row.sla_pauses = []
        return
    row.sla_limit, row.sla_started_at = clock.limit, clock.started_at
    row.sla_pauses = pauses_to_json(clock.pauses)
    row.sla_due_at = clock.due_at
