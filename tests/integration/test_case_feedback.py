"""Feedback from case closures (precision, Wilson intervals, threshold suggestions, training
labels) and the case dashboards, on SQLite and PostgreSQL, by hand-computed numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from lingang.bootstrap import Platform
from lingang.bus.relay import IdempotentConsumer
from lingang.cases.dashboards import CaseDashboards, bucket_labels, percentile
from lingang.cases.feedback import FeedbackService, suggest, wilson
from lingang.cases.model import CaseRouting, CaseState, Outcome, SlaPolicy
from lingang.cases.service import CaseService
from lingang.demo import demo_uscc
from lingang.errors import Forbidden, Invalid
from lingang.risk.assessments.events import AlertRaised
from lingang.risk.assessments.store import AssessmentRow
from lingang.types import SYSTEM, Actor, Role
from lingang.workdays import SHANGHAI

PASSWORD = "Correct-horse-42"
CHECKS, INSPECTION = "核查一处", "查验一处"
ACME, BETA, GAMMA, DELTA, EPSILON = (demo_uscc(8_200_001 + i) for i in range(5))
LINGANG = str(Path(sys.executable).with_name("lingang"))
_names = itertools.count(1)


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def set(self, month: int, day: int, hour: int = 10) -> None:
        self.at = dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 2, 9, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def cases(platform: Platform, clock: Clock) -> CaseService:
    return CaseService(
        platform.uow, platform.audit,
        officers=lambda unit: platform.auth.active_users(Role.CASE_OFFICER, unit),
        routing=CaseRouting(default=CHECKS, by_scenario={"dg_misdeclaration": INSPECTION}),
        sla=SlaPolicy(default_working_days=5), clock=clock,
    )  # fmt: skip


@pytest.fixture
def feedback(platform: Platform) -> FeedbackService:
    return FeedbackService(platform.uow)


@pytest.fixture
def boards(platform: Platform, clock: Clock) -> CaseDashboards:
    return CaseDashboards(platform.uow, clock=clock)


def staff(platform: Platform, role: Role = Role.CASE_OFFICER, department: str | None = CHECKS
          ) -> Actor:  # fmt: skip
    name = f"{role.value.replace('_', '-')}-{next(_names)}"
    return platform.auth.create_user(name, PASSWORD, role, actor=SYSTEM,
                                     department=department).as_actor()  # fmt: skip


def raise_alert(
    platform: Platform, cases: CaseService, uscc: str, scenario: str, rules: tuple[str, ...],
    at: dt.datetime, assessment_id: str | None = None,
) -> str:  # fmt: skip
    """Ingest an AlertRaised for an assessment (as the bus would); returns the assessment id."""
    reference = assessment_id or str(uuid.uuid4())
    event = AlertRaised(
        assessment_id=reference, dataset="declarations", record_key=f"{reference[:18]}/1",
        enterprise_uscc=uscc, outcome="hold", score=82.0, scenario=scenario,
        rules=list(rules), rule_set_version=1, occurred_at=at,
    )  # fmt: skip
    IdempotentConsumer(platform.database, "cases.intake", cases.ingest_alert)(event)
    return reference


def store_assessment(
    platform: Platform, assessment_id: str, scenario: str, scenario_score: float,
    *, day: dt.date, record: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    """An assessment row as the engine stores it: the scenario's score, a higher total."""
    with platform.uow() as uow:
        uow.session.add(AssessmentRow(
            id=assessment_id, dataset="declarations", record_key=f"{assessment_id[:18]}/1",
            enterprise_uscc=ACME, event_day=day,
            assessed_at=dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC), source="bus",
            rule_set_version=1, scorer_version=None, score=min(100.0, scenario_score + 7),
            outcome="hold", top_scenario=scenario, hits=[{"rule": "OL01"}],
            scenarios=[{"scenario": "other", "score": 99.0},
                       {"scenario": scenario, "score": scenario_score, "outcome": "review"}],
            features={"value_ratio": 0.4, "_contributions": [["value_ratio", 0.2]]},
            record=record or {"declaration_id": assessment_id},
        ))  # fmt: skip
        uow.commit()


