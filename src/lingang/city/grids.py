"""Responsibility grids (责任网格, 上海市城市网格化管理办法) of the Lingang main area.

The platform ships its own GeoJSON (``grids/lingang-grids-v1.geojson``): illustrative
rectangles around 滴水湖 authored by the project, not surveyed boundaries. Each feature
names its grid id (``LG-G01``…), Chinese and English names, its town and the responsible
grid unit (网格化管理中心工作站). Points are placed in a grid by ray casting in pure Python.
Rules in docs/city.md.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lingang.errors import Invalid, NotFound

GRID_ID = re.compile(r"^LG-G\d{2,3}$")
PROPERTIES = ("name_zh", "name_en", "town_zh", "town_en", "unit")
Ring = tuple[tuple[float, float], ...]  # (lon, lat) pairs, closed


@dataclass(frozen=True, slots=True)
class Grid:
    """One responsibility grid: who answers for it and its outline (lon, lat rings)."""

    id: str
    name_zh: str
    name_en: str
    town_zh: str
    town_en: str
    unit: str
    rings: tuple[Ring, ...]
    bbox: tuple[float, float, float, float]  # west, south, east, north

    def name(self, lang: str = "zh-CN") -> str:
        """The grid's name in ``lang`` (zh-CN, or ``en``)."""
        return self.name_en if lang == "en" else self.name_zh

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the outer ring and outside every hole."""
        west, south, east, north = self.bbox
        if not (west <= lon <= east and south <= lat <= north):
            return False
        outer, *holes = self.rings
        return _inside(outer, lon, lat) and not any(_inside(h, lon, lat) for h in holes)

    def centroid(self) -> tuple[float, float]:
        """The centre of the bounding box as (lat, lon)."""
        west, south, east, north = self.bbox
        return (south + north) / 2, (west + east) / 2


@dataclass(frozen=True, slots=True)
class GridMap:
    """The zone's grids as shipped: look-up by id and by point, and the GeoJSON itself."""

    version: str
    grids: Mapping[str, Grid]
    document: Mapping[str, Any]

    def all(self) -> list[Grid]:
        """Every grid, in id order."""
        return [self.grids[k] for k in sorted(self.grids)]

    def get(self, grid_id: str) -> Grid:
        """One grid (``NotFound`` otherwise)."""
        found = self.grids.get(grid_id)
        if found is None:
            raise NotFound(f"no responsibility grid {grid_id!r}")
        return found

    def grid_of(self, lat: float, lon: float) -> Grid | None:
        """The grid that contains the point, or None outside the mapped area."""
        for grid in self.all():
            if grid.contains(lat, lon):
                return grid
        return None

    def geojson(self, extra: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
        """The FeatureCollection, each feature's properties merged with ``extra[grid_id]``
        (e.g. open-event counts for the console map)."""
        features = []
        for feature in self.document["features"]:
            properties = dict(feature["properties"])
            properties.update((extra or {}).get(properties["id"], {}))
            features.append({**feature, "properties": properties})
        return {**self.document, "features": features}


def _inside(ring: Ring, lon: float, lat: float) -> bool:
    """Ray casting (even–odd rule): count the edges a ray east of the point crosses."""
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


@functools.cache
def load_grids(path: Path | None = None) -> GridMap:
    """The shipped grids (``grids/lingang-grids-v*.geojson``, newest), or the file at
    ``path``; checked on load (``Invalid`` names the feature and the field)."""
    if path is None:
        base = Path(__file__).with_name("grids")
        path = sorted(base.glob("lingang-grids-v*.geojson"))[-1]
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise Invalid("grids", f"{path.name}: not readable GeoJSON ({exc})") from None
    return parse_grids(data, path.name)


def parse_grids(data: Any, source: str = "grids") -> GridMap:
    """Check a GeoJSON FeatureCollection of grids and build the map."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise Invalid("type", f"{source}: must be a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise Invalid("features", f"{source}: needs a non-empty list of features")
    grids: dict[str, Grid] = {}
    for index, feature in enumerate(features):
        grid = _grid(feature, f"features[{index}]")
        if grid.id in grids:
            raise Invalid(f"features[{index}].properties.id", f"duplicate grid id {grid.id}")
        grids[grid.id] = grid
    return GridMap(str(data.get("version", "1")), grids, data)


def _grid(feature: Any, where: str) -> Grid:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise Invalid(f"{where}.type", "must be a GeoJSON Feature")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise Invalid(f"{where}.properties", "missing")
    grid_id = props.get("id")
    if not isinstance(grid_id, str) or not GRID_ID.match(grid_id):
        raise Invalid(f"{where}.properties.id", f"{grid_id!r} is not a grid id like LG-G01")
    where = f"{where} ({grid_id})"
    for name in PROPERTIES:
        if not isinstance(props.get(name), str) or not props[name].strip():
            raise Invalid(f"{where}.properties.{name}", "required text")
    rings = _rings(feature.get("geometry"), where)
    points = [p for ring in rings for p in ring]
    bbox = (min(p[0] for p in points), min(p[1] for p in points),
            max(p[0] for p in points), max(p[1] for p in points))  # fmt: skip
    return Grid(grid_id, props["name_zh"].strip(), props["name_en"].strip(),
                props["town_zh"].strip(), props["town_en"].strip(), props["unit"].strip(),
                rings, bbox)  # fmt: skip


def _rings(geometry: Any, where: str) -> tuple[Ring, ...]:
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        raise Invalid(f"{where}.geometry.type", "must be a Polygon")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise Invalid(f"{where}.geometry.coordinates", "needs at least the outer ring")
    return tuple(_ring(ring, f"{where}.geometry.coordinates[{i}]")
                 for i, ring in enumerate(coordinates))  # fmt: skip


def _ring(ring: Any, where: str) -> Ring:
    if not isinstance(ring, list) or len(ring) < 4:
        raise Invalid(where, "a linear ring needs at least 4 positions")
    points = tuple(_position(p, f"{where}[{i}]") for i, p in enumerate(ring))
    if points[0] != points[-1]:
        raise Invalid(where, "the ring is not closed (first position ≠ last)")
    return points


def _position(value: Any, where: str) -> tuple[float, float]:
    if (not isinstance(value, Sequence) or len(value) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool)
                       for v in value[:2])):  # fmt: skip
        raise Invalid(where, "a position is [lon, lat] in degrees")
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise Invalid(where, f"[{lon}, {lat}] is outside [-180..180, -90..90]")
    return lon, lat
