"""Permit persistence: applications with their current state's SLA clock, their timeline,
materials (files by SHA-256 on disk), e-licences, post-issue verification tasks and the
notices sent about licences (renewal reminders).

The clock of the current state is stored like a case's (``sla_*`` columns, pauses as JSON
pairs of ISO instants); ``sla_due_at`` is the deadline without the open pause, so
``sla_due_at <= now`` finds every breached application (and a few paused ones, dropped).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.db import Base, UtcDateTime
from lingang.workdays import SlaClock, WorkCalendar, pauses_from_json, pauses_to_json

BigId = BigInteger().with_variant(Integer(), "sqlite")


class PermitApplicationRow(Base):
    """One application for a service item: who, where it is, and its state's SLA clock."""

    __tablename__ = "permit_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(64), index=True)
    catalogue_version: Mapped[str] = mapped_column(String(16))
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    applicant: Mapped[str] = mapped_column(String(120))
    lane: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32), index=True)
    department: Mapped[str] = mapped_column(String(80), index=True)
    commitment: Mapped[str | None] = mapped_column(String(2000))
    missing: Mapped[list[Any]] = mapped_column(JSON, default=list)
    correction_count: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    receipt_no: Mapped[str | None] = mapped_column(String(40))
    receipt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    deemed_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    extended_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    decision_reason: Mapped[str | None] = mapped_column(String(2000))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sla_limit: Mapped[int | None] = mapped_column(Integer)
    sla_started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sla_pauses: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sla_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class PermitEventRow(Base):
    """One step of an application (each also has an audit record)."""

    __tablename__ = "permit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("permit_applications.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(1000), default="")


class PermitMaterialRow(Base):
    """One file submitted for a required material (content on disk under its SHA-256)."""

    __tablename__ = "permit_materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("permit_applications.id"), index=True)
    material_id: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PermitLicenceRow(Base):
    """An e-licence (电子证照): its signed payload and whether it was revoked."""

    __tablename__ = "permit_licences"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("permit_applications.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(128))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(1000))


class PermitVerificationRow(Base):
    """A post-issue check of a 告知承诺 (承诺核查): due by a day, with its result."""

    __tablename__ = "permit_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("permit_applications.id"), index=True)
    licence_id: Mapped[str] = mapped_column(ForeignKey("permit_licences.id"))
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    department: Mapped[str] = mapped_column(String(80))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    plan_id: Mapped[str | None] = mapped_column(String(40))


class PermitNoticeRow(Base):
    """A notice to an enterprise about its licences (renewal reminders); one per kind and
    licence, so a reminder goes out once however often the sweep runs."""

    __tablename__ = "permit_notices"
    __table_args__ = (UniqueConstraint("kind", "licence_id", name="uq_permit_notice_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    licence_id: Mapped[str] = mapped_column(ForeignKey("permit_licences.id"))
    text_zh: Mapped[str] = mapped_column(String(1000))
    text_en: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


def events_of(session: Session, application_id: int) -> list[PermitEventRow]:
    """An application's steps, oldest first."""
    statement = select(PermitEventRow).where(PermitEventRow.application_id == application_id)
    return list(session.scalars(statement.order_by(PermitEventRow.id)))


def materials_of(session: Session, application_id: int) -> list[PermitMaterialRow]:
    """An application's files, oldest first."""
    statement = select(PermitMaterialRow).where(PermitMaterialRow.application_id == application_id)
    return list(session.scalars(statement.order_by(PermitMaterialRow.id)))


def licences_of(session: Session, application_id: int) -> list[PermitLicenceRow]:
    """An application's licences (one, once issued)."""
    statement = select(PermitLicenceRow).where(PermitLicenceRow.application_id == application_id)
    return list(session.scalars(statement.order_by(PermitLicenceRow.issued_at)))


def read_clock(row: PermitApplicationRow, calendar: WorkCalendar) -> SlaClock | None:
    """The clock of the application's current state (None in a final state)."""
    if row.sla_limit is None or row.sla_started_at is None:
        return None
    pauses = pauses_from_json(row.sla_pauses)
    return SlaClock(row.sla_limit, row.sla_started_at, pauses, calendar=calendar)


def save_clock(row: PermitApplicationRow, clock: SlaClock | None) -> None:
    """Store a clock (None: the application is in a final state)."""
    if clock is None:
        row.sla_limit = row.sla_started_at = row.sla_due_at = None
        row.sla_pauses = []
        return
    row.sla_limit, row.sla_started_at = clock.limit, clock.started_at
    row.sla_pauses = pauses_to_json(clock.pauses)
    row.sla_due_at = clock.due_at