def case_of(cases: CaseService, uscc: str, scenario: str) -> int:
    found = [c for c in cases.inbox(actor=SYSTEM)
             if (c.enterprise_uscc, c.scenario) == (uscc, scenario)]  # fmt: skip
    assert len(found) == 1, found
    return found[0].id


def close(cases: CaseService, case_id: int, outcome: Outcome, first: Actor, second: Actor) -> None:
    """Investigate and close; a confirmed violation with a second officer's approval."""
    cases.move(case_id, CaseState.INVESTIGATING, actor=first)
    cases.request_closure(case_id, outcome, {}, actor=first)
    if outcome is Outcome.CONFIRMED_VIOLATION:
        cases.approve(case_id, actor=second)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


# --- formulas ------------------------------------------------------------------------------


def test_wilson_interval_matches_hand_computed_values() -> None:
    # 2 of 3, z = 1.96: centre (0.6667 + 0.6402) / 2.2805 = 0.5731, half 0.3654
    assert wilson(2, 3) == pytest.approx((0.2077, 0.9385), abs=1e-4)
    assert wilson(1, 2) == pytest.approx((0.0945, 0.9055), abs=1e-4)
    assert wilson(0, 0) is None
    assert wilson(5, 5) == pytest.approx((0.5655, 1.0), abs=1e-4)


def test_suggestions_pick_the_lowest_threshold_reaching_the_target() -> None:
    # 12 confirmed at 70, 72, …, 92; 12 false positives at 50 … 61. Going down: 61 keeps
    # 12/13, 60 keeps 12/14, 59 keeps 12/15 = 0.8 (the target), 58 keeps 12/16 = 0.75.
    scored = [(70.0 + 2 * i, 1) for i in range(12)] + [(50.0 + i, 0) for i in range(12)]
    found = suggest("origin_laundering", scored)
    assert (found.status, found.threshold, found.kept, found.kept_confirmed) == (
        "suggested", 59.0, 15, 12)  # fmt: skip
    assert found.precision == 0.8 and found.recall == 1.0 and found.precision_now == 0.5
    assert suggest("x", scored, target=0.9).threshold == 61.0  # 12/13 = 0.923
    few = suggest("x", scored[:19])
    assert few.status == "not_enough_labels" and few.threshold is None
    assert "not enough labels" in few.note and "19 of the 20" in few.note
    none = suggest("x", [(80.0, 0)] * 20 + [(70.0, 1)])
    assert none.status == "target_not_reached" and none.threshold is None
    # equal scores go together: at 60 both the confirmed and the false positive are kept
    tied = suggest("x", [(60.0, 1), (60.0, 0), (50.0, 1)], min_labels=1, target=0.6)
    assert (tied.threshold, tied.kept) == (50.0, 3)


def test_dashboard_helpers() -> None:
    assert bucket_labels((2, 5, 10, 15)) == ["0–2", "3–5", "6–10", "11–15", ">15"]
    assert percentile([2, 3, 8], 0.9) == 8 and percentile(list(range(1, 11)), 0.9) == 9


# --- precision -------------------------------------------------------------------------------


