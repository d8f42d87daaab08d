"""Plan indicators on a real database (SQLite and PostgreSQL): the registry, observations
with corrections, all-or-nothing imports, statuses, evaluations and who may do what."""

from __future__ import annotations

from pathlib import Path

import pytest

from environment import require_shared
from factories import make_user
from lingang.bootstrap import Platform
from lingang.errors import Conflict, Forbidden, Invalid
from lingang.plan.demo import ensure_demo_plan
from lingang.plan.evaluation import EvaluationKind
from lingang.plan.model import ProgressStatus
from lingang.plan.service import ObservationDraft
from lingang.types import SYSTEM, Actor, Role
from plan_fixtures import PLAN_FILE, SMALL_REGISTRY, small_registry

S = ProgressStatus


@pytest.fixture
def planner(platform: Platform, tmp_path: Path) -> Actor:
    actor = make_user(platform, Role.PLANNER).as_actor()
    platform.plan.load_registry(small_registry(tmp_path), actor=actor)
    return actor


def test_loading_the_registry_twice_changes_nothing(platform: Platform, tmp_path: Path) -> None:
    path = small_registry(tmp_path)
    first = platform.plan.load_registry(path, actor=SYSTEM)
    again = platform.plan.load_registry(path, actor=SYSTEM)
    assert (first.added, again.added, again.updated, again.unchanged) == (5, 0, 0, 5)
    assert [i.id for i in platform.plan.indicators(actor=SYSTEM)][:2] == ["output", "labs"]
    assert [i.id for i in platform.plan.indicators(actor=SYSTEM, area="innovation")] == [
        "labs", "firms"]  # fmt: skip


def test_a_bad_row_loads_nothing(platform: Platform, tmp_path: Path) -> None:
    bad = SMALL_REGISTRY.replace("value: 25,", "value: lots,")
    with pytest.raises(Invalid) as refused:
        platform.plan.load_registry(small_registry(tmp_path, bad), actor=SYSTEM)
    assert refused.value.field == "growth.value"
    assert platform.plan.indicators(actor=SYSTEM) == []


def test_a_correction_keeps_the_value_it_replaces(platform: Platform, planner: Actor) -> None:
    first = platform.plan.add_observation(
        ObservationDraft("output", 2023, 90, "统计年鉴"), actor=planner
    )
    assert platform.plan.progress_of("output", 2023, actor=planner).status is S.DETERIORATION
    with pytest.raises(Conflict):
        platform.plan.add_observation(ObservationDraft("output", 2023, 95, "x"), actor=planner)
    assert first.id is not None
    fixed = platform.plan.correct_observation(first.id, 160, "统计年鉴（修订）", actor=planner)
    assert fixed.replaces == first.id
    kept = platform.plan.observations("output", actor=planner)
    assert [(o.value, o.replaces) for o in kept] == [(90, None), (160, first.id)]
    assert platform.plan.progress_of("output", 2023, actor=planner).status is S.ON_TRACK
    with pytest.raises(Conflict):
        platform.plan.correct_observation(first.id, 170, "again", actor=planner)


def test_units_and_years_are_checked(platform: Platform, planner: Actor) -> None:
    with pytest.raises(Invalid, match="unit"):
        platform.plan.add_observation(
            ObservationDraft("output", 2023, 1, "x", unit="万元"), actor=planner
        )
    with pytest.raises(Invalid, match="year"):
        platform.plan.add_observation(ObservationDraft("output", 1999, 1, "x"), actor=planner)


def test_an_import_adds_all_rows_or_none(platform: Platform, planner: Actor) -> None:
    rows = [{"indicator_id": "labs", "year": "2021", "value": "4", "source": "科委"},
            {"indicator_id": "labs", "year": "2023", "value": "six", "source": "科委"}]  # fmt: skip
    with pytest.raises(Invalid) as refused:
        platform.plan.import_observations(rows, actor=planner)
    assert refused.value.field == "row 2: value"
    assert platform.plan.observations("labs", actor=planner) == []
    unknown = [*rows[:1], {"indicator_id": "nope", "year": 2023, "value": 6}]
    with pytest.raises(Invalid, match="row 2: indicator_id"):
        platform.plan.import_observations(unknown, actor=planner)
    rows[1]["value"] = "6"
    assert platform.plan.import_observations(rows, actor=planner) == 2
    # base = first observation: (1.5^(1/2) − 1) / (2.5^(1/4) − 1) = 0.87
    assert platform.plan.progress_of("labs", 2023, actor=planner).status is S.NEEDS_ACCELERATION


