"""双随机、一公开 on SQLite and PostgreSQL: the libraries, a plan's life from draft to
published results, the verifiable draw, the 20-working-day rule and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from factories import Clock
from lingang.bootstrap import Platform
from lingang.demo import demo_uscc
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.inspections import draw as drawing
from lingang.inspections.model import InspectionOutcome, PlanStatus
from lingang.inspections.service import InspectionService
from lingang.types import Actor, Role
from lingang.workdays import SHANGHAI

TEAM = "市场监管执法一队"
OFFICER = Actor(user_id=None, username="credit-officer-1", role=Role.CREDIT_OFFICER)
AUDITOR = Actor(user_id=None, username="auditor-1", role=Role.AUDITOR)
ENTERPRISE_USER = Actor(user_id=None, username="ent", role=Role.ENTERPRISE)
FIRMS = [(demo_uscc(8_300_000 + n), f"测试企业{n}") for n in range(10)]
CLASSES = {FIRMS[0][0]: "A", FIRMS[1][0]: "A", FIRMS[2][0]: "C", FIRMS[3][0]: "C",
           FIRMS[4][0]: "D", FIRMS[5][0]: "D"}  # fmt: skip  # FIRMS[6:] are ungraded (B)
ALL_C_AND_D = {"A": 0.0, "B": 0.0, "C": 1.0, "D": 1.0}


class FakeCredit:
    """Collects the credit records the service adds."""

    def __init__(self) -> None:
        self.records: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> None:
        self.records.append(args)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))  # a Monday


@pytest.fixture
def credit() -> FakeCredit:
    return FakeCredit()


@pytest.fixture
def service(platform: Platform, clock: Clock, credit: FakeCredit) -> InspectionService:
    return InspectionService(
        platform.uow, platform.audit, targets=lambda: FIRMS,
        class_of=lambda usccs: {u: CLASSES[u] for u in usccs if u in CLASSES},
        record_credit=credit, clock=clock,
    )  # fmt: skip


def libraries(service: InspectionService) -> None:
    service.import_items([
        {"code": "SJ-001", "name_zh": "营业执照检查", "name_en": "Business licence",
         "department": TEAM, "key": "否"},
        {"code": "SJ-002", "name_zh": "食品安全检查", "name_en": "Food safety",
         "department": TEAM, "key": True},
    ], actor=OFFICER)  # fmt: skip
    service.import_inspectors([
        {"id": "I-1", "name": "张三", "department": TEAM, "qualifications": "执法证"},
        {"id": "I-2", "name": "李四", "department": TEAM, "qualifications": ["执法证"]},
        {"id": "I-3", "name": "王五", "department": TEAM, "qualifications": "执法证"},
        {"id": "I-4", "name": "赵六", "department": "其他部门", "qualifications": "执法证"},
    ], actor=OFFICER)  # fmt: skip


def drawn_plan(service: InspectionService, item: str = "SJ-001") -> str:
    plan = service.create_plan(2026, item, rates=ALL_C_AND_D, actor=OFFICER)
    service.commit_plan(plan.id, actor=OFFICER)
    return service.run_draw(plan.id, actor=OFFICER).id


def test_an_import_with_one_bad_row_names_it_and_writes_nothing(
    service: InspectionService,
) -> None:
    good = {"code": "SJ-009", "name_zh": "广告检查", "name_en": "Advertising", "department": TEAM}
    with pytest.raises(Invalid) as bad:
        service.import_items([good, {**good, "code": "SJ-010", "name_zh": " "}], actor=OFFICER)
    assert bad.value.field == "rows[1].name_zh"
    with pytest.raises(Invalid) as twice:
        service.import_items([good, good], actor=OFFICER)
    assert twice.value.field == "rows[1].code"
    with pytest.raises(Invalid) as flag:
        service.import_items([{**good, "key": "maybe"}], actor=OFFICER)
    assert flag.value.field == "rows[0].key"
    assert service.list_items(actor=OFFICER) == []
    service.import_items([good], actor=OFFICER)
    with pytest.raises(Invalid) as known:
        service.import_items([{**good, "code": "SJ-011"}, good], actor=OFFICER)
    assert known.value.field == "rows[1].code"
    with pytest.raises(Conflict):
        service.add_item("SJ-009", "广告", "Ads", TEAM, actor=OFFICER)
    with pytest.raises(Invalid) as conflict:
        service.import_inspectors([{"id": "I-9", "name": "钱七", "department": TEAM,
                                    "conflicts": "NOT-A-USCC"}], actor=OFFICER)  # fmt: skip
    assert conflict.value.field == "rows[0].conflicts[0]"
    assert service.list_inspectors(actor=OFFICER) == []


def test_a_plan_commits_then_draws_a_result_anyone_can_verify(
    service: InspectionService,
) -> None:
    libraries(service)
    service.declare_conflict("I-1", FIRMS[4][0], "亲属任职", actor=OFFICER)
    plan = service.create_plan(2026, "SJ-001", rates=ALL_C_AND_D, actor=OFFICER)
    assert plan.status is PlanStatus.DRAFT and plan.department == TEAM
    with pytest.raises(NotFound):
        service.published(plan.id)
    committed = service.commit_plan(plan.id, actor=OFFICER)
    announced = committed.announcement()
    assert announced is not None and committed.ungraded == 4
    assert committed.seed is None  # secret until the draw
    assert service.get_plan(plan.id, actor=OFFICER).plan.seed is None
    with pytest.raises(Conflict):
        service.commit_plan(plan.id, actor=OFFICER)
    with pytest.raises(NotFound):
        service.published(plan.id)

    drawn = service.run_draw(plan.id, actor=OFFICER)
    assert drawn.status is PlanStatus.DRAWN and drawn.seed is not None
    assert drawn.result is not None
    assert set(drawn.result.selected) == {FIRMS[n][0] for n in (2, 3, 4, 5)}
    assert drawn.result.recusals[0].inspector_id == "I-1"
    for assignment in drawn.result.assignments:
        assert len(assignment.inspector_ids) == 2 and "I-4" not in assignment.inspector_ids
    with pytest.raises(Conflict):
        service.run_draw(plan.id, actor=OFFICER)

    record = service.published(plan.id)
    assert record["seed"] == drawn.seed and record["announcement"] == announced
    verdict = drawing.verify_draw(record, record["seed"], announced)
    assert verdict.ok, verdict.message_en
    inputs = drawing.parse_inputs(record["inputs"])
    assert drawing.draw(inputs.plan, inputs.targets, inputs.inspectors, drawn.seed) == drawn.result
    reordered = {**record["result"], "selected": record["result"]["selected"][::-1]}
    tampered = {**record, "result": reordered}
    assert not drawing.verify_draw(tampered, record["seed"]).ok
    detail = service.get_plan(plan.id, actor=AUDITOR)
    names = dict(FIRMS)
    assert [(t.name, t.credit_class) for t in detail.targets] == [
        (names[uscc], CLASSES[uscc]) for uscc in drawn.result.selected
    ]


def test_a_general_item_skips_targets_drawn_earlier_in_the_year(
    service: InspectionService,
) -> None:
    libraries(service)
    first = service.get_plan(drawn_plan(service), actor=OFFICER).plan
    assert first.result is not None
    second = service.get_plan(drawn_plan(service), actor=OFFICER).plan
    assert second.result is not None and second.result.selected == ()
    assert {s.uscc for s in second.result.skipped} == set(first.result.selected)
    key = service.get_plan(drawn_plan(service, "SJ-002"), actor=OFFICER).plan
    assert key.result is not None and len(key.result.selected) == 4  # key items redraw freely


def test_results_are_published_within_twenty_working_days_and_feed_credit(
    service: InspectionService, clock: Clock, credit: FakeCredit
) -> None:
    libraries(service)
    plan_id = drawn_plan(service)
    plan = service.get_plan(plan_id, actor=OFFICER)
    assert plan.plan.publish_by == dt.date(2026, 3, 30)  # 20 working days after Mon 2 March
    first, second, *_ = plan.plan.result.selected if plan.plan.result else ()
    with pytest.raises(Invalid) as stranger:
        service.record_result(plan_id, FIRMS[0][0], "compliant", actor=OFFICER)
    assert stranger.value.field == "uscc"
    with pytest.raises(Invalid):
        service.record_result(plan_id, first, InspectionOutcome.ISSUES_FOUND, actor=OFFICER)
    with pytest.raises(Conflict):
        service.publish_results(plan_id, actor=OFFICER)
    service.record_result(plan_id, first, "issues_found", "未按规定公示年报", actor=OFFICER)
    service.record_result(plan_id, second, "compliant", actor=OFFICER)
    assert service.public_results(2026)[0].results == ()

    clock.at = dt.datetime(2026, 3, 31, 10, 0, tzinfo=SHANGHAI)
    assert [d.plan.id for d in service.overdue_plans(actor=OFFICER)] == [plan_id]
    published = service.publish_results(plan_id, actor=OFFICER)
    assert published.plan.status is PlanStatus.RESULTS_PUBLISHED
    assert all(r.credit_record_ref == f"{plan_id}/{r.uscc}" for r in published.results)
    by_uscc = {args[0]: args for args in credit.records}
    assert set(by_uscc) == {first, second}
    _uscc, occurred_on, ref, summary, details = by_uscc[first]
    assert occurred_on == dt.date(2026, 3, 2) and ref == f"{plan_id}/{first}"
    assert "发现问题" in summary
    assert details["polarity"] == "negative" and details["severity"] == "general"
    assert details["plan_id"] == plan_id and details["item"] == "SJ-001"
    assert by_uscc[second][4]["polarity"] == "positive"
    with pytest.raises(Conflict):
        service.record_result(plan_id, first, "compliant", actor=OFFICER)
    [public] = service.public_results(2026)
    assert {r.uscc for r in public.results} == {first, second}
    assert public.overdue  # two drawn targets still lack a published result


def test_auditors_read_and_enterprise_users_are_refused(service: InspectionService) -> None:
    libraries(service)
    assert [i.code for i in service.list_items(actor=AUDITOR)] == ["SJ-001", "SJ-002"]
    with pytest.raises(Forbidden):
        service.create_plan(2026, "SJ-001", actor=AUDITOR)
    with pytest.raises(Forbidden):
        service.list_items(actor=ENTERPRISE_USER)
    with pytest.raises(Forbidden):
        service.list_plans(actor=Actor(None, "case-1", Role.CASE_OFFICER))
    with pytest.raises(Invalid) as rates:
        service.create_plan(2026, "SJ-001", rates={"A": 2.0, "B": 0, "C": 0, "D": 0},
                            actor=OFFICER)  # fmt: skip
    assert rates.value.field == "rates.A"
    with pytest.raises(Invalid):
        service.create_plan(2026, "SJ-001", inspectors_per_target=1, actor=OFFICER)
    with pytest.raises(NotFound):
        service.create_plan(2026, "SJ-404", actor=OFFICER)
