"""What the sensor pipeline hands to the city-event service (issue #9).

Sensors publish readings over MQTT; the pipeline (``lingang.city.sensors``) validates them and
runs the threshold and trend rules; a rule that fires yields a :class:`SensorAlarm`. The event
service (``lingang.city.service``) files alarms as city events: one open event per sensor and
rule, later alarms of the same pair counted on it instead of filing a duplicate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SENSOR_KINDS = ("water_level", "air_quality", "manhole_tilt", "noise", "parking", "traffic_flow")
"""The kinds of sensor the zone runs (神经元 sensors of the plan, 三(五)4)."""


@dataclass(frozen=True, slots=True)
class SensorAlarm:
    """A rule fired on a sensor's reading: which sensor, where, which rule, the value that
    fired it, when it was read and when the pipeline received it (for latency), and the city
    category the event is filed under (a code of ``lingang/city/categories.yaml``)."""

    sensor_id: str
    kind: str
    rule_id: str
    rule_name: str
    category: str
    value: float
    lat: float
    lon: float
    read_at: dt.datetime
    received_at: dt.datetime
    severity: str = "warning"  # "warning" or "critical"
    detail: str = ""


AlarmSink = Callable[[Sequence[SensorAlarm]], Sequence[int]]
"""Files a batch of alarms; returns the city-event id of each (in order)."""
