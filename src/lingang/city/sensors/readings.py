"""A sensor reading as it arrives over MQTT, and its strict validation.

Topic ``lingang/sensors/<kind>/<sensor_id>``, payload UTF-8 JSON::

    {"sensor_id": "WL-000123", "kind": "water_level", "value": 0.12, "unit": "m",
     "read_at": "2026-11-27T08:30:00+08:00", "lat": 30.90, "lon": 121.93, "battery": 87}

``battery`` (percent) is optional; every other key is required and no other key is allowed.
:func:`parse` returns a :class:`Reading` or a :class:`Rejected` naming the reason and the field
at fault, which the pipeline sends to the dead-letter store.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import orjson

from lingang.city.contracts import SENSOR_KINDS

TOPIC_PREFIX = "lingang/sensors"
"""Topics are ``lingang/sensors/<kind>/<sensor_id>``; the intake subscribes ``…/#``."""

UNITS: dict[str, str] = {
    "water_level": "m",  # depth of standing water above the road surface (积水深度)
    "air_quality": "ug/m3",  # PM2.5 mass concentration
    "manhole_tilt": "deg",  # tilt of the manhole cover from level (井盖倾角)
    "noise": "dB(A)",  # A-weighted sound level
    "parking": "%",  # occupancy of a car park
    "traffic_flow": "veh/min",  # vehicles per minute on a section
}
"""The one unit each kind must report in."""

RANGES: dict[str, tuple[float, float]] = {
    "water_level": (-0.5, 5.0),
    "air_quality": (0.0, 1000.0),
    "manhole_tilt": (0.0, 90.0),
    "noise": (20.0, 140.0),
    "parking": (0.0, 100.0),
    "traffic_flow": (0.0, 300.0),
}
"""The physically plausible range of each kind (outside it the sensor is broken)."""

ZONE_BOUNDS = (30.80, 31.00, 121.75, 122.05)
"""``(lat_min, lat_max, lon_min, lon_max)``: the Lingang zone's bounding box (WGS 84)."""

MAX_SKEW = dt.timedelta(seconds=30)
"""How far in the future a reading may be stamped (clock skew between sensor and node)."""

MAX_AGE = dt.timedelta(days=1)
"""A reading older than this on arrival is refused (a replay, or a clock that is wrong)."""

MAX_PAYLOAD = 4096
"""Bytes: a larger payload is refused before it is parsed."""

_SHANGHAI = dt.timezone(dt.timedelta(hours=8), "CST")
_SENSOR_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_REQUIRED = ("sensor_id", "kind", "value", "unit", "read_at", "lat", "lon")
_REQUIRED_SET = frozenset(_REQUIRED)
_KEYS = frozenset((*_REQUIRED, "battery"))
_PREFIX = f"{TOPIC_PREFIX}/"
_PREFIX_LEN = len(_PREFIX)


