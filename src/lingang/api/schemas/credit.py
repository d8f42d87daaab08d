"""Wire schemas of enterprise credit records. Rules in docs/credit.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lingang.api.schemas.cases import LabelPublic
from lingang.credit.effects import CreditEffects, PolicyEligibility, flag_label
from lingang.credit.grades import Distribution, StoredGrade
from lingang.credit.grading import CreditGrade, Factor
from lingang.credit.model import RECORD_KIND_LABELS, CreditRecord, RecordKind
from lingang.credit.objections import Objection
from lingang.credit.repairs import Repair, RepairStatus
from lingang.credit.rulesets import CustomsCategory, ZoneClass


class CreditRecordPublic(BaseModel):
    """One credit record of an enterprise."""

    id: int
    enterprise_uscc: str
    kind: RecordKind = Field(examples=["case_outcome"])
    kind_label: LabelPublic
    occurred_on: dt.date
    source: str = Field(examples=["cases"], description="where the record came from")
    source_ref: str = Field(examples=["42/0/case_outcome"])
    summary: str
    details: dict[str, Any]
    recorded_at: dt.datetime


class CreditRecordsPublic(BaseModel):
    """An enterprise's credit records, newest first."""

    data: list[CreditRecordPublic]
    count: int


def credit_record_public(record: CreditRecord) -> CreditRecordPublic:
    """The wire form of a credit record."""
    zh, en = RECORD_KIND_LABELS[record.kind]
    return CreditRecordPublic(
        id=record.id, enterprise_uscc=record.enterprise_uscc, kind=record.kind,
        kind_label=LabelPublic(zh=zh, en=en), occurred_on=record.occurred_on,
        source=record.source, source_ref=record.source_ref, summary=record.summary,
        details=record.details, recorded_at=record.recorded_at,
    )  # fmt: skip


# --- grades ---------------------------------------------------------------------------------


def _pair(value: CustomsCategory | ZoneClass | RepairStatus | PolicyEligibility) -> LabelPublic:
    return LabelPublic(zh=value.label(), en=value.label("en"))


class FactorPublic(BaseModel):
    """One contribution to the score: ``points`` (signed) and the numbers behind it."""

    code: str = Field(examples=["violations"])
    label: LabelPublic
    points: int
    detail: str = Field(description="zh-CN, with the numbers")
    record_ids: list[int]


class GradePublic(BaseModel):
    """An enterprise's grade on ``as_of``: customs category under the instrument in force
    that day, and the zone score 0–1000 with its class; ``base + Σ points == score``."""

    enterprise_uscc: str
    as_of: dt.date
    instrument: str = Field(examples=["GACC-282"])
    customs_category: str = Field(examples=["regular"])
    customs_category_label: LabelPublic
    dishonest_reasons: list[str]
    on_serious_list: bool
    score: int = Field(ge=0, le=1000)
    zone_class: str = Field(examples=["B"])
    zone_class_label: LabelPublic
    base: int | None = Field(default=None, description="the score before factors (live only)")
    factors: list[FactorPublic]
    ruleset_versions: dict[str, str]
    trigger: str | None = Field(default=None, description="what stored it (history only)")
    graded_at: dt.datetime | None = None


def _factor_public(factor: Factor) -> FactorPublic:
    return FactorPublic(code=factor.code, label=LabelPublic(zh=factor.label_zh, en=factor.label_en),
                        points=factor.points, detail=factor.detail,
                        record_ids=list(factor.record_ids))  # fmt: skip


def grade_public(grade: CreditGrade | StoredGrade) -> GradePublic:
    """The wire form of a live or a stored grade."""
    live = isinstance(grade, CreditGrade)
    return GradePublic(
        enterprise_uscc=grade.uscc if isinstance(grade, CreditGrade) else grade.enterprise_uscc,
        as_of=grade.as_of, instrument=grade.instrument,
        customs_category=grade.customs_category.value,
        customs_category_label=_pair(grade.customs_category),
        dishonest_reasons=list(grade.dishonest_reasons), on_serious_list=grade.on_serious_list,
        score=grade.score, zone_class=grade.zone_class.value,
        zone_class_label=_pair(grade.zone_class),
        base=grade.base if isinstance(grade, CreditGrade) else None,
        factors=[_factor_public(f) for f in grade.factors],
        ruleset_versions=dict(grade.ruleset_versions),
        trigger=None if live else getattr(grade, "trigger", None),
        graded_at=None if live else getattr(grade, "graded_at", None),
    )  # fmt: skip


class HistoryPublic(BaseModel):
    """Every stored change of an enterprise's grade, oldest first."""

    data: list[GradePublic]
    count: int


class DistributionPublic(BaseModel):
    """Current grades of the zone by class and by customs category."""

    total: int
    ungraded: int
    by_class: dict[str, int]
    by_category: dict[str, int]


def distribution_public(found: Distribution) -> DistributionPublic:
    """The wire form of the distribution."""
    return DistributionPublic(
        total=found.total, ungraded=found.ungraded,
        by_class={c.value: n for c, n in found.by_class.items()},
        by_category={c.value: n for c, n in found.by_category.items()},
    )  # fmt: skip


