"""The pipeline: thresholds and trends fire, debouncing holds repeats back, malformed messages
become dead letters while the stream goes on, and a simulated storm raises water alarms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from lingang.city.contracts import SensorAlarm
from lingang.city.sensors.pipeline import SensorPipeline, percentile
from lingang.city.sensors.readings import UNITS, Reading, payload_of, topic_for
from lingang.city.sensors.rules import load_rules
from lingang.city.sensors.simulate import Scenario, kinds_of, place_fleet, run_in_process
from lingang.city.sensors.store import DeadLetter, SensorState

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


class Sink:
    """An in-memory alarm sink (the city service files them in the database)."""

    def __init__(self, fail: bool = False) -> None:
        self.alarms: list[SensorAlarm] = []
        self.fail = fail

    def __call__(self, alarms: Sequence[SensorAlarm]) -> list[int]:
        if self.fail:
            raise RuntimeError("database down")
        self.alarms.extend(alarms)
        return list(range(len(alarms)))


class Letters:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def add_many(self, letters: Sequence[DeadLetter]) -> int:
        self.letters.extend(letters)
        return len(letters)


class Registry:
    def __init__(self) -> None:
        self.states: list[SensorState] = []

    def upsert(self, states: Sequence[SensorState]) -> int:
        self.states.extend(states)
        return len(states)


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def letters() -> Letters:
    return Letters()


@pytest.fixture
def pipeline(sink: Sink, letters: Letters) -> SensorPipeline:
    return SensorPipeline(sink, letters, load_rules())


def feed(pipeline: SensorPipeline, kind: str, sensor: str, value: float, minute: float) -> None:
    at = T0 + dt.timedelta(minutes=minute)
    reading = Reading(sensor, kind, value, UNITS[kind], at, 30.9, 121.93, at)
    pipeline.feed(topic_for(kind, sensor), payload_of(reading), at + dt.timedelta(seconds=1))


def fired(pipeline: SensorPipeline, kind: str, sensor: str, value: float, minute: float
          ) -> list[str]:  # fmt: skip
    feed(pipeline, kind, sensor, value, minute)
    return [alarm.rule_id for alarm in pipeline.flush()]


@pytest.mark.parametrize(
    ("kind", "value", "rule"),
    [("water_level", 0.18, "WL-WARN"), ("water_level", 0.35, "WL-CRIT"),
     ("manhole_tilt", 7.0, "MH-TILT"), ("manhole_tilt", 40.0, "MH-DISPLACED"),
     ("air_quality", 300.0, "AQ-SEVERE"), ("parking", 97.0, "PK-FULL")],
)  # fmt: skip
def test_a_threshold_fires_with_its_category(
    pipeline: SensorPipeline, sink: Sink, kind: str, value: float, rule: str
) -> None:
    assert fired(pipeline, kind, "S-1", value, 0) == [rule]
    alarm = sink.alarms[0]
    assert alarm.category == load_rules().by_id(rule).category
    assert (alarm.sensor_id, alarm.kind, alarm.value, alarm.lat) == ("S-1", kind, value, 30.9)
    assert alarm.received_at - alarm.read_at == dt.timedelta(seconds=1)


def test_normal_readings_fire_nothing(pipeline: SensorPipeline) -> None:
    for kind, value in [("water_level", 0.02), ("manhole_tilt", 1.0), ("air_quality", 40.0),
                        ("noise", 50.0), ("parking", 60.0), ("traffic_flow", 20.0)]:  # fmt: skip
        assert fired(pipeline, kind, f"S-{kind}", value, 0) == []


def test_water_rising_fast_fires_the_trend_rule(pipeline: SensorPipeline) -> None:
    assert fired(pipeline, "water_level", "W", 0.02, 0) == []
    assert fired(pipeline, "water_level", "W", 0.06, 5) == []
    assert fired(pipeline, "water_level", "W", 0.13, 9) == ["WL-RISE"]  # +0.11 m in 9 min
    # the oldest reading ages out of the 10-minute window: +0.05 since minute 5 is not fast
    assert fired(pipeline, "water_level", "W2", 0.02, 0) == []
    assert fired(pipeline, "water_level", "W2", 0.08, 5) == []
    assert fired(pipeline, "water_level", "W2", 0.13, 12) == []


def test_a_traffic_collapse_and_sustained_pollution_need_history(pipeline: SensorPipeline) -> None:
    for minute in range(4):
        assert fired(pipeline, "traffic_flow", "T", 30.0, minute) == []
    assert fired(pipeline, "traffic_flow", "T", 3.0, 4) == ["TF-DROP"]
    assert fired(pipeline, "air_quality", "A", 180.0, 0) == []  # one spike: no history yet
    assert fired(pipeline, "air_quality", "A", 170.0, 1) == ["AQ-HEAVY"]


def test_noise_limits_depend_on_the_local_hour(pipeline: SensorPipeline) -> None:
    # T0 is 10:00 in Shanghai: 60 dB(A) is within the daytime limit of 70
    assert fired(pipeline, "noise", "N", 60.0, 0) == []
    assert fired(pipeline, "noise", "N", 60.0, 1) == []
    night = 13 * 60  # 23:00 in Shanghai
    assert fired(pipeline, "noise", "N2", 60.0, night) == []
    assert fired(pipeline, "noise", "N2", 60.0, night + 1) == ["NO-NIGHT"]


def test_a_sensor_above_a_line_fires_on_crossing_then_every_repeat(
    pipeline: SensorPipeline,
) -> None:
    assert fired(pipeline, "manhole_tilt", "M", 8.0, 0) == ["MH-TILT"]
    for minute in range(1, 30):
        assert fired(pipeline, "manhole_tilt", "M", 8.0, minute) == []
    assert fired(pipeline, "manhole_tilt", "M", 8.0, 30) == ["MH-TILT"]  # 30 min repeat
    assert fired(pipeline, "manhole_tilt", "M", 1.0, 31) == []  # back to level
    assert fired(pipeline, "manhole_tilt", "M", 8.0, 32) == ["MH-TILT"]  # a new crossing
    assert pipeline.metrics.suppressed == 29


def test_a_batch_with_many_readings_of_one_sensor_keeps_their_order(
    pipeline: SensorPipeline,
) -> None:
    for minute, value in enumerate([0.02, 0.05, 0.09, 0.16, 0.2, 0.31]):
        feed(pipeline, "water_level", "W", value, minute)
    rules = [alarm.rule_id for alarm in pipeline.flush()]
    assert rules == ["WL-WARN", "WL-RISE", "WL-CRIT"]  # in reading order, then rule order


def test_duplicates_are_dropped(pipeline: SensorPipeline) -> None:
    assert fired(pipeline, "parking", "P", 99.0, 0) == ["PK-FULL"]
    assert fired(pipeline, "parking", "P", 99.0, 0) == []  # a QoS 1 redelivery
    assert pipeline.metrics.duplicates == 1


def test_malformed_messages_are_dead_letters_and_the_stream_goes_on(
    pipeline: SensorPipeline, letters: Letters
) -> None:
    feed(pipeline, "water_level", "W", 0.4, 0)
    pipeline.feed("lingang/sensors/water_level/X", b"{broken", T0)
    pipeline.feed("elsewhere", b"{}", T0)
    feed(pipeline, "manhole_tilt", "M", 20.0, 0)
    assert [a.rule_id for a in pipeline.flush()] == ["WL-CRIT", "MH-DISPLACED"]
    assert [(x.field, x.topic) for x in letters.letters] == [
        ("payload", "lingang/sensors/water_level/X"),
        ("topic", "elsewhere"),
    ]
    assert (pipeline.metrics.messages, pipeline.metrics.rejected) == (4, 2)


def test_a_failing_sink_keeps_its_alarms_for_the_next_flush(letters: Letters) -> None:
    sink = Sink(fail=True)
    pipeline = SensorPipeline(sink, letters, load_rules())
    assert fired(pipeline, "water_level", "W", 0.4, 0) == []
    assert pipeline.metrics.sink_errors == 1
    sink.fail = False
    assert fired(pipeline, "parking", "P", 99.0, 0) == ["WL-CRIT", "PK-FULL"]


def test_the_registry_gets_new_sensors_and_changes_only(sink: Sink, letters: Letters) -> None:
    registry = Registry()
    clock = iter(range(0, 10_000, 10))
    pipeline = SensorPipeline(sink, letters, load_rules(), registry=registry,
                              registry_interval=5, grid_of=lambda lat, lon: "LG-G15",
                              clock=lambda: float(next(clock)))  # fmt: skip
    fired(pipeline, "water_level", "W", 0.02, 0)
    fired(pipeline, "water_level", "W", 0.03, 1)  # a small change: not written
    fired(pipeline, "water_level", "W", 0.20, 2)  # moved by more than 5 cm
    pipeline.close()
    assert [(s.id, s.value, s.grid) for s in registry.states] == [
        ("W", 0.02, "LG-G15"),
        ("W", 0.20, "LG-G15"),
    ]


def test_a_simulated_storm_raises_water_level_alarms(sink: Sink, letters: Letters) -> None:
    scenario = Scenario(minutes=20, storm=True, bad_share=0.01)
    fleet = place_fleet(300, scenario)
    assert set(kinds_of(fleet).values()) != {0}
    pipeline = SensorPipeline(sink, letters, load_rules())
    report = run_in_process(pipeline, fleet, scenario, T0)
    flooded = {s.id for s in fleet if s.peak}
    assert flooded and report.water_sensors == flooded
    assert report.alarms["WL-WARN"] == report.alarms["WL-CRIT"] == len(flooded)
    assert {a.category for a in sink.alarms} == {"E0104"}
    assert report.malformed == len(letters.letters) > 0
    assert report.messages == 300 * 20


def test_calm_weather_raises_nothing(sink: Sink, letters: Letters) -> None:
    scenario = Scenario(minutes=15, storm=False)
    report = run_in_process(SensorPipeline(sink, letters, load_rules()),
                            place_fleet(300, scenario), scenario, T0)  # fmt: skip
    assert sum(report.alarms.values()) == 0 and not letters.letters


def test_percentiles_by_nearest_rank() -> None:
    assert percentile([], 99) == 0.0
    assert percentile([float(x) for x in range(1, 101)], 99) == 99.0
    assert percentile([5.0], 50) == 5.0