def test_precision_per_rule_and_scenario_by_period_and_department(
    platform: Platform, cases: CaseService, feedback: FeedbackService, clock: Clock
) -> None:
    first, second = staff(platform), staff(platform)
    # February (ISO week 7): A confirmed (UV01; UV01+UV02), B false positive (UV01)
    raise_alert(platform, cases, ACME, "undervaluation", ("UV01",), at(2, 10))
    raise_alert(platform, cases, ACME, "undervaluation", ("UV01", "UV02"), at(2, 11))
    raise_alert(platform, cases, BETA, "undervaluation", ("UV01",), at(2, 12))
    # March (ISO week 10): B again (UV02), C inconclusive (UV01), D open (DG01)
    raise_alert(platform, cases, BETA, "undervaluation", ("UV02",), at(3, 3))
    raise_alert(platform, cases, GAMMA, "undervaluation", ("UV01",), at(3, 3))
    raise_alert(platform, cases, ACME, "dg_misdeclaration", ("DG01",), at(3, 4))
    clock.set(3, 5)
    close(cases, case_of(cases, ACME, "undervaluation"), Outcome.CONFIRMED_VIOLATION, first,
          second)  # fmt: skip
    close(cases, case_of(cases, BETA, "undervaluation"), Outcome.FALSE_POSITIVE, first, second)
    gamma = case_of(cases, GAMMA, "undervaluation")
    close(cases, gamma, Outcome.INCONCLUSIVE, first, second)

    report = feedback.precision(actor=staff(platform, Role.RISK_OFFICER, None), by="rule")
    rows = {row.key: row for row in report.rows}
    assert list(rows) == ["DG01", "UV01", "UV02"]
    uv01 = rows["UV01"].overall
    assert (uv01.alerts, uv01.labelled, uv01.confirmed, uv01.false_positives,
            uv01.inconclusive, uv01.referred) == (4, 4, 2, 1, 1, 0)  # fmt: skip
    assert uv01.precision == pytest.approx(2 / 3, abs=1e-6)
    assert (uv01.low, uv01.high) == pytest.approx((0.2077, 0.9385), abs=1e-4)
    assert list(rows["UV01"].periods) == ["2026-02", "2026-03"]
    feb, mar = rows["UV01"].periods["2026-02"], rows["UV01"].periods["2026-03"]
    assert (feb.alerts, feb.confirmed, feb.false_positives) == (3, 2, 1)
    assert (mar.alerts, mar.inconclusive, mar.precision, mar.low) == (1, 1, None, None)
    uv02 = rows["UV02"].overall
    assert (uv02.alerts, uv02.confirmed, uv02.false_positives, uv02.precision) == (2, 1, 1, 0.5)
    assert (uv02.low, uv02.high) == pytest.approx((0.0945, 0.9055), abs=1e-4)
    dg = rows["DG01"].overall
    assert (dg.alerts, dg.labelled, dg.precision) == (1, 0, None)

    weekly = feedback.precision(actor=SYSTEM, by="scenario", period="week")
    by_scenario = {row.key: row for row in weekly.rows}
    under = by_scenario["undervaluation"]
    assert (under.overall.alerts, under.overall.confirmed, under.overall.false_positives,
            under.overall.inconclusive, under.overall.precision) == (5, 2, 2, 1, 0.5)  # fmt: skip
    assert list(under.periods) == ["2026-W07", "2026-W10"]
    assert under.periods["2026-W10"].false_positives == 1  # B's March alert
    assert feedback.precision(actor=SYSTEM, since=dt.date(2026, 3, 1)).rows[1].overall.alerts == 1

    # department isolation as for cases; an enterprise user may not read it
    inspector = staff(platform, department=INSPECTION)
    assert [r.key for r in feedback.precision(actor=inspector).rows] == ["DG01"]
    assert [r.key for r in feedback.precision(actor=first).rows] == ["UV01", "UV02"]
    assert feedback.precision(actor=staff(platform, department=None)).rows == []
    assert len(feedback.precision(actor=staff(platform, Role.AUDITOR, None)).rows) == 3
    with pytest.raises(Forbidden):
        feedback.precision(actor=staff(platform, Role.CREDIT_OFFICER, None))
    with pytest.raises(Invalid) as bad:
        feedback.precision(actor=SYSTEM, period="day")  # type: ignore[arg-type]
    assert bad.value.field == "period"

    # reopening withdraws the labels of the previous closing
    cases.reopen(gamma, actor=first, reason="新证据")
    again = {r.key: r for r in feedback.precision(actor=SYSTEM).rows}["UV01"].overall
    assert (again.alerts, again.labelled, again.inconclusive) == (4, 3, 0)


# --- thresholds and training labels ----------------------------------------------------------