class RegradePublic(BaseModel):
    """What a zone-wide regrade did."""

    as_of: dt.date
    graded: int
    changed: int
    by_class: dict[str, int]


class FlagPublic(BaseModel):
    """A fast track or a restriction."""

    code: str = Field(examples=["priority_clearance"])
    label: LabelPublic


class EffectsPublic(BaseModel):
    """What the enterprise's current grade decides elsewhere in the platform."""

    enterprise_uscc: str
    as_of: dt.date
    zone_class: str
    customs_category: str
    sampling_rate: float = Field(description="share of its class drawn by a 双随机 inspection")
    sampling_weight: float = Field(description="its class's rate over the reference class's")
    commitment_approval: bool = Field(description="告知承诺 open to it")
    fast_track: list[FlagPublic]
    restrictions: list[FlagPublic]
    policy: str = Field(examples=["eligible"])
    policy_label: LabelPublic
    policy_version: str


def effects_public(found: CreditEffects) -> EffectsPublic:
    """The wire form of the effects."""

    def flags(codes: tuple[str, ...]) -> list[FlagPublic]:
        return [FlagPublic(code=c, label=LabelPublic(zh=flag_label(c), en=flag_label(c, "en")))
                for c in codes]  # fmt: skip

    return EffectsPublic(
        enterprise_uscc=found.uscc, as_of=found.as_of, zone_class=found.zone_class.value,
        customs_category=found.customs_category.value, sampling_rate=found.sampling_rate,
        sampling_weight=found.sampling_weight, commitment_approval=found.commitment_approval,
        fast_track=flags(found.fast_track), restrictions=flags(found.restrictions),
        policy=found.policy.value, policy_label=_pair(found.policy),
        policy_version=found.policy_version,
    )  # fmt: skip


class ProfileRequest(BaseModel):
    """Whether the enterprise is a customs broker (报关企业)."""

    model_config = ConfigDict(extra="forbid")
    is_broker: bool


class RecordsRequest(BaseModel):
    """Credit records to add, all or nothing (each: the fields of a record)."""

    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)


class SettlementRequest(BaseModel):
    """The day an unpaid duty or fine was paid."""

    model_config = ConfigDict(extra="forbid")
    paid_on: dt.date


# --- repairs --------------------------------------------------------------------------------


class RepairRequest(BaseModel):
    """Apply to repair one 失信 cause, with the public credit commitment (信用承诺)."""

    model_config = ConfigDict(extra="forbid")
    cause: str = Field(examples=["unpaid_duty"], max_length=40)
    statement: str = Field(max_length=2000)


class DecisionRequest(BaseModel):
    """Approve (after the publicity period) or reject (with a reason)."""

    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: str = Field(default="", max_length=2000)


class RepairPublic(BaseModel):
    """A credit-repair application."""

    id: int
    enterprise_uscc: str
    cause: str
    record_ids: list[int]
    determined_on: dt.date
    eligible_from: dt.date
    statement: str
    status: str
    status_label: LabelPublic
    applied_by: str
    applied_at: dt.datetime
    publicity_from: dt.date | None
    publicity_until: dt.date | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None


def repair_public(repair: Repair) -> RepairPublic:
    """The wire form of an application."""
    return RepairPublic(
        id=repair.id, enterprise_uscc=repair.enterprise_uscc, cause=repair.cause,
        record_ids=list(repair.record_ids), determined_on=repair.determined_on,
        eligible_from=repair.eligible_from, statement=repair.statement,
        status=repair.status.value, status_label=_pair(repair.status),
        applied_by=repair.applied_by, applied_at=repair.applied_at,
        publicity_from=repair.publicity_from, publicity_until=repair.publicity_until,
        decided_by=repair.decided_by, decided_at=repair.decided_at,
        decision_note=repair.decision_note,
    )  # fmt: skip


# --- objections -----------------------------------------------------------------------------


class ObjectionRequest(BaseModel):
    """Dispute one credit record of the enterprise (异议申诉)."""

    model_config = ConfigDict(extra="forbid")
    record_id: int
    reason: str = Field(max_length=2000)


class ObjectionDecisionRequest(BaseModel):
    """Uphold (the record is withdrawn) or dismiss, with the reason."""

    model_config = ConfigDict(extra="forbid")
    uphold: bool
    note: str = Field(max_length=2000)


class ObjectionPublic(BaseModel):
    """An objection to a credit record."""

    id: int
    enterprise_uscc: str
    record_id: int
    reason: str
    status: str
    status_label: LabelPublic
    filed_by: str
    filed_at: dt.datetime
    due_on: dt.date = Field(description="decided within 5 working days of filing")
    overdue: bool
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None


def objection_public(found: Objection) -> ObjectionPublic:
    """The wire form of an objection."""
    return ObjectionPublic(
        id=found.id, enterprise_uscc=found.enterprise_uscc, record_id=found.record_id,
        reason=found.reason, status=found.status.value,
        status_label=LabelPublic(zh=found.status.label(), en=found.status.label("en")),
        filed_by=found.filed_by, filed_at=found.filed_at, due_on=found.due_on,
        overdue=found.overdue, decided_by=found.decided_by, decided_at=found.decided_at,
        decision_note=found.decision_note,
    )  # fmt: skip
