"""Case persistence: cases, their alerts, timeline and tasks, rule suppressions, and the
records (attachments, comments).

A case's SLA clock is stored as columns (``sla_limit``, ``sla_started_at``, ``sla_pauses`` as
JSON pairs of ISO instants, ``sla_stopped_at``) plus ``sla_due_at``, the clock's deadline
without the open pause: never later than the real deadline, so ``sla_due_at <= now`` finds
every breached case (and a few paused ones the service then drops).

``open_key`` is ``<USCC>|<scenario>`` while a case is open and NULL once it is closed; it is
unique, so two open cases for one enterprise and scenario cannot exist even under races.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from lingang.cases.model import OPEN_STATES, CaseState, TaskKind, TaskStatus
from lingang.db import Base, UtcDateTime
from lingang.workdays import SlaClock, WorkCalendar, pauses_from_json

BigId = BigInteger().with_variant(Integer(), "sqlite")
OPEN_VALUES = sorted(state.value for state in OPEN_STATES)


class CaseRow(Base):
    """One case: an enterprise, a scenario, where it is in its life, and its SLA clock."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), index=True)
    scenario: Mapped[str] = mapped_column(String(64))
    open_key: Mapped[str | None] = mapped_column(String(90), unique=True)
    state: Mapped[str] = mapped_column(String(24), index=True)
    department: Mapped[str] = mapped_column(String(80), index=True)
    assignee: Mapped[str | None] = mapped_column(String(120), index=True)
    outcome: Mapped[str | None] = mapped_column(String(24))
    disposal: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    closure_requested_by: Mapped[str | None] = mapped_column(String(120))
    closure_approved_by: Mapped[str | None] = mapped_column(String(120))
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    sla_limit: Mapped[int] = mapped_column(Integer)
    sla_started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sla_pauses: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sla_stopped_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sla_due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class RuleSuppressionRow(Base):
    """A rule silenced for one enterprise up to and including a day, with the reason."""

    __tablename__ = "case_rule_suppressions"
    __table_args__ = (Index("ix_case_rule_suppressions_rule", "rule_id", "enterprise_uscc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    enterprise_uscc: Mapped[str] = mapped_column(String(18))
    until: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CaseAlertRow(Base):
    """One alert as received: unique per source and reference (the assessment id)."""

    __tablename__ = "case_alerts"
    __table_args__ = (UniqueConstraint("source", "reference", name="uq_case_alerts_reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(80))
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    scenario: Mapped[str] = mapped_column(String(64))
    rules: Mapped[list[Any]] = mapped_column(JSON, default=list)
    risk_outcome: Mapped[str | None] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float)
    rule_set_version: Mapped[int | None] = mapped_column(Integer)
    dataset: Mapped[str | None] = mapped_column(String(32))
    record_key: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(String(2000), default="")
    raised_by: Mapped[str] = mapped_column(String(120))
    raised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    disposition: Mapped[str] = mapped_column(String(16))
    suppression_id: Mapped[int | None] = mapped_column(ForeignKey("case_rule_suppressions.id"))
    label: Mapped[str | None] = mapped_column(String(24))
    labelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class CaseTimelineRow(Base):
    """One entry of a case's timeline (each also has an audit record)."""

    __tablename__ = "case_timeline"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(1000), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseTaskRow(Base):
    """A verification task of a case: who does it, by when, and what came of it."""

    __tablename__ = "case_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(120))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    to_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(120))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


def open_key(enterprise_uscc: str, scenario: str) -> str:
    """The grouping key of the one open case per enterprise and scenario."""
    return f"{enterprise_uscc}|{scenario}"


def case_for_update(session: Session, case_id: int) -> CaseRow | None:
    """A case row, locked for the rest of the transaction on PostgreSQL."""
    return session.scalar(select(CaseRow).where(CaseRow.id == case_id).with_for_update())


def open_case(session: Session, key: str) -> CaseRow | None:
    """The open case with this grouping key, locked for update."""
    return session.scalar(select(CaseRow).where(CaseRow.open_key == key).with_for_update())


def alert_by_reference(session: Session, source: str, reference: str) -> CaseAlertRow | None:
    """The alert already received from ``source`` under ``reference``."""
    return session.scalar(
        select(CaseAlertRow).where(
            CaseAlertRow.source == source, CaseAlertRow.reference == reference
        )
    )


def active_suppressions(
    session: Session, rules: list[str], enterprise_uscc: str, day: dt.date
) -> dict[str, RuleSuppressionRow]:
    """For each of ``rules`` suppressed for the enterprise on ``day``, one suppression."""
    statement = (
        select(RuleSuppressionRow)
        .where(
            RuleSuppressionRow.rule_id.in_(rules),
            RuleSuppressionRow.enterprise_uscc == enterprise_uscc,
            RuleSuppressionRow.until >= day,
        )
        .order_by(RuleSuppressionRow.until.desc(), RuleSuppressionRow.id)
    )
    found: dict[str, RuleSuppressionRow] = {}
    for row in session.scalars(statement):
        found.setdefault(row.rule_id, row)
    return found


def suppressions(session: Session, active_on: dt.date | None) -> list[RuleSuppressionRow]:
    """Suppressions, newest first; only those still in force on ``active_on`` if given."""
    statement = select(RuleSuppressionRow).order_by(RuleSuppressionRow.id.desc())
    if active_on is not None:
        statement = statement.where(RuleSuppressionRow.until >= active_on)
    return list(session.scalars(statement))


def alerts_of(session: Session, case_id: int) -> list[CaseAlertRow]:
    """A case's alerts, oldest first."""
    statement = select(CaseAlertRow).where(CaseAlertRow.case_id == case_id)
    return list(session.scalars(statement.order_by(CaseAlertRow.id)))


def timeline_of(session: Session, case_id: int) -> list[CaseTimelineRow]:
    """A case's timeline, oldest first."""
    statement = select(CaseTimelineRow).where(CaseTimelineRow.case_id == case_id)
    return list(session.scalars(statement.order_by(CaseTimelineRow.id)))


def tasks_of(session: Session, case_id: int) -> list[CaseTaskRow]:
    """A case's tasks, oldest first."""
    statement = select(CaseTaskRow).where(CaseTaskRow.case_id == case_id)
    return list(session.scalars(statement.order_by(CaseTaskRow.id)))


def open_tasks(session: Session, case_id: int) -> list[CaseTaskRow]:
    """A case's tasks still open (they block closing)."""
    return [row for row in tasks_of(session, case_id) if row.status == TaskStatus.OPEN.value]


def workload(session: Session, department: str) -> dict[str, int]:
    """Open cases per assignee in a department."""
    statement = (
        select(CaseRow.assignee, func.count())
        .where(
            CaseRow.department == department,
            CaseRow.state.in_(OPEN_VALUES),
            CaseRow.assignee.is_not(None),
        )
        .group_by(CaseRow.assignee)
    )
    return {str(name): int(count) for name, count in session.execute(statement)}


def cases_query(
    *, department: str | None, state: CaseState | None, due_by: dt.datetime | None = None
) -> Select[CaseRow]:
    """Cases of a department (all when None), in ``state`` (open ones when None), due by
    ``due_by`` if given, earliest deadline first."""
    statement = select(CaseRow)
    if department is not None:
        statement = statement.where(CaseRow.department == department)
    if state is None:
        statement = statement.where(CaseRow.state.in_(OPEN_VALUES))
    else:
        statement = statement.where(CaseRow.state == state.value)
    if due_by is not None:
        statement = statement.where(CaseRow.sla_due_at <= due_by)
    return statement.order_by(CaseRow.sla_due_at, CaseRow.id)


# --- records: attachments and comments (migration 0007, cases/records.py) -----------------


class CaseAttachmentRow(Base):
    """One upload to a case: the file lives once on disk under its SHA-256; this row says who
    attached it to which case (and, for an enterprise's answer, to which request)."""

    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("case_tasks.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CaseCommentRow(Base):
    """A comment on a case (1–2000 characters)."""

    __tablename__ = "case_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    text: Mapped[str] = mapped_column(String(2000))


def attachments_of(session: Session, case_id: int) -> list[CaseAttachmentRow]:
    """A case's attachments, oldest first."""
    statement = select(CaseAttachmentRow).where(CaseAttachmentRow.case_id == case_id)
    return list(session.scalars(statement.order_by(CaseAttachmentRow.id)))


def attachments_by_sha(session: Session, sha256: str) -> list[CaseAttachmentRow]:
    """Every upload of the content with this SHA-256, oldest first."""
    statement = select(CaseAttachmentRow).where(CaseAttachmentRow.sha256 == sha256)
    return list(session.scalars(statement.order_by(CaseAttachmentRow.id)))


def comments_of(session: Session, case_id: int) -> list[CaseCommentRow]:
    """A case's comments, oldest first."""
    statement = select(CaseCommentRow).where(CaseCommentRow.case_id == case_id)
    return list(session.scalars(statement.order_by(CaseCommentRow.id)))


def enterprise_requests(
    session: Session, enterprise_uscc: str, task_id: int | None = None
) -> list[tuple[CaseTaskRow, CaseRow]]:
    """Information requests addressed to the enterprise (one, if ``task_id``), oldest first."""
    statement = (
        select(CaseTaskRow, CaseRow)
        .join(CaseRow, CaseRow.id == CaseTaskRow.case_id)
        .where(
            CaseRow.enterprise_uscc == enterprise_uscc,
            CaseTaskRow.kind == TaskKind.INFORMATION_REQUEST.value,
            CaseTaskRow.to_enterprise.is_(True),
        )
        .order_by(CaseTaskRow.id)
    )
    if task_id is not None:
        statement = statement.where(CaseTaskRow.id == task_id)
    return [(task, case) for task, case in session.execute(statement)]


def read_clock(row: CaseRow, calendar: WorkCalendar) -> SlaClock:
    """The SLA clock a case row stores (``sla_*`` columns)."""
    pauses = pauses_from_json(row.sla_pauses)
    return SlaClock(row.sla_limit, row.sla_started_at, pauses, row.sla_stopped_at,
                    calendar=calendar)  # fmt: skip