def test_every_status_on_the_database(platform: Platform, planner: Actor) -> None:
    rows = [("output", 2023, 90), ("labs", 2021, 4), ("labs", 2023, 10), ("firms", 2023, 590),
            ("green", 2020, 40), ("green", 2023, 45), ("growth", 2021, 30), ("growth", 2022, 20),
            ("growth", 2023, 25)]  # fmt: skip
    platform.plan.import_observations(
        [{"indicator_id": i, "year": y, "value": v} for i, y, v in rows], actor=planner
    )
    found = {p.indicator_id: p.status for p in platform.plan.progress(2023, actor=planner)}
    assert found == {
        "output": S.DETERIORATION,  # below the 2020 baseline of 100
        "labs": S.TARGET_ACHIEVED,  # 10 ≥ 10
        "firms": S.ON_TRACK,  # 590 / 600 = 0.98
        "green": S.LIMITED_PROGRESS,  # (1.125^(1/3)−1) / (2^(1/5)−1) = 0.27
        "growth": S.ON_TRACK,  # compounded 24.93 % / 25 %
    }
    evaluation = platform.plan.evaluation(EvaluationKind.MIDTERM, actor=planner)
    assert evaluation.year == 2023 and evaluation.total == 5
    assert [i.indicator.id for i in evaluation.at_risk] == ["output", "green"]
    assert [a.area for a in evaluation.areas] == ["economy", "innovation", "industry", "ecology"]
    assert evaluation.counts[S.ON_TRACK] == 2
    series = platform.plan.series("firms", actor=planner)
    assert series.required[2023] == pytest.approx(600) and series.values == {2023: 590}


def test_who_may_read_and_write(platform: Platform, planner: Actor) -> None:
    enterprise = make_user(platform, Role.ENTERPRISE).as_actor()
    officer = make_user(platform, Role.CASE_OFFICER).as_actor()
    with pytest.raises(Forbidden):
        platform.plan.indicators(actor=enterprise)
    assert len(platform.plan.progress(2023, actor=officer)) == 5
    with pytest.raises(Forbidden):
        platform.plan.add_observation(ObservationDraft("labs", 2023, 5, "x"), actor=officer)
    done = platform.plan.update_indicator("labs", {"department": "科技处"}, actor=planner)
    assert done.department == "科技处"
    assert platform.plan.indicators(actor=officer, department="科技处")[0].id == "labs"
    with pytest.raises(Invalid):
        platform.plan.update_indicator("labs", {"colour": "red"}, actor=planner)


def test_every_write_is_audited(platform: Platform, planner: Actor) -> None:
    done = platform.plan.add_observation(ObservationDraft("labs", 2023, 5, "科委"), actor=planner)
    assert done.id is not None
    platform.plan.correct_observation(done.id, 6, "科委", actor=planner)
    platform.plan.update_indicator("labs", {"target": 12}, actor=planner)
    with platform.uow.read() as session:
        actions = [r.action for r in platform.audit.list_records(session, actor=SYSTEM)]
    assert {"plan.registry_loaded", "plan.observation_added", "plan.observation_corrected",
            "plan.indicator_updated"} <= set(actions)  # fmt: skip


def test_the_demo_loads_once_and_shows_every_status(platform: Platform) -> None:
    require_shared(PLAN_FILE)
    platform.plan.registry_path = PLAN_FILE
    first = ensure_demo_plan(platform)
    assert ensure_demo_plan(platform) == first
    assert first.startswith("60 indicators; 2023:")
    found = {p.status for p in platform.plan.progress(2023, actor=SYSTEM)}
    assert found == set(ProgressStatus) - {S.NO_DATA}
    pdf = platform.plan.evaluation_pdf(EvaluationKind.MIDTERM, actor=SYSTEM)
    assert pdf.startswith(b"%PDF")
