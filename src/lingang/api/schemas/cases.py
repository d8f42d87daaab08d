"""Wire schemas of case management (核查处置): cases, alerts, tasks, timeline, suppressions.

States, outcomes, SLA statuses and task kinds travel as their codes with a ``*_label``
holding the zh-CN and English names, so a client shows people words, not codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lingang.cases.model import (
    TASK_KIND_LABELS,
    TASK_STATUS_LABELS,
    CaseState,
    Outcome,
    TaskKind,
    allowed,
    timeline_label,
)
from lingang.cases.service import Alert, Case, CaseDetail, Suppression, Task, TimelineEntry
from lingang.types import utcnow

# --- responses ------------------------------------------------------------------------------


class LabelPublic(BaseModel):
    """A code's name for people."""

    zh: str = Field(examples=["核查中"])
    en: str = Field(examples=["Investigating"])


def _label(pair: tuple[str, str]) -> LabelPublic:
    return LabelPublic(zh=pair[0], en=pair[1])


class SlaPublic(BaseModel):
    """The case's SLA clock in Chinese working days, read when the answer was made."""

    limit_working_days: int
    status: str = Field(examples=["on_track"])
    status_label: LabelPublic
    started_at: dt.datetime
    due_at: dt.datetime
    remaining_working_days: int = Field(description="0 on the due day, negative once overdue")
    paused: bool
    pauses: list[tuple[dt.datetime, dt.datetime | None]]
    stopped_at: dt.datetime | None


class DisposalPublic(BaseModel):
    """The disposal record of a closing; amounts are RMB as decimal strings."""

    penalty_rmb: str = Field(examples=["12000.50"])
    duty_recovered_rmb: str = Field(examples=["3400.00"])
    goods_seized: str


class CasePublic(BaseModel):
    """A case with its SLA reading."""

    id: int
    enterprise_uscc: str
    scenario: str
    state: str = Field(examples=["investigating"])
    state_label: LabelPublic
    allowed_moves: list[str] = Field(description="states the lifecycle allows next")
    department: str
    assignee: str | None
    outcome: str | None
    outcome_label: LabelPublic | None
    disposal: DisposalPublic | None
    closure_requested_by: str | None
    closure_approved_by: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    reopen_count: int
    escalated_at: dt.datetime | None
    sla: SlaPublic


def case_public(case: Case) -> CasePublic:
    """The wire form of a case."""
    clock = case.sla
    now = max(utcnow(), clock.started_at)
    return CasePublic(
        id=case.id, enterprise_uscc=case.enterprise_uscc, scenario=case.scenario,
        state=case.state.value, state_label=_state_label(case.state),
        allowed_moves=[s.value for s in allowed(case.state)], department=case.department,
        assignee=case.assignee, outcome=case.outcome.value if case.outcome else None,
        outcome_label=_outcome_label(case.outcome),
        disposal=DisposalPublic(**case.disposal.to_data()) if case.disposal else None,
        closure_requested_by=case.closure_requested_by,
        closure_approved_by=case.closure_approved_by, opened_at=case.opened_at,
        closed_at=case.closed_at, reopen_count=case.reopen_count,
        escalated_at=case.escalated_at,
        sla=SlaPublic(
            limit_working_days=clock.limit, status=case.sla_status.value,
            status_label=LabelPublic(zh=case.sla_status.label("zh-CN"),
                                     en=case.sla_status.label("en")),
            started_at=clock.started_at, due_at=case.due_at,
            remaining_working_days=clock.remaining_working_days(now),
            paused=clock.open_pause is not None, pauses=list(clock.pauses),
            stopped_at=clock.stopped_at,
        ),
    )  # fmt: skip


def _state_label(state: CaseState) -> LabelPublic:
    return LabelPublic(zh=state.label("zh-CN"), en=state.label("en"))


def _outcome_label(outcome: Outcome | None) -> LabelPublic | None:
    if outcome is None:
        return None
    return LabelPublic(zh=outcome.label("zh-CN"), en=outcome.label("en"))


class AlertPublic(BaseModel):
    """An alert: where it came from, what intake did with it, and its closing label."""

    id: int
    source: str = Field(examples=["risk"], description="risk, credit or manual")
    reference: str = Field(description="the dedupe key: assessment id, credit change, ticket")
    enterprise_uscc: str | None
    scenario: str
    rules: list[str]
    risk_outcome: str | None
    score: float | None
    text: str
    raised_by: str
    raised_at: dt.datetime
    disposition: str = Field(examples=["attached"])
    case_id: int | None
    label: str | None = Field(description="the outcome of the closing that labelled it")
    label_label: LabelPublic | None


def alert_public(alert: Alert) -> AlertPublic:
    """The wire form of an alert."""
    return AlertPublic(
        id=alert.id, source=alert.source.value, reference=alert.reference,
        enterprise_uscc=alert.enterprise_uscc, scenario=alert.scenario, rules=alert.rules,
        risk_outcome=alert.risk_outcome, score=alert.score, text=alert.text,
        raised_by=alert.raised_by, raised_at=alert.raised_at,
        disposition=alert.disposition.value, case_id=alert.case_id,
        label=alert.label.value if alert.label else None,
        label_label=_outcome_label(alert.label),
    )  # fmt: skip


class TaskPublic(BaseModel):
    """A verification task."""

    id: int
    case_id: int
    kind: str = Field(examples=["information_request"])
    kind_label: LabelPublic
    title: str
    assignee: str | None
    due_on: dt.date | None
    to_enterprise: bool
    status: str = Field(examples=["open"])
    status_label: LabelPublic
    result: str | None
    created_by: str
    created_at: dt.datetime


