"""Case dashboards (案件看板): open cases by age and department, SLA breaches, time to close,
and the confirmed rate by rule — all in Chinese working days.

Read-only over the case tables. Who sees what follows :mod:`lingang.cases.service`: case
officers only their own department's numbers (none without a department), admins and
auditors all. Formulas in docs/cases.md ("Dashboards").
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from lingang.auth.model import Permission, can
from lingang.cases.access import department_scope
from lingang.cases.model import OPEN_STATES, AlertSource, CaseState, Outcome
from lingang.cases.store import CaseAlertRow, CaseRow, read_clock
from lingang.db import UnitOfWorkFactory
from lingang.errors import Forbidden, Invalid
from lingang.types import Actor, utcnow
from lingang.workdays import SHANGHAI, SlaClock, WorkCalendar, default_calendar

#: upper bounds (working days, included) of the age buckets; the last bucket is open
AGE_BOUNDS: tuple[int, ...] = (2, 5, 10, 15)


@dataclass(frozen=True, slots=True)
class DepartmentAges:
    """Open cases of one department by age bucket (every bucket present, oldest last)."""

    department: str
    buckets: dict[str, int]
    total: int


@dataclass(frozen=True, slots=True)
class Breach:
    """A case past its SLA: open and overdue at the reading, or closed after its deadline."""

    case_id: int
    department: str
    enterprise_uscc: str
    scenario: str
    assignee: str | None
    due_at: dt.datetime
    overdue_working_days: int
    closed_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class SlaBreaches:
    """Open overdue cases (most overdue first), cases closed late (newest first), and both
    counted per department."""

    open_overdue: list[Breach]
    closed_late: list[Breach]
    by_department: dict[str, dict[str, int]]


@dataclass(frozen=True, slots=True)
class TimeToClose:
    """Working days from opening to closing of the closed cases of a department (``None``:
    every department the reader sees)."""

    department: str | None
    closed: int
    median: float | None
    p90: int | None
    max: int | None


@dataclass(frozen=True, slots=True)
class RuleRate:
    """Alerts of closed cases that fired a rule, and the share confirmed as violations."""

    rule: str
    labelled: int
    confirmed: int
    false_positives: int
    other: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Every panel at one reading."""

    as_of: dt.datetime
    department: str | None
    open_by_age: list[DepartmentAges]
    breaches: SlaBreaches
    time_to_close: list[TimeToClose]
    confirmed_by_rule: list[RuleRate]


