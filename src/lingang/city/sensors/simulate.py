"""A simulated sensor fleet for the demo, the tests and the benchmark.

:func:`place_fleet` spreads N sensors of the six kinds over the zone's responsibility grids
(seeded, so the same N gives the same fleet). Each simulated minute every sensor reports once;
values are normal for their kind (water a few centimetres at most, PM2.5 20-60 µg/m³ …).

The **storm** scenario: from 10 % of the run on, standing water rises in the storm grids (by
default the 滴水湖 core and its neighbours, ``STORM_GRIDS``) at a rate of each sensor's own, to a
peak of 30-50 cm at the end, so the water-level gauges there cross the 15 cm warning line,
then the 30 cm critical line, and the fast-rise rule fires on the way. The minutes of the run
end *now*: readings are stamped in the recent past, as a replay of the last half hour.

A simulation feeds a pipeline in process (:func:`run_in_process`) or publishes over MQTT
(:func:`publish`); ``bad_share`` of the messages are malformed on purpose (dead letters).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from lingang.city.contracts import SENSOR_KINDS, SensorAlarm
from lingang.city.grids import load_grids
from lingang.city.sensors.pipeline import SensorPipeline
from lingang.city.sensors.readings import UNITS, Reading, payload_of, topic_for

STORM_GRIDS = ("LG-G09", "LG-G14", "LG-G15", "LG-G16", "LG-G21")
"""Grids the storm floods (滴水湖 core, 海港大道, 国际创新协同区, 滴水湖东岸, 临港大道北段)."""

KIND_SHARES = {
    "water_level": 0.30,
    "manhole_tilt": 0.25,
    "traffic_flow": 0.15,
    "air_quality": 0.10,
    "noise": 0.10,
    "parking": 0.10,
}
PREFIX = {"water_level": "WL", "air_quality": "AQ", "manhole_tilt": "MH", "noise": "NO",
          "parking": "PK", "traffic_flow": "TF"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SimSensor:
    """A simulated sensor: id, kind, where (and in which grid), its normal level."""

    id: str
    kind: str
    lat: float
    lon: float
    grid: str
    base: float
    peak: float  # the storm's peak water depth for a flooded gauge, else 0


@dataclass(frozen=True)
class Scenario:
    """What to simulate: the minutes, and whether a storm floods ``storm_grids``."""

    minutes: int = 30
    storm: bool = False
    storm_grids: tuple[str, ...] = STORM_GRIDS
    bad_share: float = 0.0
    seed: int = 7


@dataclass
class SimulationReport:
    """What a run produced: messages, alarms by rule, the flooded gauges that alarmed."""

    messages: int = 0
    malformed: int = 0
    alarms: Counter[str] = field(default_factory=Counter)
    water_sensors: set[str] = field(default_factory=set)

    def add(self, alarms: Sequence[SensorAlarm]) -> None:
        """Count the alarms of one flush."""
        for alarm in alarms:
            self.alarms[alarm.rule_id] += 1
            if alarm.kind == "water_level":
                self.water_sensors.add(alarm.sensor_id)


def place_fleet(count: int, scenario: Scenario | None = None) -> list[SimSensor]:
    """``count`` sensors over the zone's grids, kinds in :data:`KIND_SHARES` (seeded)."""
    scenario = scenario or Scenario()
    rng = random.Random(scenario.seed)
    grids = load_grids().all()
    kinds = list(KIND_SHARES)
    weights = [KIND_SHARES[k] for k in kinds]
    fleet: list[SimSensor] = []
    for number in range(count):
        kind = rng.choices(kinds, weights)[0]
        grid = rng.choice(grids)
        west, south, east, north = grid.bbox
        lat = rng.uniform(south + 0.001, north - 0.001)
        lon = rng.uniform(west + 0.001, east - 0.001)
        flooded = kind == "water_level" and grid.id in scenario.storm_grids
        peak = rng.uniform(0.30, 0.50) if flooded else 0.0
        fleet.append(SimSensor(f"{PREFIX[kind]}-{number:06d}", kind, lat, lon, grid.id,
                               _base(kind, rng), peak))  # fmt: skip
    return fleet


def _base(kind: str, rng: random.Random) -> float:
    low, high = {
        "water_level": (0.0, 0.03),
        "air_quality": (20.0, 60.0),
        "manhole_tilt": (0.0, 2.0),
        "noise": (42.0, 52.0),
        "parking": (30.0, 80.0),
        "traffic_flow": (10.0, 40.0),
    }[kind]
    return rng.uniform(low, high)