def task_public(task: Task) -> TaskPublic:
    """The wire form of a task."""
    return TaskPublic(
        id=task.id, case_id=task.case_id, kind=task.kind.value,
        kind_label=_label(TASK_KIND_LABELS[task.kind]), title=task.title,
        assignee=task.assignee, due_on=task.due_on, to_enterprise=task.to_enterprise,
        status=task.status.value, status_label=_label(TASK_STATUS_LABELS[task.status]),
        result=task.result, created_by=task.created_by, created_at=task.created_at,
    )  # fmt: skip


class TimelineEntryPublic(BaseModel):
    """One change of a case (each is also in the audit log)."""

    at: dt.datetime
    actor: str
    kind: str = Field(examples=["moved"])
    kind_label: str = Field(examples=["状态变更"], description="the kind's name in zh-CN")
    kind_label_en: str = Field(examples=["Moved"])
    detail: str = Field(description="what changed, in zh-CN")
    detail_en: str = Field(description="what changed, in English")
    data: dict[str, Any]


def entry_public(entry: TimelineEntry) -> TimelineEntryPublic:
    """The wire form of a timeline entry."""
    return TimelineEntryPublic(
        at=entry.at, actor=entry.actor, kind=entry.kind,
        kind_label=timeline_label(entry.kind), kind_label_en=timeline_label(entry.kind, "en"),
        detail=entry.text(), detail_en=entry.text("en"), data=entry.data,
    )  # fmt: skip


class CaseDetailPublic(BaseModel):
    """A case with its alerts, tasks and timeline (oldest first)."""

    case: CasePublic
    alerts: list[AlertPublic]
    tasks: list[TaskPublic]
    timeline: list[TimelineEntryPublic]


def detail_public(detail: CaseDetail) -> CaseDetailPublic:
    """The wire form of a case page."""
    return CaseDetailPublic(
        case=case_public(detail.case),
        alerts=[alert_public(a) for a in detail.alerts],
        tasks=[task_public(t) for t in detail.tasks],
        timeline=[entry_public(e) for e in detail.timeline],
    )


class SuppressionPublic(BaseModel):
    """A rule silenced for one enterprise up to and including ``until``."""

    id: int
    rule_id: str
    enterprise_uscc: str
    until: dt.date
    reason: str
    actor: str
    created_at: dt.datetime


def suppression_public(s: Suppression) -> SuppressionPublic:
    """The wire form of a suppression."""
    return SuppressionPublic(id=s.id, rule_id=s.rule_id, enterprise_uscc=s.enterprise_uscc,
                             until=s.until, reason=s.reason, actor=s.actor,
                             created_at=s.created_at)  # fmt: skip


# --- requests -------------------------------------------------------------------------------


class ManualAlertRequest(BaseModel):
    """A tip entered by a case officer (e.g. from the 12345 hotline)."""

    model_config = ConfigDict(extra="forbid")
    enterprise_uscc: str = Field(max_length=18, examples=["91310115MA0000001Y"])
    category: str = Field(max_length=64, examples=["undervaluation"],
                          description="the scenario the tip is grouped under")  # fmt: skip
    text: str = Field(max_length=2000, examples=["热线举报：申报价格明显偏低"])
    reference: str | None = Field(
        default=None, max_length=80, description="ticket number; a repeat is refused (409)"
    )


class MoveRequest(BaseModel):
    """Move a case to triage or investigating."""

    model_config = ConfigDict(extra="forbid")
    to: CaseState
    note: str = Field(default="", max_length=1000)


class AssignRequest(BaseModel):
    """Assign to a named case officer of the case's department, or ``auto`` by workload."""

    model_config = ConfigDict(extra="forbid")
    username: str | None = Field(default=None, max_length=64)
    auto: bool = False


class TaskRequest(BaseModel):
    """A verification task; requests for information go to the enterprise by default."""

    model_config = ConfigDict(extra="forbid")
    kind: TaskKind
    title: str = Field(max_length=200)
    assignee: str | None = Field(default=None, max_length=64)
    due_on: dt.date | None = None
    to_enterprise: bool | None = None


class TaskResultRequest(BaseModel):
    """What a task found."""

    model_config = ConfigDict(extra="forbid")
    result: str = Field(max_length=2000)


class ReasonRequest(BaseModel):
    """Why (cancelling a task, reopening a case)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=1000)


class NoteRequest(BaseModel):
    """An optional note (required to reject a closure)."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=1000)


Amount = float | int | str


class DisposalRequest(BaseModel):
    """The disposal record: RMB amounts (numbers or decimal strings, ≤ 2 places), goods."""

    model_config = ConfigDict(extra="forbid")
    penalty_rmb: Amount = Field(default=0, examples=["12000.50"])
    duty_recovered_rmb: Amount = Field(default=0, examples=[3400])
    goods_seized: str = Field(default="", examples=["电子元件 20 箱"])


class ClosureRequest(BaseModel):
    """Close with an outcome and a disposal record (a confirmed violation waits for a second
    officer)."""

    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    disposal: DisposalRequest = Field(default_factory=DisposalRequest)
    note: str = Field(default="", max_length=1000)


class SuppressionRequest(BaseModel):
    """Silence a rule for one enterprise up to and including ``until``."""

    model_config = ConfigDict(extra="forbid")
    rule_id: str = Field(max_length=64, examples=["UV01"])
    enterprise_uscc: str = Field(max_length=18)
    until: dt.date
    reason: str = Field(max_length=500)
