"""Case management on SQLite and PostgreSQL: intake, lifecycle, four-eyes closing, isolation."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from factories import Clock, head_revision
from lingang.bootstrap import Platform
from lingang.bus.outbox import OutboxRow
from lingang.bus.relay import IdempotentConsumer
from lingang.cases.model import (
    AlertDisposition,
    CaseRouting,
    CaseState,
    Outcome,
    SlaPolicy,
    TaskKind,
)
from lingang.cases.service import CaseService
from lingang.cases.store import CaseAlertRow
from lingang.demo import demo_uscc
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.risk.assessments.events import AlertRaised
from lingang.types import SYSTEM, Actor, Role
from lingang.workdays import SHANGHAI

PASSWORD = "Correct-horse-42"
CHECKS = "核查一处"
INSPECTION = "查验一处"
ACME, BETA = demo_uscc(8_100_001), demo_uscc(8_100_002)
ENTERPRISE_USER = Actor(user_id=None, username="ent", role=Role.ENTERPRISE)
_names = itertools.count(1)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 2, 9, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def cases(platform: Platform, clock: Clock) -> CaseService:
    return CaseService(
        platform.uow,
        platform.audit,
        officers=lambda unit: platform.auth.active_users(Role.CASE_OFFICER, unit),
        supervisors=lambda unit: platform.auth.active_users(Role.CASE_SUPERVISOR, unit),
        routing=CaseRouting(default=CHECKS, by_scenario={"dg_misdeclaration": INSPECTION}),
        sla=SlaPolicy(default_working_days=5),
        clock=clock,
    )


def staff(
    platform: Platform, role: Role = Role.CASE_OFFICER, department: str | None = CHECKS
) -> Actor:
    name = f"{role.value.replace('_', '-')}-{next(_names)}"
    user = platform.auth.create_user(name, PASSWORD, role, actor=SYSTEM, department=department)
    return user.as_actor()


def alert(
    uscc: str | None = ACME, scenario: str | None = "undervaluation",
    rules: tuple[str, ...] = ("UV01",), assessment_id: str | None = None,
    at: dt.datetime | None = None,
) -> AlertRaised:  # fmt: skip
    extra: dict[str, Any] = {"occurred_at": at} if at else {}
    return AlertRaised(
        assessment_id=assessment_id or str(uuid.uuid4()), dataset="declarations",
        record_key="223320250000012345/1", enterprise_uscc=uscc, outcome="hold", score=82.0,
        scenario=scenario, rules=list(rules), rule_set_version=1, **extra,
    )  # fmt: skip


def ingest(platform: Platform, cases: CaseService, *events: AlertRaised) -> None:
    consumer = IdempotentConsumer(platform.database, "cases.intake", cases.ingest_alert)
    for event in events:
        consumer(event)


def only_case(cases: CaseService, actor: Actor = SYSTEM) -> int:
    found = cases.inbox(actor=actor)
    assert len(found) == 1, found
    return found[0].id


def outbox(platform: Platform, name: str) -> list[dict[str, Any]]:
    with platform.uow.read() as session:
        rows = session.scalars(
            select(OutboxRow).where(OutboxRow.name == name).order_by(OutboxRow.id)
        )
        return [row.payload for row in rows]


def audit_actions(platform: Platform) -> list[str]:
    with platform.uow.read() as session:
        return [r.action for r in platform.audit.list_records(session, actor=SYSTEM, limit=500)]


# --- departments on users ----------------------------------------------------------------


def test_staff_users_carry_their_department_into_the_actor(platform: Platform) -> None:
    actor = staff(platform, department=" 查验一处 ")
    assert actor.department == INSPECTION
    assert staff(platform, department=None).department is None
    assert [u.username for u in platform.auth.active_users(Role.CASE_OFFICER, INSPECTION)] == [
        actor.username
    ]
    with pytest.raises(Invalid) as refused:
        platform.auth.create_user("ent-with-dept", PASSWORD, Role.ENTERPRISE, actor=SYSTEM,
                                  enterprise_id=1, department=CHECKS)  # fmt: skip
    assert refused.value.field == "department"


# --- intake: grouping, dedupe, suppression ------------------------------------------------


def test_alerts_group_into_one_open_case_per_enterprise_and_scenario(
    platform: Platform, cases: CaseService
) -> None:
    ingest(platform, cases, alert(), alert(rules=("UV02",)), alert(),
           alert(scenario="dg_misdeclaration", rules=("DG01",)), alert(uscc=BETA))  # fmt: skip
    inbox = cases.inbox(actor=SYSTEM)
    assert len(inbox) == 3
    grouped = {(c.enterprise_uscc, c.scenario): c for c in inbox}
    main = cases.get(grouped[(ACME, "undervaluation")].id, actor=SYSTEM)
    assert len(main.alerts) == 3 and main.case.state is CaseState.NEW
    assert main.case.department == CHECKS
    assert grouped[(ACME, "dg_misdeclaration")].department == INSPECTION
    kinds = [entry.kind for entry in main.timeline]
    assert kinds == ["opened", "alert_attached", "alert_attached", "alert_attached"]
    assert {"cases.opened", "cases.alert_attached"} <= set(audit_actions(platform))


def test_a_duplicate_alert_is_ignored(platform: Platform, cases: CaseService) -> None:
    first = alert(assessment_id="a-1")
    again = alert(assessment_id="a-1")  # re-raised: new event id, same assessment
    ingest(platform, cases, first, first, again)
    detail = cases.get(only_case(cases), actor=SYSTEM)
    assert [a.reference for a in detail.alerts] == ["a-1"]


def test_an_alert_without_enterprise_opens_no_case(platform: Platform, cases: CaseService) -> None:
    ingest(platform, cases, alert(uscc=None), alert(scenario=None))
    inbox = cases.inbox(actor=SYSTEM)
    assert [(c.enterprise_uscc, c.scenario) for c in inbox] == [(ACME, "unclassified")]


def test_an_alert_with_a_malformed_enterprise_code_is_kept_but_opens_no_case(
    platform: Platform, cases: CaseService
) -> None:
    bad = alert(uscc="91310115MA1K4AB3CX")  # checksum wrong
    ingest(platform, cases, bad, alert(uscc=ACME.lower()))  # lower case is normalised
    assert [c.enterprise_uscc for c in cases.inbox(actor=SYSTEM)] == [ACME]
    with platform.uow.read() as session:
        row = session.scalar(select(CaseAlertRow).where(
            CaseAlertRow.reference == bad.assessment_id))  # fmt: skip
    assert row is not None and row.disposition == "unattributed" and row.case_id is None
    assert "企业代码无效" in row.text and "uscc" in row.text


def test_a_suppression_needs_a_reason_and_is_audited_and_listed(
    platform: Platform, cases: CaseService
) -> None:
    officer = staff(platform)
    for reason in ("", "   "):
        with pytest.raises(Invalid) as refused:
            cases.suppress_rule("UV01", ACME, dt.date(2026, 3, 1), reason, actor=officer)
        assert refused.value.field == "reason"
    with pytest.raises(Invalid) as past:
        cases.suppress_rule("UV01", ACME, dt.date(2026, 2, 1), "known supplier", actor=officer)
    assert past.value.field == "until"
    with pytest.raises(Forbidden):
        cases.suppress_rule(
            "UV01", ACME, dt.date(2026, 3, 1), "x", actor=staff(platform, Role.RISK_OFFICER)
        )
    made = cases.suppress_rule("UV01", ACME, dt.date(2026, 2, 20), "known supplier", actor=officer)
    assert made.actor == officer.username
    assert [s.id for s in cases.suppressions(actor=officer, active_only=True)] == [made.id]
    assert "cases.suppress_rule" in audit_actions(platform)


def test_a_suppressed_rule_opens_no_case_until_the_suppression_ends(
    platform: Platform, cases: CaseService
) -> None:
    officer = staff(platform)
    cases.suppress_rule("UV01", ACME, dt.date(2026, 2, 20), "price agreed", actor=officer)
    on_last_day = dt.datetime(2026, 2, 20, 23, 30, tzinfo=SHANGHAI)
    day_after = dt.datetime(2026, 2, 21, 0, 30, tzinfo=SHANGHAI)
    ingest(platform, cases, alert(at=on_last_day), alert(uscc=BETA, at=on_last_day))
    assert [c.enterprise_uscc for c in cases.inbox(actor=SYSTEM)] == [BETA]  # other firm
    ingest(platform, cases, alert(rules=("UV01", "UV02"), at=on_last_day))  # UV02 not muted
    ingest(platform, cases, alert(at=day_after))
    acme = next(c for c in cases.inbox(actor=SYSTEM) if c.enterprise_uscc == ACME)
    assert len(cases.get(acme.id, actor=SYSTEM).alerts) == 2
    assert "cases.alert_suppressed" in audit_actions(platform)


def test_manual_and_credit_alerts_group_like_risk_alerts(
    platform: Platform, cases: CaseService
) -> None:
    officer = staff(platform)
    ingest(platform, cases, alert())
    tip = cases.raise_manual_alert(ACME, "undervaluation", "热线举报：低报价格", actor=officer,
                                   reference="12345-001")  # fmt: skip
    credit = cases.raise_credit_alert(ACME, "credit-77", "信用等级下调", scenario="undervaluation")
    assert tip.case_id == credit.case_id == only_case(cases)
    assert tip.disposition is AlertDisposition.ATTACHED
    one, two = (
        cases.raise_manual_alert(ACME, "undervaluation", "匿名举报", actor=officer) for _ in "12"
    )
    assert one.reference != two.reference and one.case_id == two.case_id
    with pytest.raises(Conflict):
        cases.raise_credit_alert(ACME, "credit-77", "again", scenario="undervaluation")
    with pytest.raises(Invalid) as bad:
        cases.raise_manual_alert("not-a-uscc", "x", "tip", actor=officer)
    assert bad.value.field == "enterprise_uscc"
    with pytest.raises(Forbidden):
        cases.raise_manual_alert(ACME, "x", "tip", actor=ENTERPRISE_USER)


# --- lifecycle ----------------------------------------------------------------------------


def test_moves_follow_the_lifecycle_and_refusals_name_the_allowed_moves(
    platform: Platform, cases: CaseService
) -> None:
    officer = staff(platform)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    with pytest.raises(Conflict) as refused:
        cases.move(case_id, CaseState.CLOSED, actor=officer)
    assert "triage" in refused.value.message and "investigating" in refused.value.message
    assert (
        cases.move(case_id, CaseState.TRIAGE, actor=officer, note="看一下").state
        is CaseState.TRIAGE
    )
    with pytest.raises(Conflict) as via_closure:
        cases.move(case_id, CaseState.CLOSED, actor=officer)
    assert "request_closure" in via_closure.value.message
    moved = cases.move(case_id, CaseState.INVESTIGATING, actor=officer)
    assert moved.state is CaseState.INVESTIGATING
    with pytest.raises(Conflict) as back:
        cases.move(case_id, CaseState.TRIAGE, actor=officer)
    assert "pending_approval" in back.value.message
    timeline = cases.get(case_id, actor=officer).timeline
    assert [e.kind for e in timeline][-2:] == ["moved", "moved"]
    assert "看一下" in timeline[-2].detail


def test_other_outcomes_close_at_once_from_triage(platform: Platform, cases: CaseService) -> None:
    officer = staff(platform)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    cases.move(case_id, CaseState.TRIAGE, actor=officer)
    with pytest.raises(Conflict):  # a violation needs investigating first
        cases.request_closure(case_id, Outcome.CONFIRMED_VIOLATION, {}, actor=officer)
    closed = cases.request_closure(case_id, Outcome.FALSE_POSITIVE, {}, actor=officer)
    assert closed.state is CaseState.CLOSED and closed.outcome is Outcome.FALSE_POSITIVE
    assert cases.inbox(actor=officer) == []
    assert [c.id for c in cases.inbox(actor=officer, state=CaseState.CLOSED)] == [case_id]
    [event] = outbox(platform, "cases.case_closed")
    assert event["outcome"] == "false_positive" and event["approved_by"] is None
    ingest(platform, cases, alert())  # a new alert opens a new case once closed
    assert only_case(cases) != case_id


def test_a_confirmed_violation_needs_a_second_officer(
    platform: Platform, cases: CaseService
) -> None:
    first, second = staff(platform), staff(platform)
    ingest(platform, cases, alert(assessment_id="a-1", rules=("UV01", "UV02")),
           alert(assessment_id="a-2", rules=("UV01",)))  # fmt: skip
    case_id = only_case(cases)
    cases.move(case_id, CaseState.INVESTIGATING, actor=first)
    disposal = {
        "penalty_rmb": "12000.50",
        "duty_recovered_rmb": 3400,
        "goods_seized": "电子元件 20 箱",
    }
    pending = cases.request_closure(case_id, Outcome.CONFIRMED_VIOLATION, disposal, actor=first)
    assert pending.state is CaseState.PENDING_APPROVAL
    assert outbox(platform, "cases.case_closed") == []
    with pytest.raises(Forbidden):
        cases.approve(case_id, actor=first)
    with pytest.raises(Conflict):
        cases.move(case_id, CaseState.INVESTIGATING, actor=first)
    closed = cases.approve(case_id, actor=second, note="同意")
    assert closed.state is CaseState.CLOSED and closed.closure_approved_by == second.username
    assert closed.disposal is not None and str(closed.disposal.penalty_rmb) == "12000.50"
    detail = cases.get(case_id, actor=second)
    assert {a.label for a in detail.alerts} == {Outcome.CONFIRMED_VIOLATION}
    [event] = outbox(platform, "cases.case_closed")
    assert event["rules"] == ["UV01", "UV02"]
    assert sorted(event["assessment_ids"]) == ["a-1", "a-2"]
    assert event["closed_by"] == first.username and event["approved_by"] == second.username
    assert event["disposal"] == {"penalty_rmb": "12000.50", "duty_recovered_rmb": "3400.00",
                                 "goods_seized": "电子元件 20 箱"}  # fmt: skip
    assert "cases.closed" in audit_actions(platform)


def test_a_second_officer_may_reject_with_a_reason(platform: Platform, cases: CaseService) -> None:
    first, second = staff(platform), staff(platform)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    cases.move(case_id, CaseState.INVESTIGATING, actor=first)
    cases.request_closure(case_id, Outcome.CONFIRMED_VIOLATION, {"penalty_rmb": 1}, actor=first)
    with pytest.raises(Invalid) as no_reason:
        cases.reject(case_id, actor=second, note=" ")
    assert no_reason.value.field == "note"
    with pytest.raises(Forbidden):
        cases.reject(case_id, actor=first, note="withdraw")
    back = cases.reject(case_id, actor=second, note="证据不足")
    assert back.state is CaseState.INVESTIGATING and back.outcome is None


@pytest.mark.parametrize(
    ("disposal", "field"),
    [
        ({"penalty_rmb": -1}, "disposal.penalty_rmb"),
        ({"duty_recovered_rmb": "abc"}, "disposal.duty_recovered_rmb"),
        ({"penalty_rmb": "1.005"}, "disposal.penalty_rmb"),
        ({"goods_seized": 5}, "disposal.goods_seized"),
        ({"fine": 5}, "disposal.fine"),
    ],
)
def test_a_bad_disposal_is_refused_naming_the_field(
    platform: Platform, cases: CaseService, disposal: dict[str, Any], field: str
) -> None:
    officer = staff(platform)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    cases.move(case_id, CaseState.INVESTIGATING, actor=officer)
    with pytest.raises(Invalid) as refused:
        cases.request_closure(case_id, Outcome.CONFIRMED_VIOLATION, disposal, actor=officer)
    assert refused.value.field == field
    assert cases.get(case_id, actor=officer).case.state is CaseState.INVESTIGATING


def test_open_tasks_block_closing(platform: Platform, cases: CaseService) -> None:
    officer = staff(platform)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    cases.move(case_id, CaseState.INVESTIGATING, actor=officer)
    request = cases.add_task(case_id, TaskKind.INFORMATION_REQUEST, "提供采购合同", actor=officer,
                             due_on=dt.date(2026, 2, 13))  # fmt: skip
    lab = cases.add_task(case_id, TaskKind.LAB_TEST, "成分检测", actor=officer)
    assert request.to_enterprise and not lab.to_enterprise
    with pytest.raises(Conflict) as blocked:
        cases.request_closure(case_id, Outcome.INCONCLUSIVE, {}, actor=officer)
    assert "2 open task" in blocked.value.message
    with pytest.raises(Invalid):
        cases.finish_task(request.id, " ", actor=officer)
    cases.finish_task(request.id, "合同已提交", actor=officer)
    cases.cancel_task(lab.id, "不再需要", actor=officer)
    with pytest.raises(Conflict):
        cases.finish_task(lab.id, "late", actor=officer)
    assert (
        cases.request_closure(case_id, Outcome.INCONCLUSIVE, {}, actor=officer).state
        is CaseState.CLOSED
    )


def test_reopen_needs_a_reason_and_withdraws_the_labels(
    platform: Platform, cases: CaseService
) -> None:
    officer = staff(platform)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    cases.move(case_id, CaseState.TRIAGE, actor=officer)
    with pytest.raises(Conflict) as not_closed:
        cases.reopen(case_id, actor=officer, reason="x")
    assert "allowed: investigating" in not_closed.value.message
    cases.request_closure(case_id, Outcome.FALSE_POSITIVE, {}, actor=officer)
    with pytest.raises(Invalid):
        cases.reopen(case_id, actor=officer, reason="")
    reopened = cases.reopen(case_id, actor=officer, reason="新证据")
    assert reopened.state is CaseState.REOPENED and reopened.outcome is None
    assert reopened.reopen_count == 1
    assert {a.label for a in cases.get(case_id, actor=officer).alerts} == {None}
    [event] = outbox(platform, "cases.case_reopened")
    assert event["previous_outcome"] == "false_positive"
    ingest(platform, cases, alert())  # joins the reopened case
    assert len(cases.get(case_id, actor=officer).alerts) == 2
    cases.move(case_id, CaseState.INVESTIGATING, actor=officer)
    cases.request_closure(case_id, Outcome.REFERRED, {}, actor=officer)
    ingest(platform, cases, alert())  # a new case for the pair…
    with pytest.raises(Conflict):  # …so the old one cannot reopen beside it
        cases.reopen(case_id, actor=officer, reason="again")


# --- assignment and isolation -------------------------------------------------------------


def test_assignment_by_hand_and_by_workload(platform: Platform, cases: CaseService) -> None:
    busy, free = staff(platform), staff(platform)
    elsewhere = staff(platform, department=INSPECTION)
    ingest(platform, cases, alert(), alert(uscc=BETA), alert(scenario="shell_company"))
    first, second, third = (c.id for c in cases.inbox(actor=SYSTEM))
    with pytest.raises(Invalid) as wrong:
        cases.assign(first, elsewhere.username, actor=busy)
    assert wrong.value.field == "username"
    assert cases.assign(first, busy.username, actor=busy).assignee == busy.username
    assert cases.auto_assign(second).assignee == free.username
    chosen = cases.auto_assign(third).assignee
    assert chosen == min(busy.username, free.username)  # tie: one case each
    kinds = [e.kind for e in cases.get(second, actor=SYSTEM).timeline]
    assert "auto_assigned" in kinds


def test_officers_see_only_their_department(platform: Platform, cases: CaseService) -> None:
    ours, theirs = staff(platform), staff(platform, department=INSPECTION)
    nobody = staff(platform, department=None)
    auditor = staff(platform, Role.AUDITOR, department=None)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    assert cases.get(case_id, actor=ours).case.id == case_id
    assert cases.inbox(actor=theirs) == [] and cases.inbox(actor=nobody) == []
    for call in (
        lambda: cases.get(case_id, actor=theirs),
        lambda: cases.move(case_id, CaseState.TRIAGE, actor=theirs),
        lambda: cases.pause(case_id, actor=theirs),
        lambda: cases.get(case_id + 999, actor=ours),
    ):
        with pytest.raises(NotFound) as hidden:
            call()
        assert "not found" in hidden.value.message
    assert cases.get(case_id, actor=auditor).case.id == case_id
    with pytest.raises(Forbidden):
        cases.move(case_id, CaseState.TRIAGE, actor=auditor)
    enterprise = ENTERPRISE_USER
    with pytest.raises(Forbidden):
        cases.inbox(actor=enterprise)
    with pytest.raises(Forbidden):
        cases.get(case_id, actor=enterprise)


def test_the_platform_wires_the_case_service(platform: Platform) -> None:
    ingest(platform, platform.cases, alert())
    [case] = platform.cases.inbox(actor=SYSTEM)
    assert case.department == platform.cases.routing.default
    assert case.sla.limit == platform.cases.sla.default_working_days


# --- SLA in working days across the 2026 Spring Festival ----------------------------------


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def test_sla_pauses_and_escalates_across_the_spring_festival(
    platform: Platform, cases: CaseService, clock: Clock
) -> None:
    officer = staff(platform)
    clock.set(2026, 2, 13, 10, 0)  # Friday before the holiday (02-15 … 02-23)
    ingest(platform, cases, alert(), alert(uscc=BETA))
    acme, beta = (
        next(c for c in cases.inbox(actor=SYSTEM) if c.enterprise_uscc == u) for u in (ACME, BETA)
    )
    # day 1 is the make-up Saturday 02-14, days 2–5 are 02-24 … 02-27
    assert acme.due_at == local(2026, 2, 27, 17, 0)
    clock.set(2026, 2, 13, 11, 0)
    cases.pause(beta.id, actor=officer, note="等待企业提供合同")
    with pytest.raises(Invalid) as twice:
        cases.pause(beta.id, actor=officer)
    assert twice.value.field == "pauses"
    clock.set(2026, 2, 24, 9, 0)
    paused = cases.get(beta.id, actor=officer).case
    assert paused.sla_status.value == "paused"
    clock.set(2026, 2, 25, 10, 0)
    resumed = cases.resume(beta.id, actor=officer)
    # paused working days 02-14, 02-24, 02-25 push the deadline back three working days
    assert resumed.due_at == local(2026, 3, 3, 17, 0)

    assert cases.overdue(local(2026, 2, 27, 16, 59), actor=officer) == []
    assert [c.id for c in cases.overdue(local(2026, 2, 27, 17, 0), actor=officer)] == [acme.id]
    assert (
        cases.overdue(local(2026, 3, 2, 9, 0), actor=staff(platform, department=INSPECTION)) == []
    )
    assert cases.escalate_overdue(local(2026, 2, 27, 17, 0)) == [acme.id]
    assert cases.escalate_overdue(local(2026, 2, 28, 10, 0)) == []  # idempotent
    assert cases.escalate_overdue(local(2026, 3, 3, 17, 0)) == [beta.id]
    events = outbox(platform, "cases.case_escalated")
    assert [(e["case_id"], e["overdue_working_days"]) for e in events] == [
        (acme.id, 1),
        (beta.id, 1),
    ]
    clock.set(2026, 3, 3, 17, 0)
    assert {c.id for c in cases.inbox(actor=officer, overdue_only=True)} == {acme.id, beta.id}
    escalated = cases.get(acme.id, actor=officer)
    assert escalated.case.escalated_at == local(2026, 2, 27, 17, 0)
    assert escalated.timeline[-1].kind == "escalated" and CHECKS in escalated.timeline[-1].detail
    assert "cases.escalated" in audit_actions(platform)


def test_the_case_clock_skips_national_day_and_counts_its_make_up_saturday(
    platform: Platform, cases: CaseService, clock: Clock
) -> None:
    clock.set(2026, 9, 30, 10, 0)  # Wednesday; National Day holiday 10-01 … 10-07
    ingest(platform, cases, alert())
    [case] = cases.inbox(actor=SYSTEM)
    # days 1–5: Thu 10-08, Fri 10-09, make-up Sat 10-10, Mon 10-12, Tue 10-13
    assert case.due_at == local(2026, 10, 13, 17, 0)
    sla = case.sla  # on the make-up Saturday, Monday and Tuesday are left (0 on the due day)
    assert sla.remaining_working_days(local(2026, 10, 10, 12, 0)) == 2
    assert sla.remaining_working_days(local(2026, 10, 12, 12, 0)) == 1
    assert sla.remaining_working_days(local(2026, 10, 13, 12, 0)) == 0


def test_a_breached_case_reaches_its_department_supervisors_inbox(
    platform: Platform, cases: CaseService, clock: Clock
) -> None:
    officer = staff(platform)
    supervisor = staff(platform, Role.CASE_SUPERVISOR)
    elsewhere = staff(platform, Role.CASE_SUPERVISOR, department=INSPECTION)
    clock.set(2026, 9, 21, 10, 0)  # Monday; the Mid-Autumn Festival is Friday 09-25
    ingest(platform, cases, alert(), alert(uscc=BETA))
    acme = next(c for c in cases.inbox(actor=SYSTEM) if c.enterprise_uscc == ACME)
    assert cases.escalations(actor=supervisor) == []
    # 5 working days after Monday 09-21: 09-22, 09-23, 09-24, (holiday 09-25), 09-28, 09-29
    assert acme.due_at == local(2026, 9, 29, 17, 0)
    assert cases.escalate_overdue(local(2026, 9, 29, 16, 59)) == []
    assert len(cases.escalate_overdue(local(2026, 9, 30, 9, 0))) == 2
    [event, _] = outbox(platform, "cases.case_escalated")
    assert event["supervisors"] == [supervisor.username]
    entry = cases.get(acme.id, actor=officer).timeline[-1]
    assert entry.kind == "escalated" and supervisor.username in entry.text()
    assert entry.text().startswith("超出办理时限") and entry.text("en").startswith("SLA breached")
    assert {c.id for c in cases.escalations(actor=supervisor)} >= {acme.id}
    assert all(c.escalated_at is not None for c in cases.escalations(actor=supervisor))
    assert cases.escalations(actor=elsewhere) == []  # another department's supervisor
    with pytest.raises(Forbidden):
        cases.escalations(actor=officer)  # officers work cases; supervisors take escalations
    # a supervisor works the case like an officer of the department: reassigns it
    moved = cases.assign(acme.id, officer.username, actor=supervisor)
    assert moved.assignee == officer.username
    with pytest.raises(NotFound):
        cases.get(acme.id, actor=elsewhere)


def test_generated_timeline_details_read_in_chinese_and_english(
    platform: Platform, cases: CaseService
) -> None:
    officer = staff(platform)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    cases.move(case_id, CaseState.TRIAGE, actor=officer, note="先研判")
    cases.add_task(case_id, TaskKind.INFORMATION_REQUEST, "提供合同", actor=officer)
    timeline = cases.get(case_id, actor=officer).timeline
    texts = {e.kind: (e.text(), e.text("en")) for e in timeline}
    assert texts["moved"] == ("新建 → 研判——先研判", "New → Triage — 先研判")
    assert texts["task_added"] == (
        "要求企业补充材料：提供合同", "Request for information: 提供合同"
    )
    assert texts["paused"][0].startswith("等待企业答复") and texts["paused"][1].startswith(
        "waiting for the enterprise"
    )
    assert "核查一处" in texts["opened"][0] and "working days" in texts["opened"][1]


def test_closing_stops_the_clock_and_reopening_starts_a_new_one(
    platform: Platform, cases: CaseService, clock: Clock
) -> None:
    officer = staff(platform)
    clock.set(2026, 2, 13, 10, 0)
    ingest(platform, cases, alert())
    case_id = only_case(cases)
    cases.move(case_id, CaseState.TRIAGE, actor=officer)
    cases.pause(case_id, actor=officer)
    clock.set(2026, 2, 24, 10, 0)
    closed = cases.request_closure(case_id, Outcome.FALSE_POSITIVE, {}, actor=officer)
    assert (
        closed.sla.stopped_at == local(2026, 2, 24, 10, 0) and closed.sla_status.value == "stopped"
    )
    assert cases.escalate_overdue(local(2026, 4, 1, 10, 0)) == []  # closed cases never escalate
    clock.set(2026, 4, 1, 10, 0)
    reopened = cases.reopen(case_id, actor=officer, reason="复核")
    assert reopened.sla.started_at == local(2026, 4, 1, 10, 0) and reopened.sla.pauses == ()
    # Qingming: 04-04 … 04-06 off, so 5 working days from Wed 04-01 end on Thu 04-09
    assert reopened.due_at == local(2026, 4, 9, 17, 0)


# --- migration -----------------------------------------------------------------------------


def test_migration_0006_downgrades_to_0005_and_upgrades_again(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from lingang.db import Database, alembic_config

    database = Database(database_url)
    try:
        assert database.current_revision() == head_revision()
        with database.engine.begin() as connection:
            config = alembic_config(database_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        tables = set(inspect(database.engine).get_table_names())
        assert not tables & {"cases", "case_alerts", "case_timeline", "case_tasks",
                             "case_rule_suppressions"}  # fmt: skip
        columns = {c["name"] for c in inspect(database.engine).get_columns("users")}
        assert "department" not in columns and database.current_revision() == "0005"
        database.upgrade()
        inspector = inspect(database.engine)
        assert {"cases", "case_alerts", "case_timeline", "case_tasks"} <= set(
            inspector.get_table_names()
        )
        assert "department" in {c["name"] for c in inspector.get_columns("users")}
    finally:
        database.dispose()