def test_suggestions_and_training_labels_come_from_the_assessments(
    platform: Platform, cases: CaseService, feedback: FeedbackService, clock: Clock
) -> None:
    first, second = staff(platform), staff(platform)
    scores = {ACME: [70.0 + 2 * i for i in range(12)], BETA: [50.0 + i for i in range(12)]}
    for uscc, values in scores.items():
        for index, value in enumerate(values):
            day = dt.date(2026, 2, 2) + dt.timedelta(days=index)
            reference = str(uuid.uuid4())
            store_assessment(platform, reference, "origin_laundering", value, day=day)
            raise_alert(platform, cases, uscc, "origin_laundering", ("OL01",),
                        at(2, 2 + index), reference)  # fmt: skip
    raise_alert(platform, cases, GAMMA, "undervaluation", ("UV01",), at(2, 3))  # no assessment
    clock.set(2, 27)
    close(cases, case_of(cases, ACME, "origin_laundering"), Outcome.CONFIRMED_VIOLATION, first,
          second)  # fmt: skip
    close(cases, case_of(cases, BETA, "origin_laundering"), Outcome.FALSE_POSITIVE, first, second)
    close(cases, case_of(cases, GAMMA, "undervaluation"), Outcome.FALSE_POSITIVE, first, second)

    found = {s.scenario: s for s in feedback.threshold_suggestions(actor=SYSTEM)}
    laundering = found["origin_laundering"]  # the scenario's score, not the total (+7)
    assert (laundering.status, laundering.threshold, laundering.kept) == ("suggested", 59.0, 15)
    assert (laundering.kept_confirmed, laundering.labelled) == (12, 24)
    under = found["undervaluation"]  # the alert's own score (82), one label
    assert under.status == "not_enough_labels" and under.labelled == 1
    assert feedback.threshold_suggestions(actor=SYSTEM, min_labels=25)[0].status == (
        "not_enough_labels")  # fmt: skip
    with pytest.raises(Invalid):
        feedback.threshold_suggestions(actor=SYSTEM, target=1.5)

    examples = feedback.labelled_examples("declarations", actor=SYSTEM)
    assert len(examples) == 24 and sum(e.label for e in examples) == 12
    assert [e.event_day for e in examples] == sorted(e.event_day for e in examples)
    assert {e.outcome for e in examples if e.label == 1} == {Outcome.CONFIRMED_VIOLATION}
    assert examples[0].features == {"value_ratio": 0.4}  # without _contributions
    assert examples[0].record["declaration_id"] == examples[0].assessment_id
    assert feedback.labelled_examples("payments", actor=SYSTEM) == []
    inspector = staff(platform, department=INSPECTION)
    assert feedback.labelled_examples("declarations", actor=inspector) == []


# --- dashboards ------------------------------------------------------------------------------


