"""Wire schemas of assessments and rule-set versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lingang.risk.assessments.service import Assessment, ShadowReport
from lingang.risk.rulesets.service import RuleSetVersion


class AssessRequest(BaseModel):
    """One event of a lake dataset, or a batch of them (at most 1,000)."""

    model_config = ConfigDict(extra="forbid")
    dataset: str = Field(min_length=1, max_length=32, examples=["declarations"])
    record: dict[str, Any] | None = None
    records: list[dict[str, Any]] | None = Field(default=None, max_length=1000)


class AssessmentPublic(BaseModel):
    """A stored verdict with every hit, its values and reasons."""

    id: str
    dataset: str
    record_key: str
    enterprise_uscc: str | None
    event_day: dt.date
    assessed_at: dt.datetime
    source: str
    rule_set_version: int
    scorer_version: str | None
    score: float
    outcome: str
    top_scenario: str | None
    hits: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    features: dict[str, Any]
    record: dict[str, Any]
    shadow_version: int | None
    shadow_score: float | None
    shadow_outcome: str | None
    shadow_rules: list[str] | None


def assessment_public(a: Assessment) -> AssessmentPublic:
    """The wire form of an assessment."""
    fields = {f: getattr(a, f) for f in AssessmentPublic.model_fields}
    return AssessmentPublic(**(fields | {"outcome": a.outcome.value}))


class AssessmentsPublic(BaseModel):
    """A batch's verdicts, in the order given."""

    assessments: list[AssessmentPublic]


class AssessmentSummary(BaseModel):
    """A verdict without its record, features and reasons (``detail=summary``): what a
    submitting system needs to route the event; the rest is at ``GET /api/assessments/{id}``."""

    id: str
    record_key: str
    score: float
    outcome: str
    top_scenario: str | None
    rules: list[str]
    rule_set_version: int


def assessment_summary(a: Assessment) -> AssessmentSummary:
    """The summary form of an assessment."""
    return AssessmentSummary(
        id=a.id, record_key=a.record_key, score=a.score, outcome=a.outcome.value,
        top_scenario=a.top_scenario, rules=[str(h["rule"]) for h in a.hits],
        rule_set_version=a.rule_set_version,
    )  # fmt: skip


class AssessmentSummaries(BaseModel):
    """A batch's verdicts in summary form, in the order given."""

    assessments: list[AssessmentSummary]


class RuleSetVersionPublic(BaseModel):
    """A rule-set version and its state."""

    version: int
    status: str
    based_on: int | None
    sha256: str
    note: str
    author: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    published_at: dt.datetime | None
    shadow: bool
    rule_count: int
    document: dict[str, Any] | None = None


def version_public(v: RuleSetVersion, *, with_document: bool = False) -> RuleSetVersionPublic:
    """The wire form of a version (the document only when asked)."""
    return RuleSetVersionPublic(
        version=v.version, status=v.status, based_on=v.based_on, sha256=v.sha256, note=v.note,
        author=v.author, created_at=v.created_at, submitted_at=v.submitted_at,
        decided_by=v.decided_by, decided_at=v.decided_at, decision_note=v.decision_note,
        published_at=v.published_at, shadow=v.shadow, rule_count=v.rule_count,
        document=v.document.to_data() if with_document else None,
    )  # fmt: skip


class DraftRequest(BaseModel):
    """A whole rule-set document to save as a draft."""

    model_config = ConfigDict(extra="forbid")
    document: dict[str, Any]
    note: str = Field(default="", max_length=500)
    based_on: int | None = None


class DecisionRequest(BaseModel):
    """An approval or rejection, with a note (required to reject)."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=500)


class ShadowRequest(BaseModel):
    """The version to run in shadow, or null to stop."""

    model_config = ConfigDict(extra="forbid")
    version: int | None


class ShadowReportPublic(BaseModel):
    """Published vs candidate on the same live events."""

    version: int
    assessed: int
    changed_outcome: int
    transitions: dict[str, int]
    rules_only_in_shadow: dict[str, int]
    rules_only_in_published: dict[str, int]
    examples: list[dict[str, Any]]


def shadow_public(report: ShadowReport) -> ShadowReportPublic:
    """The wire form of a shadow report."""
    return ShadowReportPublic(**{f: getattr(report, f) for f in ShadowReportPublic.model_fields})
