"""The operations map's reads (运行态势): sensor markers and the summary strip, bounded.

The registry can hold 200,000 sensors; the map draws at most ``limit`` of them, those with an
open event first, while the counts cover every sensor. Read-only; used through
:meth:`lingang.city.service.CityService.sensor_markers` and ``situation``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lingang.city import store
from lingang.city.model import CityEvent
from lingang.city.sensors.store import CitySensorRow
from lingang.workdays import SlaStatus

RECENT = dt.timedelta(hours=1)
""""Reporting" and "alarms" look this far back."""
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class SensorMarker:
    """A sensor on the map: where it is and its latest reading."""

    id: str
    kind: str
    lat: float
    lon: float
    last_value: float
    last_seen: dt.datetime


@dataclass(frozen=True, slots=True)
class Situation:
    """The map's summary strip: open and overdue events of the actor's reach, sensors heard
    from in the last hour (of all registered), sensor events alarmed in the last hour."""

    open_events: int
    overdue: int
    sensors_reporting: int
    sensors_total: int
    alarms_last_hour: int


def sensor_markers(session: Session, alarmed: Iterable[str], limit: int) -> list[SensorMarker]:
    """Up to ``limit`` registered sensors, those in ``alarmed`` first."""
    wanted = sorted(set(alarmed))[:limit]
    found: dict[str, SensorMarker] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in session.scalars(select(CitySensorRow).where(CitySensorRow.id.in_(chunk))):
            found[row.id] = _marker(row)
    for row in session.scalars(select(CitySensorRow).order_by(CitySensorRow.id).limit(limit)):
        if len(found) >= limit:
            break
        found.setdefault(row.id, _marker(row))
    return list(found.values())


def situation(session: Session, open_events: Sequence[CityEvent], unit: str | None,
              now: dt.datetime) -> Situation:  # fmt: skip
    """The summary strip; ``unit`` narrows the alarm count to one unit's orders."""
    since = now - RECENT
    row = store.CityEventRow
    alarms = select(func.count()).select_from(row).where(row.source == "sensor",
                                                         row.last_at >= since)  # fmt: skip
    if unit is not None:
        alarms = alarms.where(row.unit == unit)
    sensors = select(func.count()).select_from(CitySensorRow)
    total = int(session.scalar(sensors) or 0)
    reporting = int(session.scalar(sensors.where(CitySensorRow.last_seen >= since)) or 0)
    overdue = sum(e.sla_status is SlaStatus.BREACHED for e in open_events)
    return Situation(len(open_events), overdue, reporting, total,
                     int(session.scalar(alarms) or 0))  # fmt: skip


def _marker(row: CitySensorRow) -> SensorMarker:
    return SensorMarker(row.id, row.kind, row.lat, row.lon, row.last_value, row.last_seen)
