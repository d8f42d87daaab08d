"""Enterprise credit records on SQLite and PostgreSQL: every case closing becomes a record,
once; an enterprise reads only its own."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, bearer, make_enterprise, make_user
from lingang.bootstrap import Platform, subscribe_credit_records
from lingang.bus.relay import IdempotentConsumer
from lingang.cases.events import CaseClosed
from lingang.cases.model import CaseState, Outcome
from lingang.credit.model import CreditRecord, RecordKind
from lingang.credit.service import CREDIT_CONSUMER
from lingang.demo import demo_uscc
from lingang.errors import Invalid, NotFound
from lingang.types import SYSTEM, Role
from lingang.workdays import SHANGHAI

ACME, BETA = demo_uscc(8_200_001), demo_uscc(8_200_002)
_names = itertools.count(1)
_tips = itertools.count(1)


def closed(case_id: int = 7, outcome: Outcome = Outcome.CONFIRMED_VIOLATION,
           uscc: str = ACME, reopen_count: int = 0, **extra: Any) -> CaseClosed:  # fmt: skip
    return CaseClosed(
        case_id=case_id, enterprise_uscc=uscc, scenario="undervaluation", department="核查一处",
        outcome=outcome.value, rules=["UV01", "UV02"], assessment_ids=["a-1"], alert_count=2,
        disposal={"penalty_rmb": "12000.50", "duty_recovered_rmb": "3400.00"},
        closed_by="officer-1", approved_by="officer-2", reopen_count=reopen_count, **extra,
    )  # fmt: skip


def consumer(platform: Platform) -> IdempotentConsumer:
    return IdempotentConsumer(
        platform.database, CREDIT_CONSUMER, platform.credit_records.record_case_closed
    )


def test_a_confirmed_violation_becomes_an_outcome_and_a_violation_once(
    platform: Platform,
) -> None:
    handle = consumer(platform)
    at = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)  # 2 March in Shanghai
    event = closed(occurred_at=at)
    handle(event)
    handle(event)  # a replay adds nothing
    records = platform.credit_records.records(ACME, actor=SYSTEM)
    assert sorted(r.kind for r in records) == [RecordKind.CASE_OUTCOME, RecordKind.VIOLATION]
    outcome = next(r for r in records if r.kind is RecordKind.CASE_OUTCOME)
    assert outcome.occurred_on == dt.date(2026, 3, 2) and outcome.source == "cases"
    assert outcome.details["disposal"]["penalty_rmb"] == "12000.50"
    assert outcome.details["rules"] == ["UV01", "UV02"]
    assert outcome.details["outcome"] == "confirmed_violation"
    # the same closing redelivered under another event id still adds nothing
    handle(closed(occurred_at=at))
    assert len(platform.credit_records.records(ACME, actor=SYSTEM)) == 2


@pytest.mark.parametrize(
    "outcome", [Outcome.FALSE_POSITIVE, Outcome.INCONCLUSIVE, Outcome.REFERRED]
)
def test_other_outcomes_become_an_outcome_record_only(platform: Platform, outcome: Outcome) -> None:
    consumer(platform)(closed(outcome=outcome, uscc=BETA))
    [record] = platform.credit_records.records(BETA, actor=SYSTEM)
    assert record.kind is RecordKind.CASE_OUTCOME and record.details["outcome"] == outcome.value
    assert outcome.label() in record.summary


def test_a_case_closed_again_after_reopening_adds_records_newest_first(
    platform: Platform,
) -> None:
    handle = consumer(platform)
    handle(closed(outcome=Outcome.FALSE_POSITIVE,
                  occurred_at=dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)))  # fmt: skip
    handle(closed(reopen_count=1, occurred_at=dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC)))
    records = platform.credit_records.records(ACME, actor=SYSTEM)
    assert [r.occurred_on.month for r in records] == [4, 4, 3]
    assert records[-1].details["outcome"] == "false_positive"


def test_the_handler_refuses_other_events(platform: Platform) -> None:
    from lingang.risk.assessments.events import AlertRaised

    other = AlertRaised(assessment_id="x", dataset="declarations", record_key="k",
                        enterprise_uscc=ACME, outcome="hold", score=1.0, scenario=None,
                        rules=[], rule_set_version=1)  # fmt: skip
    with platform.database.sessions() as session, pytest.raises(Invalid):
        platform.credit_records.record_case_closed(session, other)


def test_an_enterprise_reads_only_its_own_records(platform: Platform) -> None:
    ours, theirs = make_enterprise(platform), make_enterprise(platform)
    handle = consumer(platform)
    handle(closed(case_id=1, uscc=ours.uscc))
    handle(closed(case_id=2, uscc=theirs.uscc))
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=ours.id).as_actor()
    assert {r.enterprise_uscc for r in platform.credit_records.records(ours.uscc, actor=user)} == {
        ours.uscc
    }
    with pytest.raises(NotFound):
        platform.credit_records.records(theirs.uscc, actor=user)
    viewer = make_user(platform, Role.PLANNER).as_actor()
    assert len(platform.credit_records.records(theirs.uscc, actor=viewer)) == 2


def wait_for(platform: Platform, uscc: str, count: int) -> list[CreditRecord]:
    deadline = time.monotonic() + 10
    while True:
        platform.relay.notify()
        found = platform.credit_records.records(uscc, actor=SYSTEM)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_closing_a_case_on_the_platform_writes_its_credit_record(platform: Platform) -> None:
    subscribe_credit_records(platform)  # already subscribed by start(): does nothing
    uscc = make_enterprise(platform).uscc
    name = f"credit-officer-{next(_names)}"
    unit = platform.cases.routing.default
    user = platform.auth.create_user(name, PASSWORD, Role.CASE_OFFICER, actor=SYSTEM,
                                     department=unit)  # fmt: skip
    officer = user.as_actor()
    tip = "热线举报：申报价格偏低"
    alert = platform.cases.raise_manual_alert(
        uscc, "hotline_tip", tip, actor=officer, reference=f"credit-{next(_tips)}"
    )
    case_id = alert.case_id
    assert case_id is not None
    platform.cases.move(case_id, CaseState.TRIAGE, actor=officer)
    platform.cases.request_closure(case_id, Outcome.FALSE_POSITIVE, {}, actor=officer)
    [record] = wait_for(platform, uscc, 1)
    assert record.kind is RecordKind.CASE_OUTCOME
    assert record.details["case_id"] == case_id
    assert record.occurred_on == dt.datetime.now(SHANGHAI).date()


def test_credit_records_through_the_api(client: TestClient, platform: Platform) -> None:
    ours, theirs = make_enterprise(platform), make_enterprise(platform)
    handle = consumer(platform)
    handle(closed(case_id=11, uscc=ours.uscc))
    handle(closed(case_id=12, uscc=theirs.uscc, outcome=Outcome.REFERRED))
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=ours.id)
    headers = bearer(client, user.username)
    mine = client.get(f"/api/enterprises/{ours.uscc}/credit-records", headers=headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["count"] == 2
    assert {r["kind"] for r in body["data"]} == {"case_outcome", "violation"}
    assert body["data"][0]["kind_label"]["zh"] in {"案件结果", "违规记录"}
    other = client.get(f"/api/enterprises/{theirs.uscc}/credit-records", headers=headers)
    assert other.status_code == 404
    staff = bearer(client, make_user(platform, Role.PLANNER).username)
    answer = client.get(f"/api/enterprises/{theirs.uscc}/credit-records", headers=staff)
    assert answer.status_code == 200 and answer.json()["data"][0]["kind"] == "case_outcome"
    assert client.get(f"/api/enterprises/{ours.uscc}/credit-records").status_code == 401
