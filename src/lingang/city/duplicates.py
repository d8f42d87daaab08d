"""Duplicate suggestions: tickets or events of the same category near in space and time.

A hotline ticket about a loose manhole cover is likely the one a sensor or another caller
reported an hour ago a few metres away. :func:`suggest_duplicates` lists the candidates of the
same category within a radius (haversine on WGS-84 latitude/longitude) and a time window,
nearest first; the operator decides whether to merge. Pure functions over small dataclasses.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, NamedTuple, Protocol, TypeVar

from lingang.errors import Invalid

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres: the haversine sphere."""
DEFAULT_RADIUS_M = 100.0
DEFAULT_WINDOW = dt.timedelta(hours=24)


class Located(Protocol):
    """Anything filed under a category at a place and a time (a ticket, a city event)."""

    @property
    def category(self) -> str: ...

    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...

    @property
    def at(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class Report:
    """A ticket or event as duplicate detection sees it: id, category code, place, time."""

    id: str
    category: str
    lat: float
    lon: float
    at: dt.datetime


T = TypeVar("T", bound=Located)


class DuplicateSuggestion(NamedTuple, Generic[T]):
    """A likely duplicate: the item, how far it is (metres) and how far apart in time (hours)."""

    item: T
    distance_m: float
    hours_apart: float


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (degrees)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def check_position(item: Located, where: str = "candidate") -> None:
    """:class:`Invalid` naming the field when latitude, longitude or time is out of range."""
    if not isinstance(item.lat, int | float) or not -90.0 <= item.lat <= 90.0:
        raise Invalid(f"{where}.lat", f"must be a latitude in [-90, 90], got {item.lat!r}")
    if not isinstance(item.lon, int | float) or not -180.0 <= item.lon <= 180.0:
        raise Invalid(f"{where}.lon", f"must be a longitude in [-180, 180], got {item.lon!r}")
    if item.at.tzinfo is None:
        raise Invalid(f"{where}.at", "must carry a time zone")


def suggest_duplicates(
    candidate: Located,
    existing: Iterable[T],
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    window: dt.timedelta = DEFAULT_WINDOW,
) -> list[DuplicateSuggestion[T]]:
    """Items of ``existing`` with the candidate's category, within ``radius_m`` metres and
    ``window`` of time (either side), nearest first (then closest in time). The candidate
    itself, if listed, is skipped."""
    if not radius_m > 0:
        raise Invalid("radius_m", "must be positive")
    if window <= dt.timedelta(0):
        raise Invalid("window", "must be positive")
    check_position(candidate)
    found: list[DuplicateSuggestion[T]] = []
    for index, item in enumerate(existing):
        if item is candidate or item.category != candidate.category:
            continue
        check_position(item, f"existing[{index}]")
        apart = abs(item.at - candidate.at)
        if apart > window:
            continue
        distance = haversine_m(candidate.lat, candidate.lon, item.lat, item.lon)
        if distance <= radius_m:
            found.append(DuplicateSuggestion(item, distance, apart.total_seconds() / 3600))
    return sorted(found, key=lambda s: (s.distance_m, s.hours_apart))