def test_dashboards_by_department_in_working_days(
    platform: Platform, cases: CaseService, boards: CaseDashboards, clock: Clock
) -> None:
    first, second = staff(platform), staff(platform)
    inspector, inspector2 = (staff(platform, department=INSPECTION) for _ in range(2))
    # March 2026 has no holiday: Monday 03-02 … SLA 5 working days → due Monday 03-09 17:00
    clock.set(3, 2)
    for uscc in (ACME, BETA, EPSILON):
        raise_alert(platform, cases, uscc, "undervaluation", ("UV01",), at(3, 2))
    raise_alert(platform, cases, EPSILON, "undervaluation", ("UV02",), at(3, 2))
    raise_alert(platform, cases, ACME, "dg_misdeclaration", ("DG01",), at(3, 2))
    clock.set(3, 4)  # BETA: false positive after 2 working days
    close(cases, case_of(cases, BETA, "undervaluation"), Outcome.FALSE_POSITIVE, first, second)
    clock.set(3, 5)  # EPSILON: confirmed after 3 working days
    close(cases, case_of(cases, EPSILON, "undervaluation"), Outcome.CONFIRMED_VIOLATION, first,
          second)  # fmt: skip
    clock.set(3, 9)
    raise_alert(platform, cases, GAMMA, "undervaluation", ("UV01",), at(3, 9))
    clock.set(3, 12)  # ACME's DG case: false positive after 8 working days, 3 late
    close(cases, case_of(cases, ACME, "dg_misdeclaration"), Outcome.FALSE_POSITIVE, inspector,
          inspector2)  # fmt: skip
    clock.set(3, 16, 9)
    raise_alert(platform, cases, DELTA, "dg_misdeclaration", ("DG01",), at(3, 16, 9))
    clock.set(3, 16)

    ages = {d.department: d for d in boards.open_by_age(actor=SYSTEM)}
    assert ages[CHECKS].buckets == {"0–2": 0, "3–5": 1, "6–10": 1, "11–15": 0, ">15": 0}
    assert ages[INSPECTION].buckets["0–2"] == 1 and ages[INSPECTION].total == 1

    breaches = boards.sla_breaches(actor=SYSTEM)
    [overdue] = breaches.open_overdue  # ACME undervaluation: 10 working days of 5
    assert (overdue.enterprise_uscc, overdue.overdue_working_days) == (ACME, 5)
    assert overdue.due_at == at(3, 9, 17) and overdue.closed_at is None
    [late] = breaches.closed_late
    assert (late.department, late.overdue_working_days) == (INSPECTION, 3)
    assert breaches.by_department == {
        CHECKS: {"open_overdue": 1, "closed_late": 0},
        INSPECTION: {"open_overdue": 0, "closed_late": 1},
    }

    times = {t.department: t for t in boards.time_to_close(actor=SYSTEM)}
    assert (times[CHECKS].closed, times[CHECKS].median, times[CHECKS].p90) == (2, 2.5, 3)
    assert (times[INSPECTION].median, times[INSPECTION].p90) == (8.0, 8)
    assert (times[None].closed, times[None].median, times[None].p90, times[None].max) == (
        3, 3.0, 8, 8)  # fmt: skip
    assert boards.time_to_close(actor=SYSTEM, since=dt.date(2026, 3, 10))[0].closed == 1

    rates = {r.rule: r for r in boards.confirmed_rate_by_rule(actor=SYSTEM)}
    assert {k: (r.labelled, r.confirmed, r.rate) for k, r in rates.items()} == {
        "DG01": (1, 0, 0.0), "UV01": (2, 1, 0.5), "UV02": (1, 1, 1.0)}  # fmt: skip

    # an officer sees only their department's numbers; admins and auditors all
    mine = boards.overview(actor=inspector)
    assert mine.department == INSPECTION
    assert [d.department for d in mine.open_by_age] == [INSPECTION]
    assert mine.breaches.open_overdue == [] and len(mine.breaches.closed_late) == 1
    assert [(t.department, t.closed) for t in mine.time_to_close] == [(INSPECTION, 1), (None, 1)]
    assert [r.rule for r in mine.confirmed_by_rule] == ["DG01"]
    checks = boards.overview(actor=first)
    assert [r.rule for r in checks.confirmed_by_rule] == ["UV01", "UV02"]
    auditor = boards.overview(actor=staff(platform, Role.AUDITOR, None))
    assert len(auditor.open_by_age) == 2 and auditor.department is None
    nobody = boards.overview(actor=staff(platform, department=None))
    assert (nobody.open_by_age, nobody.confirmed_by_rule) == ([], [])
    with pytest.raises(Forbidden):
        boards.overview(actor=staff(platform, Role.RISK_OFFICER, None))
    with pytest.raises(Invalid):
        boards.open_by_age(actor=SYSTEM, bounds=(5, 2))


def test_the_platform_wires_both_services(platform: Platform) -> None:
    assert isinstance(platform.feedback, FeedbackService)
    assert isinstance(platform.case_dashboards, CaseDashboards)
    assert platform.case_dashboards.overview(actor=SYSTEM).open_by_age == []


