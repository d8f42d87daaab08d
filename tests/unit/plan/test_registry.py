"""The registry loader: the shared file, and a bad row refused naming indicator and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from environment import require_shared
from lingang.errors import Invalid
from lingang.plan.demo import intended_statuses, simulated_observations
from lingang.plan.model import IndicatorKind, Observation, ProgressStatus, progress
from lingang.plan.registry import DEPARTMENTS, load_registry, load_thresholds
from plan_fixtures import PLAN_FILE, SMALL_REGISTRY, small_registry

AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def test_the_plan_file_gives_60_indicators_with_their_baselines() -> None:
    require_shared(PLAN_FILE)
    registry = load_registry(PLAN_FILE)
    assert len(registry.indicators) == 60 and len(registry.baselines) == 8
    by_id = {i.id: i for i in registry.indicators}
    assert (by_id["tourist_visits"].base_value, by_id["tourist_visits"].base_year) == (500, 2020)
    assert by_id["gdp_multiple_of_2018"].base_value == 1.0  # a multiple of 2018 starts at 1
    assert by_id["gdp_growth_rate"].kind is IndicatorKind.RATE
    assert by_id["headquarters"].kind is IndicatorKind.CUMULATIVE
    assert by_id["key_disciplines"].target_low == 3 and by_id["key_disciplines"].target_high == 5
    assert by_id["road_km"].department == DEPARTMENTS["transport"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ('comparator: ">=", value: 10, unit: 个', "labs.comparator"),
        ('comparator: ">=", value: ten, unit: 个', "labs.value"),
        ('comparator: ">=", value: 10, unit: ""', "labs.unit"),
    ],
)
def test_a_bad_row_is_refused_naming_indicator_and_field(
    tmp_path: Path, bad: str, field: str
) -> None:
    good = 'comparator: ">=", value: 10, unit: 个'
    broken = bad.replace('">="', '"at least"') if field.endswith("comparator") else bad
    path = small_registry(tmp_path, SMALL_REGISTRY.replace(good, broken))
    with pytest.raises(Invalid) as refused:
        load_registry(path)
    assert refused.value.field == field


def test_an_unknown_area_and_a_duplicate_id_are_refused(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match=r"labs\.area"):
        moon = SMALL_REGISTRY.replace(
            "area: innovation, name_zh: 实验室", "area: moon, name_zh: 实验室"
        )
        load_registry(small_registry(tmp_path, moon))
    twice = SMALL_REGISTRY.replace("id: labs", "id: firms")
    with pytest.raises(Invalid, match=r"firms\.id"):
        load_registry(small_registry(tmp_path, twice))


def test_a_baseline_in_another_unit_is_refused(tmp_path: Path) -> None:
    text = SMALL_REGISTRY.replace("value: 100, unit: 亿元", "value: 100, unit: 万元")
    with pytest.raises(Invalid, match=r"output\.unit"):
        load_registry(small_registry(tmp_path, text))


def test_thresholds_come_from_the_package_or_a_file(tmp_path: Path) -> None:
    assert load_thresholds().on_track == 0.95
    path = tmp_path / "t.yaml"
    path.write_text("on_track: 0.9\nneeds_acceleration: 0.5\n", encoding="utf-8")
    assert load_thresholds(path).needs_acceleration == 0.5
    path.write_text("on_trak: 0.9\n", encoding="utf-8")
    with pytest.raises(Invalid):
        load_thresholds(path)


def test_the_demo_data_produces_every_status_in_2023() -> None:
    require_shared(PLAN_FILE)
    indicators = load_registry(PLAN_FILE).indicators
    rows = simulated_observations(indicators, seed=7)
    intended = intended_statuses(indicators, seed=7)
    found = {}
    for indicator in indicators:
        mine = [r for r in rows if r["indicator_id"] == indicator.id]
        observed = [Observation(indicator.id, r["year"], r["value"], r["unit"], r["source"],
                                "demo", AT) for r in mine]  # fmt: skip
        found[indicator.id] = progress(indicator, observed, 2023).status
    assert found == intended
    assert set(found.values()) == set(ProgressStatus) - {ProgressStatus.NO_DATA}
    assert all(r["source"] == "模拟数据 simulated" and r["simulated"] for r in rows)
    assert {r["year"] for r in rows} == {2020, 2021, 2022, 2023}
    baseline = next(r for r in rows if r["indicator_id"] == "tourist_visits" and r["year"] == 2020)
    assert baseline["value"] == 500  # the plan's own 2020 figure
