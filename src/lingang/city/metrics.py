"""Pure helpers of the city KPIs: repeat locations (distances: ``duplicates.haversine_m``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lingang.city.duplicates import haversine_m as distance_m

REPEAT_RADIUS_M = 100.0
REPEAT_MIN_EVENTS = 3
REPEAT_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Point:
    """An event's place and time, for clustering."""

    event_id: int
    lat: float
    lon: float
    at: dt.datetime
    category: str | None
    grid_id: str | None


@dataclass(frozen=True, slots=True)
class Cluster:
    """Events within the radius of a centre event."""

    centre: Point
    members: tuple[Point, ...]


def repeat_clusters(
    points: Sequence[Point], *, radius_m: float = REPEAT_RADIUS_M,
    min_events: int = REPEAT_MIN_EVENTS, window: dt.timedelta = REPEAT_WINDOW,
) -> list[Cluster]:  # fmt: skip
    """Places where at least ``min_events`` events lie within ``radius_m`` of one of them and
    within ``window`` of it; greedy: the densest place first, its events taken."""
    near = _neighbours(points, radius_m, window)
    left = {p.event_id: p for p in points}
    found: list[Cluster] = []
    while left:
        centre = max(left.values(), key=lambda p: (len(near[p.event_id] & left.keys()),
                                                   -p.event_id))  # fmt: skip
        members = sorted(near[centre.event_id] & left.keys())
        if len(members) < min_events:
            break
        found.append(Cluster(centre, tuple(left[i] for i in members)))
        for event_id in members:
            del left[event_id]
    return found


def _neighbours(points: Sequence[Point], radius_m: float, window: dt.timedelta
                ) -> dict[int, set[int]]:  # fmt: skip
    """Each event's neighbours (itself included), found through ~radius-sized buckets."""
    cell = radius_m / 111_000.0  # degrees of latitude per radius; longitude cells are narrower
    buckets: dict[tuple[int, int], list[Point]] = {}
    for p in points:
        buckets.setdefault((int(p.lat // cell), int(p.lon // cell)), []).append(p)
    near: dict[int, set[int]] = {}
    for p in points:
        key = (int(p.lat // cell), int(p.lon // cell))
        found = {p.event_id}
        for dy in (-1, 0, 1):
            for dx in (-2, -1, 0, 1, 2):
                for q in buckets.get((key[0] + dy, key[1] + dx), ()):
                    if abs(q.at - p.at) <= window and (
                            distance_m(p.lat, p.lon, q.lat, q.lon) <= radius_m):  # fmt: skip
                        found.add(q.event_id)
        near[p.event_id] = found
    return near


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places, None when nothing was counted."""
    return round(part / whole, 4) if whole else None
