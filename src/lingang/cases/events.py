"""Events of case management: closures (the feedback into risk and credit), escalations,
reopenings."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from lingang.bus.events import Event, register_event


@register_event
class CaseClosed(Event):
    """A case closed with an outcome: its alerts are labelled with it (risk precision and
    training labels) and the enterprise's credit record hears of it."""

    name = "cases.case_closed"
    case_id: int
    enterprise_uscc: str
    scenario: str
    department: str
    outcome: str
    rules: list[str]
    assessment_ids: list[str]
    alert_count: int
    disposal: dict[str, str]
    closed_by: str
    approved_by: str | None
    reopen_count: int


@register_event
class CaseReopened(Event):
    """A closed case was reopened: the labels of its previous closing are withdrawn."""

    name = "cases.case_reopened"
    case_id: int
    enterprise_uscc: str
    scenario: str
    previous_outcome: str | None
    reason: str
    reopened_by: str


@register_event
class CaseEscalated(Event):
    """A case breached its SLA and is escalated to the supervisor of its department."""

    name = "cases.case_escalated"
    case_id: int
    enterprise_uscc: str
    scenario: str
    department: str
    assignee: str | None
    due_at: dt.datetime
    overdue_working_days: int
    #: the department's active case supervisors when it was escalated (may be empty)
    supervisors: list[str] = Field(default_factory=list)
