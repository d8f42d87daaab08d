"""Sensor intake against real services: the dead-letter store and the sensor registry on
SQLite and PostgreSQL, storm alarms filed as city events, and an MQTT round trip through
Mosquitto at 127.0.0.1:1883 (skipped when it is down; under CI it must be up)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence

import pytest
from sqlalchemy import select

from environment import skip_or_fail
from lingang.bootstrap import Platform
from lingang.city.contracts import SensorAlarm
from lingang.city.sensors import database_pipeline
from lingang.city.sensors.mqtt import MqttIntake, MqttPublisher
from lingang.city.sensors.pipeline import SensorPipeline
from lingang.city.sensors.readings import UNITS, Reading, payload_of, topic_for
from lingang.city.sensors.rules import load_rules
from lingang.city.sensors.simulate import Scenario, place_fleet, run_in_process
from lingang.city.sensors.store import DeadLetter, DeadLetterStore, SensorRegistry, SensorState
from lingang.city.store import CityEventRow
from lingang.db import Database
from lingang.errors import Forbidden
from lingang.types import SYSTEM, Actor, Role

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
OUTSIDER = Actor(user_id=None, username="ent", role=Role.ENTERPRISE)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The migrated test database alone (the stores need no platform)."""
    built = Database(database_url)
    try:
        yield built
    finally:
        built.dispose()


def test_dead_letters_are_stored_listed_counted_and_purged(database: Database) -> None:
    store = DeadLetterStore(database)
    old = NOW - dt.timedelta(days=40)
    stored = store.add_many([
        DeadLetter("lingang/sensors/noise/N1", b"{broken", "not UTF-8 JSON", "payload", old),
        DeadLetter("lingang/sensors/noise/N2", b"\xff" * 3000, "not UTF-8 JSON", "payload", NOW),
        DeadLetter("lingang/sensors/noise/N3", b'{"unit":"x"}', "wrong unit", "unit", NOW),
    ])  # fmt: skip
    assert stored == 3
    assert store.count(SYSTEM) == {"payload": 2, "unit": 1}
    newest = store.list(SYSTEM, limit=10)
    assert [x.topic[-2:] for x in newest] == ["N3", "N2", "N1"]
    binary = newest[1]
    assert binary.truncated and binary.payload == b"\xff" * 2048  # base64, cut at 2 KiB
    assert [x.field for x in store.list(SYSTEM, field="unit")] == ["unit"]
    with pytest.raises(Forbidden):
        store.list(OUTSIDER)
    with pytest.raises(Forbidden):
        store.purge(OUTSIDER, NOW)
    assert store.purge(SYSTEM, NOW - dt.timedelta(days=30)) == 1
    assert sum(store.count(SYSTEM).values()) == 2


def test_the_registry_upserts_the_latest_reading(database: Database) -> None:
    registry = SensorRegistry(database)
    first = SensorState("WL-1", "water_level", 30.9, 121.93, "m", 0.02, NOW, 90.0, "LG-G15")
    registry.upsert([first, SensorState("MH-1", "manhole_tilt", 30.88, 121.9, "deg", 1.0, NOW)])
    later = SensorState(
        "WL-1", "water_level", 30.9, 121.93, "m", 0.31, NOW + dt.timedelta(minutes=1)
    )
    stale = SensorState(
        "WL-1", "water_level", 30.9, 121.93, "m", 0.01, NOW - dt.timedelta(minutes=5)
    )
    registry.upsert([later])
    registry.upsert([stale])  # older than what is stored: ignored
    sensors = {s.id: s for s in registry.sensors(SYSTEM)}
    assert set(sensors) == {"WL-1", "MH-1"}
    assert (sensors["WL-1"].value, sensors["WL-1"].read_at) == (0.31, later.read_at)
    assert sensors["WL-1"].grid == "LG-G15"  # kept from the first sight
    assert [s.id for s in registry.sensors(SYSTEM, kind="manhole_tilt")] == ["MH-1"]
    with pytest.raises(Forbidden):
        registry.sensors(OUTSIDER)