@dataclass(slots=True)
class Reading:
    """One valid reading: which sensor, what it measured, when and where."""

    sensor_id: str
    kind: str
    value: float
    unit: str
    read_at: dt.datetime  # aware, UTC
    lat: float
    lon: float
    received_at: dt.datetime  # aware, UTC
    battery: float | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message the intake refuses: why, which field, and the message itself."""

    reason: str
    field: str
    topic: str
    raw: bytes
    received_at: dt.datetime


class _Refuse(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def topic_for(kind: str, sensor_id: str) -> str:
    """The topic a sensor publishes on."""
    return f"{TOPIC_PREFIX}/{kind}/{sensor_id}"


def parse(topic: str, payload: bytes, received_at: dt.datetime) -> Reading | Rejected:
    """Validate one message; a :class:`Reading`, or a :class:`Rejected` with the field."""
    try:
        return _parse(topic, payload, received_at)
    except _Refuse as refused:
        return Rejected(refused.reason, refused.field, topic, payload, received_at)


def _parse(topic: str, payload: bytes, received_at: dt.datetime) -> Reading:
    topic_kind, topic_id = _topic(topic)
    document = _document(payload)
    sensor_id = _sensor_id(document.get("sensor_id"))
    kind = _kind(document.get("kind"))
    if (topic_kind, topic_id) != (kind, sensor_id):
        raise _Refuse("topic", f"topic {topic!r} does not match the payload's kind and sensor")
    unit = document.get("unit")
    if unit != UNITS[kind]:
        raise _Refuse("unit", f"{kind} must be reported in {UNITS[kind]!r}, not {unit!r}")
    value = _number(document.get("value"), "value", *RANGES[kind])
    lat = _number(document.get("lat"), "lat", ZONE_BOUNDS[0], ZONE_BOUNDS[1])
    lon = _number(document.get("lon"), "lon", ZONE_BOUNDS[2], ZONE_BOUNDS[3])
    battery = document.get("battery")
    level = None if battery is None else _number(battery, "battery", 0.0, 100.0)
    read_at = _read_at(document.get("read_at"), received_at)
    return Reading(sensor_id, kind, value, unit, read_at, lat, lon, received_at, level)


def _topic(topic: str) -> tuple[str, str]:
    kind, slash, sensor_id = topic[_PREFIX_LEN:].partition("/")
    if not topic.startswith(_PREFIX) or not slash or "/" in sensor_id:
        raise _Refuse("topic", f"topic {topic[:120]!r} is not {TOPIC_PREFIX}/<kind>/<sensor_id>")
    return kind, sensor_id


def _document(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD:
        raise _Refuse("payload", f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    try:
        document = orjson.loads(payload)  # strict RFC 8259 UTF-8: no NaN, no bad bytes
    except orjson.JSONDecodeError as exc:
        raise _Refuse("payload", f"not UTF-8 JSON: {exc}") from None
    if type(document) is not dict:
        raise _Refuse("payload", f"a JSON object is expected, not {type(document).__name__}")
    keys = document.keys()
    if not keys >= _REQUIRED_SET:
        missing = next(key for key in _REQUIRED if key not in keys)
        raise _Refuse(missing, f"{missing} is missing")
    if not keys <= _KEYS:
        unknown = sorted(keys - _KEYS)[0]
        raise _Refuse(unknown, f"unknown key {unknown!r}")
    return document


def _sensor_id(value: Any) -> str:
    if not isinstance(value, str) or not _SENSOR_ID.fullmatch(value):
        raise _Refuse("sensor_id", f"sensor_id {value!r} must be 1-64 of A-Z a-z 0-9 _ . -")
    return value


def _kind(value: Any) -> str:
    if value not in SENSOR_KINDS:
        raise _Refuse("kind", f"kind {value!r} is not one of {', '.join(SENSOR_KINDS)}")
    assert isinstance(value, str)
    return value


def _number(value: Any, field: str, low: float, high: float) -> float:
    if type(value) is float and low <= value <= high:  # the common case (excludes NaN, inf)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refuse(field, f"{field} must be a number, not {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise _Refuse(field, f"{field} must be finite")
    if not low <= number <= high:
        raise _Refuse(field, f"{field} {number:g} is outside [{low:g}, {high:g}]")
    return number


def _read_at(value: Any, received_at: dt.datetime) -> dt.datetime:
    if not isinstance(value, str):
        raise _Refuse("read_at", "read_at must be an ISO 8601 string")
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _Refuse("read_at", f"read_at {value[:40]!r} is not ISO 8601") from None
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise _Refuse("read_at", "read_at must carry a time zone")
    stamp = stamp.astimezone(dt.UTC)
    if stamp - received_at > MAX_SKEW:
        raise _Refuse("read_at", f"read_at {value} is in the future")
    if received_at - stamp > MAX_AGE:
        raise _Refuse("read_at", f"read_at {value} is older than {MAX_AGE}")
    return stamp


def payload_of(reading: Reading, *, local: bool = True) -> bytes:
    """The message a sensor would publish for ``reading`` (the simulator's encoder)."""
    stamp = reading.read_at.astimezone(_SHANGHAI) if local else reading.read_at
    document: dict[str, Any] = {
        "sensor_id": reading.sensor_id,
        "kind": reading.kind,
        "value": round(reading.value, 3),
        "unit": reading.unit,
        "read_at": stamp.isoformat(timespec="milliseconds"),
        "lat": round(reading.lat, 6),
        "lon": round(reading.lon, 6),
    }
    if reading.battery is not None:
        document["battery"] = round(reading.battery, 1)
    return json.dumps(document, separators=(",", ":")).encode()
