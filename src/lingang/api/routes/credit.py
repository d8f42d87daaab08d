"""Enterprise credit (issue #6): records, grades with their factors and history, the zone's
distribution, effects, broker profile, record imports and credit repair. Staff with
``credit.view`` read every enterprise; an enterprise user only its own (any other USCC
answers 404). Rules in docs/credit.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.credit import (
    CreditRecordPublic,
    CreditRecordsPublic,
    DecisionRequest,
    DistributionPublic,
    EffectsPublic,
    GradePublic,
    HistoryPublic,
    ObjectionDecisionRequest,
    ObjectionPublic,
    ObjectionRequest,
    ProfileRequest,
    RecordsRequest,
    RegradePublic,
    RepairPublic,
    RepairRequest,
    SettlementRequest,
    credit_record_public,
    distribution_public,
    effects_public,
    grade_public,
    objection_public,
    repair_public,
)
from lingang.credit.service import RecordDraft

router = APIRouter(prefix="/api/enterprises", tags=["credit"])
zone = APIRouter(prefix="/api/credit", tags=["credit"])
Uscc = Annotated[str, Path(min_length=18, max_length=18, description="统一社会信用代码")]


@router.get("/{uscc}/credit-records", operation_id="enterprises-credit-records",
            response_model=CreditRecordsPublic)  # fmt: skip
def credit_records(platform: PlatformDep, actor: CurrentActor, uscc: Uscc) -> CreditRecordsPublic:
    """The enterprise's credit records, newest first; an enterprise user reads only its own
    (any other USCC answers 404)."""
    found = platform.credit_records.records(uscc, actor=actor)
    return CreditRecordsPublic(data=[credit_record_public(r) for r in found], count=len(found))


@router.get("/{uscc}/credit", operation_id="enterprises-credit-grade", response_model=GradePublic)
def credit_grade(
    platform: PlatformDep, actor: CurrentActor, uscc: Uscc,
    as_of: Annotated[dt.date | None, Query(description="grade as of this day (default today)")]
    = None,
) -> GradePublic:  # fmt: skip
    """The enterprise's grade computed now from its records — for ``as_of`` in the past, the
    grade of that day under the rules then in force — factor by factor."""
    return grade_public(platform.credit.grade(uscc, actor=actor, as_of=as_of))


@router.get("/{uscc}/credit/history", operation_id="enterprises-credit-history",
            response_model=HistoryPublic)  # fmt: skip
def credit_history(platform: PlatformDep, actor: CurrentActor, uscc: Uscc) -> HistoryPublic:
    """Every stored change of the enterprise's grade, oldest first."""
    found = platform.credit.history(uscc, actor=actor)
    return HistoryPublic(data=[grade_public(g) for g in found], count=len(found))


@router.get("/{uscc}/credit/effects", operation_id="enterprises-credit-effects",
            response_model=EffectsPublic)  # fmt: skip
def credit_effects(platform: PlatformDep, actor: CurrentActor, uscc: Uscc) -> EffectsPublic:
    """What the current grade decides: 双随机 sampling weight, 告知承诺, fast tracks,
    restrictions, incentive-policy eligibility."""
    return effects_public(platform.credit.effects(uscc, actor=actor))


@router.put("/{uscc}/credit/profile", operation_id="enterprises-credit-profile",
            response_model=GradePublic)  # fmt: skip
def credit_profile(
    platform: PlatformDep, actor: CurrentActor, uscc: Uscc, body: ProfileRequest
) -> GradePublic:
    """Mark the enterprise a customs broker (报关企业) or not, and regrade it."""
    return grade_public(platform.credit.set_broker(uscc, body.is_broker, actor=actor))


@router.get("/{uscc}/credit/repairs", operation_id="enterprises-credit-repairs",
            response_model=list[RepairPublic])  # fmt: skip
def repairs(platform: PlatformDep, actor: CurrentActor, uscc: Uscc) -> list[RepairPublic]:
    """The enterprise's credit-repair applications, newest first."""
    return [repair_public(r) for r in platform.credit_repairs.repairs(uscc, actor=actor)]


@router.post("/{uscc}/credit/repairs", operation_id="enterprises-credit-repair-apply",
             status_code=201, response_model=RepairPublic)  # fmt: skip
def apply_repair(
    platform: PlatformDep, actor: CurrentActor, uscc: Uscc, body: RepairRequest
) -> RepairPublic:
    """Apply to repair one 失信 cause (信用修复): refused, naming the date, before the waiting
    period has passed, and for unpaid debts until they are paid."""
    done = platform.credit_repairs.apply(uscc, body.cause, body.statement, actor=actor)
    return repair_public(done)


@router.get("/{uscc}/credit/objections", operation_id="enterprises-credit-objections",
            response_model=list[ObjectionPublic])  # fmt: skip
def objections(platform: PlatformDep, actor: CurrentActor, uscc: Uscc) -> list[ObjectionPublic]:
    """The enterprise's objections to its credit records, newest first."""
    found = platform.credit_objections.objections(uscc, actor=actor)
    return [objection_public(o) for o in found]


