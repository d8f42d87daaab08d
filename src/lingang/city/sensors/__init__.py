"""Sensor intake of 一网统管 (issue #9 item 1): MQTT readings → validation → threshold and
trend rules → alarms filed as city events; malformed messages to a dead-letter store.

``readings`` validates a message, ``rules`` loads the rule set, ``pipeline`` evaluates
batches, ``store`` keeps dead letters and the sensor registry, ``mqtt`` is the broker adapter,
``simulate`` the demo fleet. See docs/city.md, section "Sensors".
"""

from __future__ import annotations

from lingang.city.contracts import AlarmSink
from lingang.city.grids import load_grids
from lingang.city.sensors.pipeline import SensorPipeline
from lingang.city.sensors.rules import SensorRules, load_rules
from lingang.city.sensors.store import DeadLetterStore, SensorRegistry
from lingang.db import Database


def database_pipeline(
    database: Database, sink: AlarmSink, rules: SensorRules | None = None
) -> SensorPipeline:
    """A pipeline whose dead letters and sensor registry are the database's tables, and
    whose sensors are placed in the zone's responsibility grids."""
    boxes = [(grid.bbox, grid) for grid in load_grids().all()]

    def grid_of(lat: float, lon: float) -> str | None:
        for (west, south, east, north), grid in boxes:
            if west <= lon <= east and south <= lat <= north and grid.contains(lat, lon):
                return grid.id
        return None

    return SensorPipeline(
        sink,
        DeadLetterStore(database),
        rules or load_rules(),
        registry=SensorRegistry(database),
        grid_of=grid_of,
    )


__all__ = ["database_pipeline"]
