"""Progress statuses and forecasts of plan indicators, against hand-computed numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from lingang.errors import Invalid
from lingang.plan.model import (
    Comparator,
    Indicator,
    IndicatorKind,
    Observation,
    ProgressStatus,
    ProgressThresholds,
    forecast,
    progress,
    required_path,
)

AT = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
S = ProgressStatus


def level(comparator: str = ">=", target: float = 200, **more: object) -> Indicator:
    fields: dict[str, object] = {"base_value": 100.0, "base_year": 2020} | more
    return Indicator(id="x", name_zh="指标", area="economy", department="经济发展处",
                     unit="亿元", comparator=Comparator(comparator), target=target,
                     **fields)  # type: ignore[arg-type]  # fmt: skip


def obs(*pairs: tuple[int, float], unit: str = "亿元") -> list[Observation]:
    return [Observation("x", year, value, unit, "统计局", "tester", AT, id=index)
            for index, (year, value) in enumerate(pairs, 1)]  # fmt: skip


def status(indicator: Indicator, *pairs: tuple[int, float], year: int = 2023) -> S:
    unit = indicator.unit
    return progress(indicator, obs(*pairs, unit=unit), year).status


# base 100 (2020) → target 200 (2025): required CAGR 2^(1/5) − 1 = 14.87 %
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (160, S.ON_TRACK),  # (1.6^(1/3) − 1) / 0.1487 = 0.1696 / 0.1487 = 1.14
        (140, S.NEEDS_ACCELERATION),  # 0.1187 / 0.1487 = 0.80
        (105, S.LIMITED_PROGRESS),  # 0.0164 / 0.1487 = 0.11
        (90, S.DETERIORATION),  # −0.0345 / 0.1487 < 0
        (200, S.TARGET_ACHIEVED),
    ],
)
def test_status_is_the_ratio_of_observed_to_required_cagr(value: float, expected: S) -> None:
    assert status(level(), (2023, value)) is expected


def test_the_numbers_behind_a_status_are_kept() -> None:
    found = progress(level(), obs((2023, 140)), 2023)
    assert found.cagr_required == pytest.approx(0.148698, abs=1e-6)
    assert found.cagr_observed == pytest.approx(0.118689, abs=1e-6)
    assert found.ratio == pytest.approx(0.798186, abs=1e-6)
    assert found.required == pytest.approx(100 * 2 ** (3 / 5))  # 151.57 on the path
    assert found.method == "cagr" and "比值0.80" in found.explanation


def test_more_than_needs_more_than_the_target_and_at_least_accepts_it() -> None:
    assert status(level(">="), (2023, 200)) is S.TARGET_ACHIEVED
    assert status(level(">"), (2023, 200)) is S.ON_TRACK  # 0.2599 / 0.1487 = 1.75
    assert status(level(">"), (2023, 200.5)) is S.TARGET_ACHIEVED


def test_exactly_is_read_as_written() -> None:
    assert status(level("="), (2023, 200)) is S.TARGET_ACHIEVED
    assert status(level("="), (2023, 199)) is S.ON_TRACK
    assert status(level("="), (2023, 210)) is S.ON_TRACK  # an overshoot is not "exactly"


def test_about_has_a_tolerance_band() -> None:
    assert status(level("~"), (2023, 190)) is S.TARGET_ACHIEVED  # 200 − 5 %
    assert status(level("~"), (2023, 189)) is S.ON_TRACK
    assert status(level("~", tolerance=0.10), (2023, 181)) is S.TARGET_ACHIEVED
    loose = ProgressThresholds(tolerance=0.1)
    assert progress(level("~"), obs((2023, 181)), 2023, loose).status is S.TARGET_ACHIEVED


def test_a_falling_target_reads_the_ratio_of_two_negative_rates() -> None:
    falling = level("~", target=50)  # 100 → 50: required −12.94 % a year
    assert status(falling, (2023, 70)) is S.NEEDS_ACCELERATION  # −0.1121 / −0.1294 = 0.87
    assert status(falling, (2023, 60)) is S.ON_TRACK  # −0.1566 / −0.1294 = 1.21
    assert status(falling, (2023, 52)) is S.TARGET_ACHIEVED  # within 50 + 5 %
    assert status(falling, (2023, 110)) is S.DETERIORATION


def test_a_floor_met_at_the_base_and_lost_is_deterioration() -> None:
    assert status(level(">=", target=80), (2023, 70)) is S.DETERIORATION
    assert status(level(">=", target=80), (2023, 85)) is S.TARGET_ACHIEVED


def test_a_range_is_met_from_its_low_end() -> None:
    ranged = level("range", target=3, target_low=3, target_high=5, base_value=1.0)
    assert status(ranged, (2023, 3)) is S.TARGET_ACHIEVED
    assert status(ranged, (2023, 2)) is S.ON_TRACK  # (2^(1/3) − 1) / (3^(1/5) − 1) = 1.06
    assert status(ranged, (2023, 1.7)) is S.NEEDS_ACCELERATION  # 0.1935 / 0.2457 = 0.79
    assert status(ranged, (2023, 6)) is S.TARGET_ACHIEVED  # past the low end counts


CUMULATIVE = {"kind": IndicatorKind.CUMULATIVE, "base_value": None, "base_year": None}


# cumulative 1000 by 2025 from 0 in 2020: 600 required by 2023 on the straight line
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (580, S.ON_TRACK),  # 580 / 600 = 0.967
        (570, S.ON_TRACK),  # exactly 0.95
        (569, S.NEEDS_ACCELERATION),  # 0.948
        (360, S.NEEDS_ACCELERATION),  # exactly 0.6
        (359, S.LIMITED_PROGRESS),  # 0.598
        (0, S.LIMITED_PROGRESS),  # 0
        (950, S.TARGET_ACHIEVED),  # within 1000 − 5 %
    ],
)
def test_cumulative_counts_follow_a_straight_line_from_zero(value: float, expected: S) -> None:
    count = level("~", target=1000, **CUMULATIVE)
    assert status(count, (2023, value)) is expected


def test_cumulative_ratio_is_observed_over_required() -> None:
    found = progress(level("~", target=1000, **CUMULATIVE), obs((2023, 500)), 2023)
    assert found.required == pytest.approx(600)
    assert found.ratio == pytest.approx(500 / 600)
    assert found.status is S.NEEDS_ACCELERATION and found.method == "linear"


def test_thresholds_are_configurable() -> None:
    strict = ProgressThresholds(on_track=1.0, needs_acceleration=0.9, limited_progress=0.5)
    count = level("~", target=1000, **CUMULATIVE)
    assert progress(count, obs((2023, 580)), 2023, strict).status is S.NEEDS_ACCELERATION
    assert progress(count, obs((2023, 290)), 2023, strict).status is S.DETERIORATION
    with pytest.raises(Invalid):
        ProgressThresholds(on_track=0.5, needs_acceleration=0.6)


def test_no_data_without_observations_or_with_the_base_year_only() -> None:
    assert status(level()) is S.NO_DATA
    assert status(level(), (2024, 150)) is S.NO_DATA  # after the year asked
    no_base = level(base_value=None, base_year=None)
    assert status(no_base, (2021, 120)) is S.NO_DATA


def test_without_a_baseline_the_first_observation_is_the_base() -> None:
    labs = level(">=", target=10, base_value=None, base_year=None)
    found = progress(labs, obs((2021, 4), (2023, 6)), 2023)
    # (1.5^(1/2) − 1) / (2.5^(1/4) − 1) = 0.2247 / 0.2574 = 0.873
    assert found.ratio == pytest.approx(0.873, abs=1e-3)
    assert found.status is S.NEEDS_ACCELERATION and found.base_year == 2021


def test_a_rate_target_compares_the_compounded_average_rate() -> None:
    rate = Indicator(id="x", name_zh="年均增速", area="economy", department="经济发展处",
                     unit="%", comparator=Comparator.ABOUT, target=25,
                     kind=IndicatorKind.RATE)  # fmt: skip
    found = progress(rate, obs((2021, 30), (2022, 20), (2023, 25), unit="%"), 2023)
    # (1.30 · 1.20 · 1.25)^(1/3) − 1 = 24.93 %; 24.93 / 25 = 0.997
    assert found.observed == pytest.approx(24.933, abs=1e-3)
    assert found.status is S.ON_TRACK
    slow = progress(rate, obs((2021, 10), (2022, 12), unit="%"), 2022)
    assert slow.status is S.LIMITED_PROGRESS  # 10.99 / 25 = 0.44


def test_a_correction_replaces_the_value_it_names() -> None:
    first, second = obs((2023, 90), (2023, 160))
    corrected = Observation("x", 2023, 160, "亿元", "统计局", "t", AT, replaces=first.id, id=2)
    assert progress(level(), [first], 2023).status is S.DETERIORATION
    assert progress(level(), [first, corrected], 2023).status is S.ON_TRACK
    assert second.value == corrected.value


def test_a_bad_indicator_names_its_field() -> None:
    with pytest.raises(Invalid) as refused:
        level("range", target=5, target_low=5, target_high=3)
    assert refused.value.field == "x.target"


def test_the_required_path_runs_from_the_base_to_the_target() -> None:
    path = required_path(level(), [])
    assert path[2020] == pytest.approx(100) and path[2025] == pytest.approx(200)
    assert path[2023] == pytest.approx(151.571, abs=1e-3)
    straight = required_path(level("~", target=1000, **CUMULATIVE), [])
    assert straight[2023] == pytest.approx(600)


def test_a_straight_trend_forecasts_its_own_line() -> None:
    count = level("~", target=1000, **CUMULATIVE)
    found = forecast(count, obs((2021, 200), (2022, 400), (2023, 600)))
    assert found.value == pytest.approx(1000) and found.method == "linear OLS"
    assert found.low == pytest.approx(1000) and found.high == pytest.approx(1000)


def test_the_forecast_interval_contains_the_trend() -> None:
    import numpy as np

    values = [(2020, 100.0), (2021, 112.0), (2022, 121.0), (2023, 137.0)]
    found = forecast(level(), obs(*values))
    slope, intercept = np.polyfit([y for y, _ in values], np.log([v for _, v in values]), 1)
    assert found.value == pytest.approx(float(np.exp(intercept + slope * 2025)))
    assert found.low is not None and found.high is not None
    assert found.low < found.value < found.high
    assert found.method == "log-linear OLS" and found.points == 4


def test_no_forecast_without_data() -> None:
    assert forecast(level(), []).value is None