# --- retraining ------------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the CLI opens the file
def test_retraining_on_case_labels_is_refused_with_too_few_labels(
    platform: Platform, cases: CaseService, clock: Clock
) -> None:
    first, second = staff(platform), staff(platform)
    for uscc, count in ((ACME, 2), (BETA, 1)):
        for index in range(count):
            reference = str(uuid.uuid4())
            store_assessment(platform, reference, "undervaluation", 60.0,
                             day=dt.date(2026, 2, 2 + index))  # fmt: skip
            raise_alert(platform, cases, uscc, "undervaluation", ("UV01",), at(2, 2 + index),
                        reference)  # fmt: skip
    clock.set(2, 27)
    close(cases, case_of(cases, ACME, "undervaluation"), Outcome.CONFIRMED_VIOLATION, first,
          second)  # fmt: skip
    close(cases, case_of(cases, BETA, "undervaluation"), Outcome.FALSE_POSITIVE, first, second)
    settings = platform.settings
    env = {**os.environ, "LINGANG_DATA_DIR": str(settings.data_dir),
           "LINGANG_DATABASE_URL": str(settings.database_url)}  # fmt: skip
    command = [LINGANG, "risk", "train", "--data", "zone", "--labels", "cases"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "at least 20 confirmed violations and 20 false positives" in done.stderr
    assert "found 2 and 1" in done.stderr
    assert not (settings.data_dir / "risk" / "scorers").exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the features need the lake
def test_the_zone_scorer_retrains_on_case_labels(
    platform: Platform, cases: CaseService, feedback: FeedbackService, clock: Clock
) -> None:
    from environment import require_shared
    from lingang.config import Settings
    from lingang.lake.catalog import DECLARATIONS
    from lingang.risk.scorers import runs
    from lingang.risk.scorers.zone import ZoneScorer
    from lingang.simulate import Target, ZoneParams, plan_zone, run_simulation

    require_shared(Settings().hs_nomenclature)
    hs = platform.settings.hs_nomenclature
    hs = hs if hs.is_absolute() else Path(__file__).resolve().parents[2] / hs
    data_dir = platform.settings.data_dir
    run_simulation(plan_zone(ZoneParams(enterprises=80, days=40, seed=5), hs),
                   target=Target(platform.entities, platform.lake, data_dir, SYSTEM))  # fmt: skip
    lines = platform.lake.store.sql(
        "SELECT * FROM declarations ORDER BY declared_on, declaration_id, item_no"
    ).to_pylist()
    chosen = lines[:: max(1, len(lines) // 48)][:48]
    median = sorted(line["declared_value"] for line in chosen)[len(chosen) // 2]
    first, second = staff(platform), staff(platform)
    for index, line in enumerate(chosen):
        record = {k: (v.isoformat() if isinstance(v, dt.date) else v)
                  for k, v in line.items() if k in DECLARATIONS.field_names}  # fmt: skip
        reference = str(uuid.uuid4())
        store_assessment(platform, reference, "undervaluation", 60.0,
                         day=line["declared_on"], record=record)  # fmt: skip
        raise_alert(platform, cases, ACME, f"s{index}", ("UV01",), at(2, 2), reference)
    clock.set(2, 27)
    for index, line in enumerate(chosen):
        outcome = (Outcome.CONFIRMED_VIOLATION if line["declared_value"] >= median
                   else Outcome.FALSE_POSITIVE)  # fmt: skip
        close(cases, case_of(cases, ACME, f"s{index}"), outcome, first, second)

    examples = feedback.labelled_examples("declarations", actor=SYSTEM)
    assert len(examples) == 48 and 20 <= sum(e.label for e in examples) <= 28
    labels = [(e.record, e.label) for e in examples]
    report = runs.train_zone(data_dir, platform.lake.store, labels=labels)
    assert (report.labels, report.version, report.train_rows, report.valid_rows) == (
        "cases", 1, 36, 12)  # fmt: skip
    assert report.trees >= 1 and [m.rate for m in report.valid] == [0.1, 0.2, 0.5]
    saved = ZoneScorer.load(data_dir)
    assert saved.metadata["labels"] == "cases" and saved.version == 1
    with pytest.raises(Invalid) as refused:
        runs.train_zone(data_dir, platform.lake.store, labels=labels, min_labels=30)
    assert refused.value.field == "labels" and "at least 30" in refused.value.reason
