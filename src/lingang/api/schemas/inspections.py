"""Wire schemas of 双随机、一公开: the catalogue, the inspector library, plans, draws, results,
and the public view. Statuses and outcomes travel as codes with a zh-CN/English label.
Rules in docs/inspections.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from lingang.api.schemas.cases import LabelPublic
from lingang.inspections import draw as drawing
from lingang.inspections.model import (
    OUTCOME_LABELS,
    PLAN_STATUS_LABELS,
    InspectionItem,
    InspectionOutcome,
    Inspector,
    PlanStatus,
)
from lingang.inspections.service import DrawnTarget, InspectionResult, Plan, PlanDetail

VERIFY_HINT = (
    "下载公开记录后运行 lingang inspections verify-draw 记录文件 即可核验",
    "Download the public record and run: lingang inspections verify-draw FILE",
)

# --- requests -------------------------------------------------------------------------------


class ItemCreate(BaseModel):
    """An item of the 抽查事项清单; ``key`` marks a 重点检查事项."""

    code: str = Field(min_length=1, max_length=40, examples=["SJ-001"])
    name_zh: str = Field(min_length=1, max_length=200, examples=["营业执照检查"])
    name_en: str = Field(min_length=1, max_length=200, examples=["Business licence"])
    department: str = Field(min_length=1, max_length=80, examples=["市场监管执法一队"])
    key: bool = False


class ImportRequest(BaseModel):
    """Rows to import; a bad row writes nothing and is named ``rows[n].field``."""

    rows: list[dict[str, Any]] = Field(min_length=1, max_length=5000)


class InspectorCreate(BaseModel):
    """An inspector of the 执法检查人员名录库."""

    id: str = Field(min_length=1, max_length=40, examples=["ZF-0001"])
    name: str = Field(min_length=1, max_length=120)
    department: str = Field(min_length=1, max_length=80)
    qualifications: list[str] = Field(default_factory=list, examples=[["执法证"]])


class ConflictRequest(BaseModel):
    """A conflict of interest an inspector declares with an enterprise (回避)."""

    uscc: str = Field(min_length=18, max_length=18)
    reason: str = Field(min_length=1, max_length=500)


class PlanCreate(BaseModel):
    """A draft plan; ``rates`` per credit class A–D default to 5/15/30/50 %."""

    year: int = Field(ge=1900, le=9999, examples=[2026])
    item_code: str = Field(min_length=1, max_length=40)
    rates: dict[str, float] | None = Field(None, examples=[{"A": 0.05, "B": 0.15, "C": 0.3,
                                                            "D": 0.5}])  # fmt: skip
    inspectors_per_target: int = Field(2, ge=2, le=10)
    required_qualification: str | None = Field(None, max_length=80)
    department: str | None = Field(None, max_length=80)


class ResultCreate(BaseModel):
    """The result of inspecting one drawn enterprise."""

    uscc: str = Field(min_length=18, max_length=18)
    outcome: InspectionOutcome
    finding: str = Field("", max_length=2000)


# --- responses ------------------------------------------------------------------------------


class ItemPublic(BaseModel):
    """A catalogue item."""

    code: str
    name_zh: str
    name_en: str
    department: str
    key: bool


class InspectorPublic(BaseModel):
    """An inspector; ``conflicts`` the USCCs it is recused from."""

    id: str
    name: str
    department: str
    qualifications: list[str]
    conflicts: list[str]


class PlanPublic(BaseModel):
    """A plan; ``seed`` stays null until the draw, ``announcement`` is set from the commit."""

    id: str
    year: int
    item_code: str
    item_name: LabelPublic
    department: str
    key_item: bool
    rates: dict[str, float]
    inspectors_per_target: int
    required_qualification: str | None
    status: PlanStatus
    status_label: LabelPublic
    announcement: dict[str, str] | None
    ungraded: int | None = Field(description="enterprises without a grade, drawn as class B")
    seed: str | None
    result: dict[str, Any] | None
    created_by: str
    created_at: dt.datetime
    committed_at: dt.datetime | None
    drawn_at: dt.datetime | None
    publish_by: dt.date | None = Field(description="last day to publish the results")


class DrawnTargetPublic(BaseModel):
    """A drawn enterprise, its class and inspectors (empty when unstaffed)."""

    uscc: str
    name: str
    credit_class: str
    inspector_ids: list[str]
    directed: bool = Field(
        default=False, description="inspected whatever the draw (定向: a 告知承诺 check)"
    )


class ResultPublic(BaseModel):
    """The result of inspecting one drawn enterprise."""

    uscc: str
    inspector_ids: list[str]
    outcome: InspectionOutcome
    outcome_label: LabelPublic
    finding: str
    recorded_at: dt.datetime
    published_at: dt.datetime | None
    credit_record_ref: str | None


class PlanDetailPublic(BaseModel):
    """A plan with its drawn enterprises and results; ``overdue``: past ``publish_by``."""

    plan: PlanPublic
    targets: list[DrawnTargetPublic]
    results: list[ResultPublic]
    overdue: bool


class PublicDraw(BaseModel):
    """A drawn plan as the public sees it (一公开): the commitment, the revealed seed, the
    drawn enterprises and the published results."""

    plan_id: str
    year: int
    item_code: str
    item_name: LabelPublic
    department: str
    status: PlanStatus
    status_label: LabelPublic
    seed_commitment: str | None
    inputs_digest: str | None
    seed: str | None
    drawn_at: dt.datetime | None
    publish_by: dt.date | None
    targets: list[DrawnTargetPublic]
    results: list[ResultPublic]
    record_url: str
    how_to_verify: LabelPublic


def item_public(item: InspectionItem) -> ItemPublic:
    return ItemPublic(code=item.code, name_zh=item.name_zh, name_en=item.name_en,
                      department=item.department, key=item.key)  # fmt: skip


def inspector_public(inspector: Inspector) -> InspectorPublic:
    return InspectorPublic(
        id=inspector.id, name=inspector.name, department=inspector.department,
        qualifications=sorted(inspector.qualifications), conflicts=sorted(inspector.conflicts),
    )  # fmt: skip


def _status_label(status: PlanStatus) -> LabelPublic:
    zh, en = PLAN_STATUS_LABELS[status]
    return LabelPublic(zh=zh, en=en)


def plan_public(plan: Plan) -> PlanPublic:
    return PlanPublic(
        id=plan.id, year=plan.year, item_code=plan.item_code,
        item_name=LabelPublic(zh=plan.item_name_zh, en=plan.item_name_en),
        department=plan.department, key_item=plan.key_item, rates=plan.rates.as_dict(),
        inspectors_per_target=plan.inspectors_per_target,
        required_qualification=plan.required_qualification, status=plan.status,
        status_label=_status_label(plan.status), announcement=plan.announcement(),
        ungraded=plan.ungraded, seed=plan.seed,
        result=drawing.result_dict(plan.result) if plan.result else None,
        created_by=plan.created_by, created_at=plan.created_at,
        committed_at=plan.committed_at, drawn_at=plan.drawn_at, publish_by=plan.publish_by,
    )  # fmt: skip


def target_public(target: DrawnTarget) -> DrawnTargetPublic:
    return DrawnTargetPublic(uscc=target.uscc, name=target.name,
                             credit_class=target.credit_class,
                             inspector_ids=list(target.inspector_ids),
                             directed=target.directed)  # fmt: skip


def result_public(result: InspectionResult) -> ResultPublic:
    zh, en = OUTCOME_LABELS[result.outcome]
    return ResultPublic(
        uscc=result.uscc, inspector_ids=list(result.inspector_ids), outcome=result.outcome,
        outcome_label=LabelPublic(zh=zh, en=en), finding=result.finding,
        recorded_at=result.recorded_at, published_at=result.published_at,
        credit_record_ref=result.credit_record_ref,
    )  # fmt: skip


def detail_public(detail: PlanDetail) -> PlanDetailPublic:
    return PlanDetailPublic(
        plan=plan_public(detail.plan), targets=[target_public(t) for t in detail.targets],
        results=[result_public(r) for r in detail.results], overdue=detail.overdue,
    )  # fmt: skip


def public_draw(detail: PlanDetail) -> PublicDraw:
    plan = detail.plan
    return PublicDraw(
        plan_id=plan.id, year=plan.year, item_code=plan.item_code,
        item_name=LabelPublic(zh=plan.item_name_zh, en=plan.item_name_en),
        department=plan.department, status=plan.status,
        status_label=_status_label(plan.status), seed_commitment=plan.seed_commitment,
        inputs_digest=plan.inputs_digest, seed=plan.seed, drawn_at=plan.drawn_at,
        publish_by=plan.publish_by, targets=[target_public(t) for t in detail.targets],
        results=[result_public(r) for r in detail.results],
        record_url=f"/api/public/inspections/{plan.id}",
        how_to_verify=LabelPublic(zh=VERIFY_HINT[0], en=VERIFY_HINT[1]),
    )  # fmt: skip