def test_a_storm_files_water_level_events_and_places_sensors(platform: Platform) -> None:
    pipeline = database_pipeline(platform.database, platform.city.file_sensor_alarms)
    scenario = Scenario(minutes=12, storm=True, bad_share=0.02)
    fleet = place_fleet(100, scenario)
    report = run_in_process(pipeline, fleet, scenario, NOW)
    flooded = {s.id for s in fleet if s.peak}
    assert report.water_sensors == flooded
    with platform.database.sessions() as session:
        severities = session.scalars(select(CityEventRow.severity)).all()
    # a flooded gauge's warning, fast-rise and critical alarms are one incident, raised
    assert set(report.alarms) == {"WL-WARN", "WL-RISE", "WL-CRIT"}
    assert len(severities) == len(flooded) and set(severities) == {"critical"}
    sensors = SensorRegistry(platform.database).sensors(SYSTEM)
    assert len(sensors) == 100 and all(s.grid for s in sensors)
    assert sum(DeadLetterStore(platform.database).count(SYSTEM).values()) == report.malformed > 0


def _mosquitto() -> None:
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=1.0).close()
    except OSError as exc:
        skip_or_fail(f"Mosquitto at 127.0.0.1:1883 unreachable ({exc}); .ci/run starts it")


class _Collect:
    """An in-memory sink that keeps this test's alarms only (the broker is shared)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.alarms: list[SensorAlarm] = []
        self.done = threading.Event()

    def __call__(self, alarms: Sequence[SensorAlarm]) -> list[int]:
        self.alarms.extend(a for a in alarms if a.sensor_id.startswith(self.prefix))
        if len(self.alarms) >= 2:
            self.done.set()
        return list(range(len(alarms)))


class _Letters:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def add_many(self, letters: Sequence[DeadLetter]) -> int:
        self.letters.extend(letters)
        return len(letters)


@pytest.mark.parametrize("separate", [False, True], ids=["thread", "child-process"])
def test_an_mqtt_round_trip_through_mosquitto(separate: bool) -> None:
    _mosquitto()
    prefix = f"IT{uuid.uuid4().hex[:8]}"
    sink, letters = _Collect(prefix), _Letters()
    pipeline = SensorPipeline(sink, letters, load_rules())
    intake = MqttIntake(pipeline, qos=1, flush_ms=50, separate_process=separate)
    intake.start()
    try:
        with MqttPublisher(qos=1) as publisher:
            for n, (kind, value) in enumerate([("water_level", 0.4), ("noise", 50.0),
                                               ("manhole_tilt", 30.0)]):  # fmt: skip
                at = dt.datetime.now(dt.UTC)
                reading = Reading(f"{prefix}-{n}", kind, value, UNITS[kind], at, 30.9, 121.93, at)
                publisher.publish(topic_for(kind, reading.sensor_id), payload_of(reading))
            publisher.publish(f"lingang/sensors/noise/{prefix}-bad", b"not json")
        assert sink.done.wait(20), "the alarms did not come back through the broker"
        deadline = time.monotonic() + 5
        while not any(prefix in x.topic for x in letters.letters) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        intake.stop()
    assert sorted(a.rule_id for a in sink.alarms) == ["MH-DISPLACED", "WL-CRIT"]
    mine = [x for x in letters.letters if prefix in x.topic]
    assert [(x.field, x.payload) for x in mine] == [("payload", b"not json")]
    assert intake.metrics.connects == 1 and intake.metrics.received >= 4


def test_an_unreachable_broker_times_out() -> None:
    pipeline = SensorPipeline(_Collect("X"), _Letters(), load_rules())
    intake = MqttIntake(pipeline, port=1)  # nothing listens on port 1
    with pytest.raises(TimeoutError, match="did not answer"):
        intake.start(timeout=1.0)