def value_of(sensor: SimSensor, minute: int, scenario: Scenario, rng: random.Random) -> float:
    """The sensor's reading at ``minute`` of the run."""
    jitter = {"water_level": 0.005, "air_quality": 4.0, "manhole_tilt": 0.2, "noise": 2.0,
              "parking": 2.0, "traffic_flow": 2.0}[sensor.kind]  # fmt: skip
    value = sensor.base + rng.uniform(-jitter, jitter)
    if scenario.storm and sensor.peak:
        start = scenario.minutes * 0.1
        progress = max(0.0, (minute - start) / max(1.0, scenario.minutes - 1 - start))
        value += sensor.peak * min(1.0, progress)
    low = 0.0 if sensor.kind != "noise" else 20.0
    high = 100.0 if sensor.kind == "parking" else 1000.0
    return min(high, max(low, value))


def readings(fleet: Sequence[SimSensor], scenario: Scenario, end: dt.datetime
             ) -> Iterator[list[Reading]]:  # fmt: skip
    """One list of readings per minute, the last minute ending at ``end`` (aware); each
    reading's ``received_at`` is the end of its minute."""
    rng = random.Random(scenario.seed + 1)
    start = end - dt.timedelta(minutes=scenario.minutes)
    for minute in range(scenario.minutes):
        at = start + dt.timedelta(minutes=minute)
        yield [_reading(s, value_of(s, minute, scenario, rng), at, rng) for s in fleet]


def _reading(sensor: SimSensor, value: float, minute: dt.datetime, rng: random.Random) -> Reading:
    read_at = minute + dt.timedelta(seconds=rng.uniform(0, 50))
    received_at = minute + dt.timedelta(minutes=1)
    unit = UNITS[sensor.kind]
    battery = rng.uniform(60, 100)
    return Reading(sensor.id, sensor.kind, value, unit, read_at, sensor.lat, sensor.lon,
                   received_at, battery)  # fmt: skip


def messages(batch: Sequence[Reading], scenario: Scenario, rng: random.Random
             ) -> Iterator[tuple[str, bytes]]:  # fmt: skip
    """The ``(topic, payload)`` of each reading; ``bad_share`` of them malformed."""
    for reading in batch:
        topic, payload = topic_for(reading.kind, reading.sensor_id), payload_of(reading)
        if scenario.bad_share and rng.random() < scenario.bad_share:
            payload = _malformed(payload, rng)
        yield topic, payload


def _malformed(payload: bytes, rng: random.Random) -> bytes:
    choices: tuple[Callable[[bytes], bytes], ...] = (
        lambda p: p[: len(p) // 2],  # cut off
        lambda p: p.replace(b'"unit":"', b'"unit":"x'),  # wrong unit
        lambda p: p.replace(b'"lat":3', b'"lat":4'),  # outside the zone
        lambda p: p.replace(b"+08:00", b""),  # no time zone
    )
    return rng.choice(choices)(payload)


def run_in_process(pipeline: SensorPipeline, fleet: Sequence[SimSensor], scenario: Scenario,
                   end: dt.datetime | None = None,
                   progress: Callable[[int, SimulationReport], None] | None = None
                   ) -> SimulationReport:  # fmt: skip
    """Feed the simulated minutes to ``pipeline``, flushing after each minute."""
    end = end or dt.datetime.now(dt.UTC)
    report = SimulationReport()
    rng = random.Random(scenario.seed + 2)
    for minute, batch in enumerate(readings(fleet, scenario, end)):
        received = batch[0].received_at if batch else end
        for topic, payload in messages(batch, scenario, rng):
            pipeline.feed(topic, payload, received)
            report.messages += 1
        report.add(pipeline.flush())
        if progress is not None:
            progress(minute, report)
    pipeline.close()
    report.malformed = pipeline.metrics.rejected
    return report


def publish(send: Callable[[str, bytes], None], fleet: Sequence[SimSensor], scenario: Scenario,
            end: dt.datetime | None = None) -> int:  # fmt: skip
    """Publish the simulated minutes through ``send(topic, payload)``; returns the count."""
    end = end or dt.datetime.now(dt.UTC)
    rng = random.Random(scenario.seed + 2)
    count = 0
    for batch in readings(fleet, scenario, end):
        for topic, payload in messages(batch, scenario, rng):
            send(topic, payload)
            count += 1
    return count


def kinds_of(fleet: Sequence[SimSensor]) -> dict[str, int]:
    """How many sensors of each kind the fleet has."""
    counts = Counter(s.kind for s in fleet)
    return {kind: counts.get(kind, 0) for kind in SENSOR_KINDS}
