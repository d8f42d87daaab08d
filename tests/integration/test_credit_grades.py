"""Credit grades on SQLite and PostgreSQL: grading from records, stored changes and their
events, reproducible past grades, effects, imports, permissions, and credit repair."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from sqlalchemy import select

from factories import Clock, make_enterprise, make_user
from lingang.bootstrap import Platform
from lingang.bus.outbox import OutboxRow
from lingang.bus.relay import IdempotentConsumer
from lingang.cases.events import CaseClosed, CaseReopened
from lingang.credit.effects import PolicyEligibility, load_policies
from lingang.credit.grades import CreditService
from lingang.credit.objections import ObjectionService
from lingang.credit.repairs import RepairService, RepairStatus
from lingang.credit.rulesets import CustomsCategory, ZoneClass, load_rulesets
from lingang.credit.service import CREDIT_CONSUMER, CreditRecords, RecordDraft
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.types import SYSTEM, Actor, Role
from lingang.workdays import SHANGHAI

_refs = itertools.count(1)
DECLARATIONS = 1000  # last year's declarations of every test enterprise: 1‰ is 1 violation


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def credit(platform: Platform, clock: Clock) -> CreditService:
    return CreditService(
        platform.uow, platform.audit, rulesets=load_rulesets(), policies=load_policies(),
        registry=platform.entities.aeo_statuses,
        declarations=lambda year: dict.fromkeys(platform.entities.aeo_statuses(), DECLARATIONS),
        enterprise_of=lambda actor: own(platform, actor), clock=clock,
    )  # fmt: skip


@pytest.fixture
def records(platform: Platform, credit: CreditService, clock: Clock) -> CreditRecords:
    return CreditRecords(platform.uow, enterprise_of=lambda actor: own(platform, actor),
                         audit=platform.audit, regrade=credit.regrade_in,
                         validate=credit.validate_record, clock=clock)  # fmt: skip


@pytest.fixture
def repairs(platform: Platform, credit: CreditService, clock: Clock) -> RepairService:
    return RepairService(platform.uow, platform.audit, credit, clock=clock)


def own(platform: Platform, actor: Actor) -> str | None:
    if actor.enterprise_id is None:
        return None
    return platform.entities.get_enterprise(actor.enterprise_id, actor=SYSTEM).uscc


def violation(uscc: str, day: str, penalty: int, **details: Any) -> RecordDraft:
    facts = {"penalty_rmb": str(penalty), **details}
    return RecordDraft(uscc, _kind("violation"), dt.date.fromisoformat(day), "test",
                       f"v-{next(_refs)}", "海关行政处罚", facts)  # fmt: skip


def debt(uscc: str, kind: str, due: str, amount: int = 50_000) -> RecordDraft:
    facts = {"amount_rmb": str(amount), "due_on": due}
    return RecordDraft(uscc, _kind(kind), dt.date.fromisoformat(due), "test",
                       f"d-{next(_refs)}", "欠缴", facts)  # fmt: skip


def _kind(value: str) -> Any:
    from lingang.credit.model import RecordKind

    return RecordKind(value)


def events(platform: Platform) -> list[dict[str, Any]]:
    with platform.uow.read() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.name == "credit.grade_changed")
                               .order_by(OutboxRow.id))  # fmt: skip
        return [row.payload for row in rows]


# --- grading ----------------------------------------------------------------------------------


def test_a_clean_enterprise_is_b_and_every_grade_adds_up(
    platform: Platform, credit: CreditService
) -> None:
    firm = make_enterprise(platform)
    graded = credit.grade(firm.uscc, actor=SYSTEM)
    assert (graded.zone_class, graded.score, graded.instrument) == (ZoneClass.B, 700, "GACC-282")
    assert graded.customs_category is CustomsCategory.REGULAR
    assert graded.base + sum(f.points for f in graded.factors) == graded.score


def test_new_records_regrade_store_the_change_and_emit_it_once(
    platform: Platform, credit: CreditService, records: CreditRecords
) -> None:
    firm = make_enterprise(platform)
    report = credit.regrade_all(actor=SYSTEM)
    assert report.changed == report.graded >= 1
    assert credit.regrade_all(actor=SYSTEM).changed == 0  # nothing new: nothing stored
    records.add_records([violation(firm.uscc, "2026-05-01", 400_000)], actor=SYSTEM)
    standing = credit.standing(firm.uscc, actor=SYSTEM)
    # 700 − 20 per violation − 2 per RMB 10,000 of penalty (80) = 600: class C
    assert standing is not None and (standing.zone_class, standing.score) == (ZoneClass.C, 600)
    history = credit.history(firm.uscc, actor=SYSTEM)
    assert [g.zone_class for g in history] == [ZoneClass.B, standing.zone_class]
    mine = [e for e in events(platform) if e["enterprise_uscc"] == firm.uscc]
    assert [(e["previous_class"], e["zone_class"]) for e in mine] == [
        (None, "B"),
        ("B", standing.zone_class.value),
    ]
    assert mine[-1]["trigger"].startswith("records by")


def test_a_past_day_is_graded_with_the_records_and_rules_of_that_day(
    platform: Platform, credit: CreditService, records: CreditRecords
) -> None:
    firm = make_enterprise(platform)
    records.add_records([violation(firm.uscc, "2026-05-01", 1_000_001),
                         violation(firm.uscc, "2026-05-02", 10)], actor=SYSTEM)  # fmt: skip
    now = credit.grade(firm.uscc, actor=SYSTEM)
    assert now.customs_category is CustomsCategory.DISHONEST
    assert now.dishonest_reasons == ("violation_threshold",)
    before = credit.grade(firm.uscc, actor=SYSTEM, as_of=dt.date(2026, 3, 31))
    assert (before.instrument, before.customs_category, before.score) == (
        "GACC-251",
        CustomsCategory.OTHER,
        700,
    )


def test_a_confirmed_violation_from_the_case_loop_moves_the_grade(
    platform: Platform, credit: CreditService, records: CreditRecords
) -> None:
    firm = make_enterprise(platform)
    credit.regrade_all(actor=SYSTEM)
    consumer = IdempotentConsumer(platform.database, CREDIT_CONSUMER, records.record_case_event)
    consumer(CaseClosed(
        case_id=41, enterprise_uscc=firm.uscc, scenario="undervaluation", department="核查一处",
        outcome="confirmed_violation", rules=["UV01"], assessment_ids=["a"], alert_count=1,
        disposal={"penalty_rmb": "50000.00"}, closed_by="o1", approved_by="o2", reopen_count=0,
        occurred_at=dt.datetime(2026, 5, 29, 16, 0, tzinfo=SHANGHAI),
    ))  # fmt: skip
    standing = credit.standing(firm.uscc, actor=SYSTEM)
    assert standing is not None and standing.zone_class is ZoneClass.C
    assert standing.trigger == "case 41 closed"
    assert credit.class_of([firm.uscc]) == {firm.uscc: "C"}
    # reopening the case withdraws its closing's records: back to B from that day
    consumer(CaseReopened(
        case_id=41, enterprise_uscc=firm.uscc, scenario="undervaluation",
        previous_outcome="confirmed_violation", reason="复议撤销", reopened_by="o3",
        occurred_at=dt.datetime(2026, 5, 31, 10, 0, tzinfo=SHANGHAI),
    ))  # fmt: skip
    reopened = credit.standing(firm.uscc, actor=SYSTEM)
    assert reopened is not None and reopened.zone_class is ZoneClass.B
    assert reopened.trigger == "case 41 reopened"
    kept = records.records(firm.uscc, actor=SYSTEM)
    assert {r.details["withdrawn_on"] for r in kept} == {"2026-05-31"}  # kept, marked
    assert credit.grade(firm.uscc, actor=SYSTEM, as_of=dt.date(2026, 5, 30)).zone_class is (
        ZoneClass.C
    )


def test_effects_follow_the_grade(
    platform: Platform, credit: CreditService, records: CreditRecords
) -> None:
    good, bad = make_enterprise(platform), make_enterprise(platform)
    records.add_records([violation(bad.uscc, "2026-05-01", 1_000_001),
                         violation(bad.uscc, "2026-05-02", 10)], actor=SYSTEM)  # fmt: skip
    fine, worst = credit.effects(good.uscc), credit.effects(bad.uscc)
    assert (fine.sampling_rate, fine.sampling_weight, fine.commitment_approval) == (0.15, 1.0, True)
    assert fine.policy is PolicyEligibility.ELIGIBLE
    assert worst.commitment_approval is False and worst.policy is PolicyEligibility.EXCLUDED
    assert worst.sampling_weight > 1 and "inspection_rate_80" in worst.restrictions


def test_a_broker_crosses_the_lower_thresholds(
    platform: Platform, credit: CreditService, records: CreditRecords
) -> None:
    firm = make_enterprise(platform)
    records.add_records([violation(firm.uscc, "2026-05-01", 300_001)], actor=SYSTEM)
    assert credit.grade(firm.uscc, actor=SYSTEM).customs_category is CustomsCategory.REGULAR
    graded = credit.set_broker(firm.uscc, True, actor=SYSTEM)
    assert graded.customs_category is CustomsCategory.DISHONEST


def test_imports_are_all_or_nothing_and_name_the_row_and_field(
    platform: Platform, credit: CreditService, records: CreditRecords
) -> None:
    firm = make_enterprise(platform)
    good = violation(firm.uscc, "2026-05-01", 1000)
    bad = violation(firm.uscc, "2026-05-01", 1000, subjective_intent="maybe")
    with pytest.raises(Invalid) as refused:
        records.add_records([good, bad], actor=SYSTEM)
    assert refused.value.field == "rows[1].details.subjective_intent"
    future = violation(firm.uscc, "2026-07-01", 1000)
    with pytest.raises(Invalid) as later:
        records.add_records([future], actor=SYSTEM)
    assert later.value.field == "occurred_on"
    assert records.records(firm.uscc, actor=SYSTEM) == []
    with pytest.raises(Invalid) as kind:
        RecordDraft.from_data({"enterprise_uscc": firm.uscc, "kind": "rumour"}, where="rows[0].")
    assert kind.value.field == "rows[0].kind"
    records.add_records([good], actor=SYSTEM)
    with pytest.raises(Conflict):
        records.add_records([good], actor=SYSTEM)  # the same source reference twice


def test_who_reads_and_who_writes_credit(
    platform: Platform, credit: CreditService, records: CreditRecords
) -> None:
    ours, theirs = make_enterprise(platform), make_enterprise(platform)
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=ours.id).as_actor()
    assert credit.grade(ours.uscc, actor=user).uscc == ours.uscc
    with pytest.raises(NotFound):
        credit.grade(theirs.uscc, actor=user)  # another tenant: as if it did not exist
    with pytest.raises(Forbidden):
        credit.distribution(actor=user)
    officer = make_user(platform, Role.CASE_OFFICER).as_actor()
    assert credit.grade(theirs.uscc, actor=officer).uscc == theirs.uscc
    with pytest.raises(Forbidden):
        records.add_records([violation(ours.uscc, "2026-05-01", 10)], actor=officer)
    with pytest.raises(Forbidden):
        credit.grade(ours.uscc, actor=make_user(platform, Role.PLANNER).as_actor())


def test_a_paid_debt_stops_making_the_enterprise_dishonest(
    platform: Platform, credit: CreditService, records: CreditRecords
) -> None:
    firm = make_enterprise(platform)
    [duty] = records.add_records([debt(firm.uscc, "unpaid_duty", "2026-03-01")], actor=SYSTEM)
    graded = credit.grade(firm.uscc, actor=SYSTEM)  # 92 days unpaid on 2026-06-01
    assert graded.dishonest_reasons == ("unpaid_duty",)
    with pytest.raises(Invalid) as early:
        records.settle_debt(duty.id, dt.date(2026, 2, 1), actor=SYSTEM)
    assert early.value.field == "paid_on"
    records.settle_debt(duty.id, dt.date(2026, 5, 30), actor=SYSTEM)
    assert credit.grade(firm.uscc, actor=SYSTEM).dishonest_reasons == ()
    with pytest.raises(Conflict):
        records.settle_debt(duty.id, dt.date(2026, 5, 31), actor=SYSTEM)


# --- repair -----------------------------------------------------------------------------------


def test_credit_repair_waits_is_published_and_needs_another_officer(
    platform: Platform, credit: CreditService, records: CreditRecords, repairs: RepairService,
    clock: Clock,
) -> None:  # fmt: skip
    firm = make_enterprise(platform)
    clock.set(2026, 4, 20, 10, 0)
    records.add_records([violation(firm.uscc, "2026-04-10", 1_000_001),
                         violation(firm.uscc, "2026-04-11", 10)], actor=SYSTEM)  # fmt: skip
    officer = make_user(platform, Role.CREDIT_OFFICER).as_actor()
    second = make_user(platform, Role.CREDIT_OFFICER).as_actor()
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=firm.id).as_actor()
    promise = "本企业已整改完毕并承诺守法经营"
    clock.set(2026, 6, 1, 10, 0)
    with pytest.raises(Invalid) as early:  # 6 months after 2026-04-20
        repairs.apply(firm.uscc, "violation_threshold", promise, actor=user)
    assert "2026-10-20" in early.value.reason
    with pytest.raises(Invalid) as wrong:
        repairs.apply(firm.uscc, "unpaid_duty", promise, actor=user)
    assert wrong.value.field == "cause"
    clock.set(2026, 10, 20, 9, 0)
    with pytest.raises(Invalid) as short:
        repairs.apply(firm.uscc, "violation_threshold", "改了", actor=user)
    assert short.value.field == "statement"
    applied = repairs.apply(firm.uscc, "violation_threshold", promise, actor=user)
    assert applied.status is RepairStatus.APPLIED and len(applied.record_ids) == 2
    with pytest.raises(Conflict):
        repairs.apply(firm.uscc, "violation_threshold", promise, actor=user)
    published = repairs.start_publicity(applied.id, actor=officer)
    assert published.publicity_until == dt.date(2026, 10, 27)  # 5 working days
    with pytest.raises(Conflict):
        repairs.decide(applied.id, True, actor=officer)  # still in publicity
    clock.set(2026, 10, 28, 9, 0)
    with pytest.raises(Forbidden):
        repairs.decide(applied.id, False, "no", actor=user)
    approved = repairs.decide(applied.id, True, "整改到位", actor=second)
    assert approved.status is RepairStatus.APPROVED and approved.decided_by == second.username
    graded = credit.grade(firm.uscc, actor=SYSTEM)
    assert graded.dishonest_reasons == () and graded.customs_category is CustomsCategory.REGULAR
    assert [r.id for r in repairs.repairs(firm.uscc, actor=user)] == [applied.id]
    # the day before the approval, the grade was still 失信: reproducible
    assert credit.grade(firm.uscc, actor=SYSTEM, as_of=dt.date(2026, 10, 27)).dishonest_reasons


def test_a_rejection_needs_a_reason(
    platform: Platform, credit: CreditService, records: CreditRecords, repairs: RepairService,
    clock: Clock,
) -> None:  # fmt: skip
    firm = make_enterprise(platform)
    clock.set(2025, 10, 1, 10, 0)
    records.add_records([violation(firm.uscc, "2025-09-10", 1_000_001),
                         violation(firm.uscc, "2025-09-11", 10)], actor=SYSTEM)  # fmt: skip
    clock.set(2026, 4, 2, 10, 0)
    applied = repairs.apply(firm.uscc, "violation_threshold", "本企业承诺整改并守法经营",
                            actor=SYSTEM)  # fmt: skip
    officer = make_user(platform, Role.CREDIT_OFFICER).as_actor()
    with pytest.raises(Invalid) as bare:
        repairs.decide(applied.id, False, " ", actor=officer)
    assert bare.value.field == "note"
    done = repairs.decide(applied.id, False, "罚款尚未缴纳", actor=officer)
    assert done.status is RepairStatus.REJECTED and repairs.open_applications(actor=officer) == []


# --- objections -------------------------------------------------------------------------------


@pytest.fixture
def objections(platform: Platform, credit: CreditService, clock: Clock) -> ObjectionService:
    return ObjectionService(platform.uow, platform.audit, credit, clock=clock)


def test_an_upheld_objection_withdraws_the_record_from_that_day(
    platform: Platform, credit: CreditService, records: CreditRecords,
    objections: ObjectionService, clock: Clock,
) -> None:  # fmt: skip
    firm, other = make_enterprise(platform), make_enterprise(platform)
    pair = [violation(firm.uscc, "2026-05-01", 1_000_001), violation(firm.uscc, "2026-05-02", 10)]
    [wrong, _] = records.add_records(pair, actor=SYSTEM)
    assert credit.grade(firm.uscc, actor=SYSTEM).dishonest_reasons == ("violation_threshold",)
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=firm.id).as_actor()
    outsider = make_user(platform, Role.ENTERPRISE, enterprise_id=other.id).as_actor()
    with pytest.raises(NotFound):
        objections.file(other.uscc, wrong.id, "这不是我们的处罚", actor=outsider)
    with pytest.raises(NotFound):
        objections.file(firm.uscc, wrong.id, "这不是我们的处罚", actor=outsider)
    with pytest.raises(Invalid) as short:
        objections.file(firm.uscc, wrong.id, "错", actor=user)
    assert short.value.field == "reason"
    filed = objections.file(firm.uscc, wrong.id, "该处罚已被行政复议撤销", actor=user)
    assert filed.due_on == dt.date(2026, 6, 8) and not filed.overdue  # 5 working days
    with pytest.raises(Conflict):
        objections.file(firm.uscc, wrong.id, "该处罚已被行政复议撤销", actor=user)
    officer = make_user(platform, Role.CREDIT_OFFICER).as_actor()
    clock.set(2026, 6, 9, 9, 0)
    assert [o.overdue for o in objections.open_objections(actor=officer)] == [True]
    with pytest.raises(Forbidden):
        objections.decide(filed.id, True, "同意", actor=user)
    upheld = objections.decide(filed.id, True, "复议决定书已核实", actor=officer)
    assert upheld.status.value == "upheld"
    graded = credit.grade(firm.uscc, actor=SYSTEM)
    assert graded.dishonest_reasons == () and graded.score > 650
    standing = credit.standing(firm.uscc, actor=SYSTEM)
    assert standing is not None and standing.trigger == f"objection {filed.id} upheld"
    before = credit.grade(firm.uscc, actor=SYSTEM, as_of=dt.date(2026, 6, 8))
    assert before.dishonest_reasons == ("violation_threshold",)  # reproducible: not yet upheld
    with pytest.raises(Conflict):
        objections.decide(filed.id, False, "再议", actor=officer)
