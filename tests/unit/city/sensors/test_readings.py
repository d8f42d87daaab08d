"""Validation of sensor messages: each bad message is refused with the field at fault."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from lingang.city.sensors.readings import Reading, Rejected, parse, payload_of, topic_for

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
GOOD: dict[str, Any] = {
    "sensor_id": "WL-000001",
    "kind": "water_level",
    "value": 0.12,
    "unit": "m",
    "read_at": "2026-11-27T15:59:30+08:00",
    "lat": 30.90,
    "lon": 121.93,
    "battery": 87,
}
TOPIC = "lingang/sensors/water_level/WL-000001"


def message(**changes: Any) -> bytes:
    document = {**GOOD, **changes}
    return json.dumps({k: v for k, v in document.items() if v is not ...}).encode()


def test_a_good_message_is_a_reading_in_utc() -> None:
    reading = parse(TOPIC, message(), NOW)
    assert isinstance(reading, Reading)
    assert reading.read_at == dt.datetime(2026, 11, 27, 7, 59, 30, tzinfo=dt.UTC)
    assert (reading.value, reading.unit, reading.battery) == (0.12, "m", 87.0)


def test_battery_is_optional_and_integers_are_numbers() -> None:
    reading = parse(TOPIC, message(battery=..., value=0), NOW)
    assert isinstance(reading, Reading)
    assert reading.battery is None and reading.value == 0.0


@pytest.mark.parametrize(
    ("topic", "payload", "field"),
    [
        (TOPIC, b"{not json", "payload"),
        (TOPIC, b"\xff\xfe\x00", "payload"),
        (TOPIC, b"[1, 2]", "payload"),
        (TOPIC, b"{" + b" " * 5000 + b"}", "payload"),
        (TOPIC, message(value=...), "value"),
        (TOPIC, message(read_at=...), "read_at"),
        (TOPIC, message(extra=1), "extra"),
        (TOPIC, message(sensor_id="WL 1"), "sensor_id"),
        (TOPIC, message(kind="radiation"), "kind"),
        (TOPIC, message(unit="cm"), "unit"),
        (TOPIC, message(value="0.12"), "value"),
        (TOPIC, message(value=True), "value"),
        (TOPIC, message(value=7.5), "value"),  # 7.5 m of standing water: a broken gauge
        (
            TOPIC,
            b'{"sensor_id":"WL-000001","kind":"water_level","value":NaN,"unit":"m",'
            b'"read_at":"2026-11-27T15:59:30+08:00","lat":30.9,"lon":121.93}',
            "payload",
        ),
        (TOPIC, message(value=1e309), "payload"),  # json.dumps writes Infinity: not JSON
        (TOPIC, message(lat=31.5), "lat"),
        (TOPIC, message(lon=120.0), "lon"),
        (TOPIC, message(battery=120), "battery"),
        (TOPIC, message(read_at="2026-11-27T15:59:30"), "read_at"),  # no time zone
        (TOPIC, message(read_at="yesterday"), "read_at"),
        (TOPIC, message(read_at=1764230370), "read_at"),
        (TOPIC, message(read_at="2026-11-27T16:05:00+08:00"), "read_at"),  # 5 min ahead
        (TOPIC, message(read_at="2026-11-25T16:00:00+08:00"), "read_at"),  # 2 days old
        ("lingang/sensors/noise/WL-000001", message(), "topic"),
        ("lingang/sensors/water_level/WL-000002", message(), "topic"),
        ("lingang/other/water_level/WL-000001", message(), "topic"),
        ("lingang/sensors/water_level/WL-000001/x", message(), "topic"),
    ],
)
def test_a_bad_message_names_its_field(topic: str, payload: bytes, field: str) -> None:
    rejected = parse(topic, payload, NOW)
    assert isinstance(rejected, Rejected), rejected
    assert rejected.field == field, rejected.reason
    assert rejected.raw == payload and rejected.topic == topic and rejected.reason


def test_a_small_clock_skew_is_accepted() -> None:
    assert isinstance(parse(TOPIC, message(read_at="2026-11-27T16:00:20+08:00"), NOW), Reading)


@pytest.mark.parametrize(
    ("kind", "unit", "value"),
    [("air_quality", "ug/m3", 180.0), ("manhole_tilt", "deg", 12.0), ("noise", "dB(A)", 72.0),
     ("parking", "%", 96.0), ("traffic_flow", "veh/min", 35.0)],
)  # fmt: skip
def test_every_kind_has_its_unit(kind: str, unit: str, value: float) -> None:
    topic = topic_for(kind, "S-1")
    payload = message(kind=kind, unit=unit, value=value, sensor_id="S-1")
    assert isinstance(parse(topic, payload, NOW), Reading)
    wrong = parse(topic, message(kind=kind, unit="m", value=value, sensor_id="S-1"), NOW)
    assert isinstance(wrong, Rejected) and wrong.field == "unit"


def test_the_simulator_encoding_round_trips() -> None:
    reading = parse(TOPIC, message(), NOW)
    assert isinstance(reading, Reading)
    again = parse(TOPIC, payload_of(reading), NOW)
    assert again == reading
