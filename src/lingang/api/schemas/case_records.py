"""Wire schemas of a case's record (attachments, comments, the enterprise's requests), the
feedback report (反馈闭环) and the case dashboard. Rules in docs/cases.md."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lingang.api.schemas.cases import LabelPublic
from lingang.cases.dashboards import Dashboard
from lingang.cases.feedback import PrecisionReport, ThresholdSuggestion
from lingang.cases.model import TASK_STATUS_LABELS
from lingang.cases.records import Attachment, Comment, EnterpriseRequest

# --- requests -------------------------------------------------------------------------------


class CommentRequest(BaseModel):
    """A comment on an open case."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=2000, examples=["已电话联系企业，周五前补交原产地证明"])


# --- record ---------------------------------------------------------------------------------


class AttachmentPublic(BaseModel):
    """One upload; its content is ``GET /api/cases/attachments/{id}``."""

    id: int
    case_id: int
    task_id: int | None = Field(description="the information request it answers, if any")
    sha256: str
    name: str
    media_type: str = Field(examples=["image/png"], description="read from the content")
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime


def attachment_public(meta: Attachment) -> AttachmentPublic:
    """The wire form of an attachment's metadata."""
    return AttachmentPublic(**_fields(meta))


class CommentPublic(BaseModel):
    """A comment on a case."""

    id: int
    case_id: int
    author: str
    at: dt.datetime
    text: str


def comment_public(comment: Comment) -> CommentPublic:
    """The wire form of a comment."""
    return CommentPublic(**_fields(comment))


class EnterpriseRequestPublic(BaseModel):
    """An information request as the enterprise it is addressed to sees it."""

    id: int
    case_id: int
    title: str
    due_on: dt.date | None
    status: str = Field(examples=["open"])
    status_label: LabelPublic
    asked_at: dt.datetime
    answer: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    attachments: list[AttachmentPublic]


def request_public(request: EnterpriseRequest) -> EnterpriseRequestPublic:
    """The wire form of an enterprise's request."""
    zh, en = TASK_STATUS_LABELS[request.status]
    return EnterpriseRequestPublic(
        id=request.id, case_id=request.case_id, title=request.title, due_on=request.due_on,
        status=request.status.value, status_label=LabelPublic(zh=zh, en=en),
        asked_at=request.asked_at, answer=request.answer, answered_by=request.answered_by,
        answered_at=request.answered_at,
        attachments=[attachment_public(a) for a in request.attachments],
    )  # fmt: skip


# --- feedback -------------------------------------------------------------------------------


class PrecisionPublic(BaseModel):
    """Alert counts and precision = confirmed / (confirmed + false positives), with its Wilson
    95 % interval (null while nothing is labelled 0/1)."""

    alerts: int
    labelled: int
    confirmed: int
    false_positives: int
    inconclusive: int
    referred: int
    precision: float | None
    low: float | None
    high: float | None


class PrecisionRowPublic(BaseModel):
    """One rule or scenario, overall and per period (``2026-02``, ``2026-W07``)."""

    key: str
    overall: PrecisionPublic
    periods: dict[str, PrecisionPublic]


class PrecisionReportPublic(BaseModel):
    """Precision per rule or scenario, per week or month."""

    by: Literal["rule", "scenario"]
    period: Literal["week", "month"]
    since: dt.date | None
    until: dt.date | None
    rows: list[PrecisionRowPublic]


def precision_public(report: PrecisionReport) -> PrecisionReportPublic:
    """The wire form of a precision report."""
    return PrecisionReportPublic.model_validate(dataclasses.asdict(report))


class ThresholdSuggestionPublic(BaseModel):
    """A review threshold suggested for a scenario from its labelled alerts."""

    scenario: str
    status: Literal["suggested", "not_enough_labels", "target_not_reached"]
    labelled: int
    confirmed: int
    precision_now: float | None
    target: float
    min_labels: int
    threshold: float | None
    kept: int | None
    kept_confirmed: int | None
    precision: float | None
    recall: float | None
    note: str


def suggestion_public(found: ThresholdSuggestion) -> ThresholdSuggestionPublic:
    """The wire form of a threshold suggestion."""
    return ThresholdSuggestionPublic.model_validate(dataclasses.asdict(found))


# --- dashboard ------------------------------------------------------------------------------


class DepartmentAgesPublic(BaseModel):
    """Open cases of a department by age in working days (buckets ``0–2`` … ``>15``)."""

    department: str
    buckets: dict[str, int]
    total: int


class BreachPublic(BaseModel):
    """A case past its SLA deadline (open, or closed late)."""

    case_id: int
    department: str
    enterprise_uscc: str
    scenario: str
    assignee: str | None
    due_at: dt.datetime
    overdue_working_days: int
    closed_at: dt.datetime | None


class SlaBreachesPublic(BaseModel):
    """Open overdue cases and cases closed late, each counted per department."""

    open_overdue: list[BreachPublic]
    closed_late: list[BreachPublic]
    by_department: dict[str, dict[str, int]]


class TimeToClosePublic(BaseModel):
    """Working days from opening to closing (``department`` null: all the reader sees)."""

    department: str | None
    closed: int
    median: float | None
    p90: int | None
    max: int | None


class RuleRatePublic(BaseModel):
    """Confirmed share of a rule's labelled alerts (every outcome in the denominator)."""

    rule: str
    labelled: int
    confirmed: int
    false_positives: int
    other: int
    rate: float | None


class DashboardPublic(BaseModel):
    """Every panel of the case dashboard at one reading."""

    as_of: dt.datetime
    department: str | None = Field(description="the reader's department; null: every one")
    open_by_age: list[DepartmentAgesPublic]
    breaches: SlaBreachesPublic
    time_to_close: list[TimeToClosePublic]
    confirmed_by_rule: list[RuleRatePublic]


def dashboard_public(board: Dashboard) -> DashboardPublic:
    """The wire form of the dashboard."""
    return DashboardPublic.model_validate(dataclasses.asdict(board))


def _fields(value: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