@router.post("/{uscc}/credit/objections", operation_id="enterprises-credit-object",
             status_code=201, response_model=ObjectionPublic)  # fmt: skip
def file_objection(
    platform: PlatformDep, actor: CurrentActor, uscc: Uscc, body: ObjectionRequest
) -> ObjectionPublic:
    """Dispute one of the enterprise's credit records (异议申诉): marked at once, decided
    within 5 working days. A record of another enterprise answers 404."""
    done = platform.credit_objections.file(uscc, body.record_id, body.reason, actor=actor)
    return objection_public(done)


# --- the zone -------------------------------------------------------------------------------


@zone.get("/distribution", operation_id="credit-distribution", response_model=DistributionPublic)
def distribution(platform: PlatformDep, actor: CurrentActor) -> DistributionPublic:
    """How the zone's current grades spread over classes and customs categories."""
    return distribution_public(platform.credit.distribution(actor=actor))


@zone.post("/regrade", operation_id="credit-regrade", response_model=RegradePublic)
def regrade(platform: PlatformDep, actor: CurrentActor) -> RegradePublic:
    """Grade every enterprise today (credit officers, administrators)."""
    report = platform.credit.regrade_all(actor=actor)
    return RegradePublic(as_of=report.as_of, graded=report.graded, changed=report.changed,
                         by_class={c.value: n for c, n in report.by_class.items()})  # fmt: skip


@zone.post("/records", operation_id="credit-records-add", status_code=201,
           response_model=list[CreditRecordPublic])  # fmt: skip
def add_records(
    platform: PlatformDep, actor: CurrentActor, body: RecordsRequest
) -> list[CreditRecordPublic]:
    """Add credit records (violations, unpaid duties and fines, smuggling findings, AEO,
    awards, public-credit events), all or nothing; their enterprises are regraded. An error
    names the row and the field (``rows[3].details.penalty_rmb``)."""
    many = len(body.records) > 1
    drafts = [RecordDraft.from_data(row, where=f"rows[{i}]." if many else "")
              for i, row in enumerate(body.records)]  # fmt: skip
    added = platform.credit_records.add_records(drafts, actor=actor, trigger="api")
    return [credit_record_public(r) for r in added]


@zone.post("/records/{record_id}/settlement", operation_id="credit-record-settle",
           response_model=CreditRecordPublic)  # fmt: skip
def settle(
    platform: PlatformDep, actor: CurrentActor, record_id: int, body: SettlementRequest
) -> CreditRecordPublic:
    """Record that an unpaid duty or fine was paid; the enterprise is regraded."""
    done = platform.credit_records.settle_debt(record_id, body.paid_on, actor=actor)
    return credit_record_public(done)


@zone.get("/repairs", operation_id="credit-repairs-open", response_model=list[RepairPublic])
def open_repairs(platform: PlatformDep, actor: CurrentActor) -> list[RepairPublic]:
    """Applications waiting for publicity or a decision (credit officers)."""
    return [repair_public(r) for r in platform.credit_repairs.open_applications(actor=actor)]


@zone.post("/repairs/{repair_id}/publicity", operation_id="credit-repair-publicity",
           response_model=RepairPublic)  # fmt: skip
def publicize(platform: PlatformDep, actor: CurrentActor, repair_id: int) -> RepairPublic:
    """Publish an application (公示) for the policy's number of working days."""
    return repair_public(platform.credit_repairs.start_publicity(repair_id, actor=actor))


@zone.post("/repairs/{repair_id}/decision", operation_id="credit-repair-decide",
           response_model=RepairPublic)  # fmt: skip
def decide(
    platform: PlatformDep, actor: CurrentActor, repair_id: int, body: DecisionRequest
) -> RepairPublic:
    """Approve after the publicity period, or reject with a reason; never by the
    applicant."""
    done = platform.credit_repairs.decide(repair_id, body.approve, body.note, actor=actor)
    return repair_public(done)


@zone.get("/objections", operation_id="credit-objections-open",
          response_model=list[ObjectionPublic])  # fmt: skip
def open_objections(platform: PlatformDep, actor: CurrentActor) -> list[ObjectionPublic]:
    """Objections waiting for a decision, oldest first, each with its due day (credit
    officers)."""
    return [objection_public(o) for o in platform.credit_objections.open_objections(actor=actor)]


@zone.post("/objections/{objection_id}/decision", operation_id="credit-objection-decide",
           response_model=ObjectionPublic)  # fmt: skip
def decide_objection(
    platform: PlatformDep, actor: CurrentActor, objection_id: int, body: ObjectionDecisionRequest
) -> ObjectionPublic:
    """Uphold (the record is withdrawn and the enterprise regraded) or dismiss; never by the
    filer."""
    done = platform.credit_objections.decide(objection_id, body.uphold, body.note, actor=actor)
    return objection_public(done)