class CaseDashboards:
    """Numbers for the case dashboards, within the reader's reach (``cases.view``)."""

    def __init__(
        self, uow: UnitOfWorkFactory, *, calendar: WorkCalendar | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:  # fmt: skip
        self._uow = uow
        self._calendar = calendar or default_calendar()
        self._now = clock

    def overview(self, now: dt.datetime | None = None, *, actor: Actor,
                 since: dt.date | None = None) -> Dashboard:  # fmt: skip
        """All panels at ``now`` (the service's clock when left out); ``since`` limits time
        to close and the confirmed rate to cases closed on or after that day."""
        at = now or self._now()
        return Dashboard(
            as_of=at, department=department_scope(actor),
            open_by_age=self.open_by_age(at, actor=actor),
            breaches=self.sla_breaches(at, actor=actor),
            time_to_close=self.time_to_close(actor=actor, since=since),
            confirmed_by_rule=self.confirmed_rate_by_rule(actor=actor, since=since),
        )  # fmt: skip

    def open_by_age(
        self, now: dt.datetime | None = None, *, actor: Actor,
        bounds: Sequence[int] = AGE_BOUNDS,
    ) -> list[DepartmentAges]:  # fmt: skip
        """Open cases per department by age: working days from the working day the case
        opened to the working day of ``now`` (0 on the day it opened)."""
        edges = _bounds(bounds)
        at = now or self._now()
        labels = bucket_labels(edges)
        counts: dict[str, dict[str, int]] = {}
        for row in self._cases(actor, open_only=True):
            age = self.working_days(row.opened_at, max(at, row.opened_at))
            department = counts.setdefault(row.department, dict.fromkeys(labels, 0))
            department[labels[_bucket(age, edges)]] += 1
        return [
            DepartmentAges(department=name, buckets=counts[name], total=sum(counts[name].values()))
            for name in sorted(counts)
        ]

    def sla_breaches(self, now: dt.datetime | None = None, *, actor: Actor) -> SlaBreaches:
        """Open cases breached at ``now`` (overdue even while paused) and closed cases whose
        clock stopped after their deadline (``remaining_working_days`` < 0 at the stop)."""
        at = now or self._now()
        open_overdue: list[Breach] = []
        closed_late: list[Breach] = []
        for row in self._cases(actor, open_only=False):
            clock = self._clock(row)
            if row.state == CaseState.CLOSED.value:
                stop = clock.stopped_at or row.closed_at
                if stop is None:
                    continue
                late = -clock.remaining_working_days(stop)
                if late > 0:
                    closed_late.append(_breach(row, clock.due_at_as_of(stop), late))
                continue
            reading = max(at, clock.started_at)
            late = -clock.remaining_working_days(reading)
            if late > 0:
                open_overdue.append(_breach(row, clock.due_at_as_of(reading), late))
        open_overdue.sort(key=lambda b: (-b.overdue_working_days, b.case_id))
        closed_late.sort(key=lambda b: (b.closed_at or at, b.case_id), reverse=True)
        by_department: dict[str, dict[str, int]] = {}
        for kind, found in (("open_overdue", open_overdue), ("closed_late", closed_late)):
            for breach in found:
                tally = by_department.setdefault(breach.department,
                                                 {"open_overdue": 0, "closed_late": 0})  # fmt: skip
                tally[kind] += 1
        return SlaBreaches(open_overdue=open_overdue, closed_late=closed_late,
                           by_department=dict(sorted(by_department.items())))  # fmt: skip

    def time_to_close(self, *, actor: Actor, since: dt.date | None = None) -> list[TimeToClose]:
        """Per department, then overall (``department=None``): closed cases, and the median,
        90th percentile (nearest rank) and maximum of their working days to close."""
        per: dict[str, list[int]] = {}
        for row in self._cases(actor, open_only=False, closed_since=since):
            if row.state != CaseState.CLOSED.value or row.closed_at is None:
                continue
            per.setdefault(row.department, []).append(
                self.working_days(row.opened_at, row.closed_at)
            )
        rows = [_summary(name, per[name]) for name in sorted(per)]
        rows.append(_summary(None, [days for values in per.values() for days in values]))
        return rows

    def confirmed_rate_by_rule(
        self, *, actor: Actor, since: dt.date | None = None
    ) -> list[RuleRate]:
        """Per rule, over the risk alerts of closed cases: confirmed / labelled (every
        outcome in the denominator; precision without inconclusive and referred is in
        :class:`~lingang.cases.feedback.FeedbackService`)."""
        _require(actor)
        scope = department_scope(actor)
        if scope == "":
            return []
        statement = (
            select(CaseAlertRow.rules, CaseAlertRow.label)
            .join(CaseRow, CaseRow.id == CaseAlertRow.case_id)
            .where(CaseAlertRow.source == AlertSource.RISK.value,
                   CaseAlertRow.label.is_not(None))
        )  # fmt: skip
        if scope is not None:
            statement = statement.where(CaseRow.department == scope)
        if since is not None:
            statement = statement.where(CaseRow.closed_at >= _start_of(since))
        tally: dict[str, dict[str, int]] = {}
        with self._uow.read() as session:
            for rules, label in session.execute(statement):
                for rule in dict.fromkeys(str(r) for r in rules):
                    counts = tally.setdefault(rule, {"labelled": 0, "confirmed": 0, "fp": 0})
                    counts["labelled"] += 1
                    counts["confirmed"] += label == Outcome.CONFIRMED_VIOLATION.value
                    counts["fp"] += label == Outcome.FALSE_POSITIVE.value
        return [
            RuleRate(
                rule=rule,
                labelled=c["labelled"],
                confirmed=c["confirmed"],
                false_positives=c["fp"],
                other=c["labelled"] - c["confirmed"] - c["fp"],
                rate=round(c["confirmed"] / c["labelled"], 6),
            )
            for rule, c in sorted(tally.items())
        ]

    def working_days(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working days from ``start``'s working day to ``end``'s (Asia/Shanghai, 17:00
        cut-off as the SLA clock counts them)."""
        day_of = self._calendar.working_day_of
        return self._calendar.working_days_between(day_of(start), day_of(end))

    # --- helpers ---------------------------------------------------------------------------

    def _cases(
        self, actor: Actor, *, open_only: bool, closed_since: dt.date | None = None
    ) -> list[CaseRow]:
        _require(actor)
        scope = department_scope(actor)
        if scope == "":
            return []
        statement = select(CaseRow).order_by(CaseRow.id)
        if scope is not None:
            statement = statement.where(CaseRow.department == scope)
        if open_only:
            statement = statement.where(CaseRow.state.in_(sorted(s.value for s in OPEN_STATES)))
        if closed_since is not None:
            statement = statement.where(CaseRow.closed_at >= _start_of(closed_since))
        with self._uow.read() as session:
            rows = list(session.scalars(statement))
            session.expunge_all()
        return rows

    def _clock(self, row: CaseRow) -> SlaClock:
        return read_clock(row, self._calendar)


def bucket_labels(bounds: Sequence[int]) -> list[str]:
    """``0–2``, ``3–5``, …, ``>15`` for bounds (2, 5, 10, 15)."""
    labels, low = [], 0
    for high in bounds:
        labels.append(f"{low}–{high}")
        low = high + 1
    labels.append(f">{bounds[-1]}")
    return labels


def percentile(values: Sequence[int], share: float) -> int:
    """Nearest rank: the ``ceil(share · n)``-th smallest value."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered) - 1e-9)) - 1]


def _summary(department: str | None, days: list[int]) -> TimeToClose:
    if not days:
        return TimeToClose(department=department, closed=0, median=None, p90=None, max=None)
    return TimeToClose(department=department, closed=len(days),
                       median=float(statistics.median(days)), p90=percentile(days, 0.9),
                       max=max(days))  # fmt: skip


def _bounds(bounds: Sequence[int]) -> tuple[int, ...]:
    edges = tuple(bounds)
    if not edges or any(isinstance(b, bool) or not isinstance(b, int) or b < 0 for b in edges):
        raise Invalid("bounds", "whole working days ≥ 0, at least one")
    if list(edges) != sorted(set(edges)):
        raise Invalid("bounds", "must be strictly increasing")
    return edges


def _bucket(age: int, edges: Sequence[int]) -> int:
    for index, high in enumerate(edges):
        if age <= high:
            return index
    return len(edges)


def _breach(row: CaseRow, due_at: dt.datetime, late: int) -> Breach:
    return Breach(case_id=row.id, department=row.department,
                  enterprise_uscc=row.enterprise_uscc, scenario=row.scenario,
                  assignee=row.assignee, due_at=due_at, overdue_working_days=late,
                  closed_at=row.closed_at)  # fmt: skip


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)


def _require(actor: Actor) -> None:
    if not can(actor.role, Permission.VIEW_CASES):
        raise Forbidden(f"role {actor.role.value} may not {Permission.VIEW_CASES.value}")


