"""一网统管 operations map (运行地图): the zone's responsibility grids drawn as inline SVG from
the platform's own GeoJSON (``CityService.grids_geojson``), no tile server and no external
asset. Each grid is filled by its open events on a 5-step scale; sensors are small circles
coloured by kind (red while an open event of theirs stands); open events are markers (water
level events as blue diamonds, the rest as orange triangles). Clicking a grid lists its open
events; clicking an event marker opens the event. The page re-reads everything every 10 s, so
a storm simulation running in another terminal shows up live.

The projection is equirectangular, x scaled by cos(latitude of the map's centre): at the
scale of the zone (about 15 km) it is indistinguishable from a proper projection.

Sensor positions and the counts come from ``CityService.sensor_markers`` and ``situation``
(bounded: the registry may hold 200,000 sensors).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Final

from nicegui import events, ui

from lingang.bootstrap import Platform
from lingang.city.model import CityEvent
from lingang.city.situation import SensorMarker
from lingang.console import session
from lingang.console.components.cards import count_card
from lingang.console.components.nav import CITY_EVENTS, CITY_MAP
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.city_events import QUEUE_COLUMNS, SLA_SLOT, event_row
from lingang.console.pages.guard import console_page
from lingang.errors import LingangError
from lingang.types import Actor

REFRESH_SECONDS: Final = 10.0
WIDTH: Final = 960.0
PADDING: Final = 12.0
SENSOR_LIMIT: Final = 3000
"""Sensors drawn at most (those in alarm first); the counts cover all of them."""
EVENT_LIMIT: Final = 2000
SCALE: Final = (0, 1, 3, 6, 10)
"""Lower bounds of the five classes of open events per grid: 0, 1–2, 3–5, 6–9, 10+."""
FILLS: Final = ("#f1f5f9", "#fde68a", "#fdba74", "#f87171", "#b91c1c")
KIND_COLOURS: Final = {
    "water_level": "#0284c7", "air_quality": "#65a30d", "manhole_tilt": "#7c3aed",
    "noise": "#a16207", "parking": "#0d9488", "traffic_flow": "#db2777",
}  # fmt: skip
KIND_LABELS: Final = {
    "water_level": ("水位", "Water level"), "air_quality": ("空气质量", "Air quality"),
    "manhole_tilt": ("井盖倾斜", "Manhole tilt"), "noise": ("噪声", "Noise"),
    "parking": ("停车泊位", "Parking"), "traffic_flow": ("交通流量", "Traffic flow"),
}  # fmt: skip
ALARM: Final = "#dc2626"
CLICK_JS: Final = (
    "(e) => { const el = e.target.closest('[data-event],[data-grid]'); if (!el) return;"
    " emit(el.dataset.event ? 'event:' + el.dataset.event : 'grid:' + el.dataset.grid); }"
)


@dataclass(frozen=True, slots=True)
class Projection:
    """Equirectangular lon/lat → SVG x/y over a bounding box."""

    west: float
    north: float
    scale: float
    kx: float
    width: float
    height: float

    @classmethod
    def fit(cls, bbox: tuple[float, float, float, float], width: float) -> Projection:
        """A projection of ``bbox`` (west, south, east, north) into ``width`` pixels."""
        west, south, east, north = bbox
        kx = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * kx, 1e-9)
        scale = (width - 2 * PADDING) / span_x
        height = (north - south) * scale + 2 * PADDING
        return cls(west, north, scale, kx, width, height)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """The SVG point of a position."""
        x = PADDING + (lon - self.west) * self.kx * self.scale
        y = PADDING + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)

    def inside(self, x: float, y: float) -> bool:
        """Whether an SVG point falls on the drawing."""
        return 0 <= x <= self.width and 0 <= y <= self.height


def register(platform: Platform) -> None:
    """Register ``/city``: the operations map."""

    @console_page(platform, CITY_MAP)
    def city_map(actor: Actor, lang: Language) -> None:
        MapPage(platform, actor, lang).render()


# --- reading --------------------------------------------------------------------------------


# --- drawing --------------------------------------------------------------------------------


def fill_of(count: int) -> str:
    """The fill of a grid with ``count`` open events (5 steps, :data:`SCALE`)."""
    step = max(i for i, low in enumerate(SCALE) if count >= low)
    return FILLS[step]


def is_water(event: CityEvent) -> bool:
    """Whether an event comes from a water-level sensor (a storm's standing water)."""
    return event.source == "sensor" and (
        " water_level " in f" {event.text} " or (event.rule_id or "").startswith("WL-")
    )


def _bbox(features: Sequence[Mapping[str, Any]]) -> tuple[float, float, float, float]:
    points = [p for f in features for ring in f["geometry"]["coordinates"] for p in ring]
    xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def svg_map(
    geojson: Mapping[str, Any], sensors: Sequence[SensorMarker], alarmed: set[str],
    events_: Sequence[CityEvent], lang: Language, selected: str | None = None,
) -> str:  # fmt: skip
    """The map as one inline ``<svg>``: grids, sensors, then event markers on top."""
    features = list(geojson.get("features", []))
    if not features:
        return "<svg xmlns='http://www.w3.org/2000/svg' data-testid='city-svg'></svg>"
    proj = Projection.fit(_bbox(features), WIDTH)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {proj.width:.0f} "
        f"{proj.height:.0f}' width='100%' data-testid='city-svg' role='img' "
        "style='max-width:960px;background:#e0f2fe;cursor:pointer'>",
        *(_grid(f, proj, lang, selected) for f in features),
        *(_sensor(s, proj, s.id in alarmed, lang) for s in sensors),
        *(_event(e, proj) for e in events_),
        "</svg>",
    ]
    return "".join(p for p in parts if p)


def _grid(feature: Mapping[str, Any], proj: Projection, lang: Language,
          selected: str | None) -> str:  # fmt: skip
    props = feature["properties"]
    grid_id, count = str(props["id"]), int(props.get("open_events", 0))
    name = props["name_en"] if lang == "en" else props["name_zh"]
    overdue = int(props.get("overdue_events", 0))
    rings = feature["geometry"]["coordinates"]
    path = " ".join(
        "M" + " L".join("{},{}".format(*proj.xy(float(p[0]), float(p[1]))) for p in ring) + " Z"
        for ring in rings
    )
    stroke = "stroke='#1e3a8a' stroke-width='3'" if grid_id == selected else (
        "stroke='#475569' stroke-width='1'")  # fmt: skip
    title = f"{grid_id} {name} · {t('city.open_events', lang)} {count}"
    if overdue:
        title += f" · {t('city.overdue', lang)} {overdue}"
    x, y = proj.xy(*_ring_centre(rings[0]))
    return (
        f"<g data-grid='{escape(grid_id, quote=True)}' data-open='{count}' class='city-grid'>"
        f"<path d='{path}' fill='{fill_of(count)}' fill-rule='evenodd' {stroke}>"
        f"<title>{escape(title)}</title></path>"
        f"<text x='{x}' y='{y}' font-size='10' text-anchor='middle' fill='#334155' "
        f"pointer-events='none'>{escape(grid_id[3:])}</text></g>"
    )


def _ring_centre(ring: Sequence[Sequence[float]]) -> tuple[float, float]:
    xs, ys = [float(p[0]) for p in ring], [float(p[1]) for p in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def _sensor(sensor: SensorMarker, proj: Projection, alarm: bool, lang: Language) -> str:
    x, y = proj.xy(sensor.lon, sensor.lat)
    if not proj.inside(x, y):
        return ""
    colour = ALARM if alarm else KIND_COLOURS.get(sensor.kind, "#64748b")
    kind = KIND_LABELS.get(sensor.kind)
    name = (kind[1] if lang == "en" else kind[0]) if kind else sensor.kind
    tone = "city-sensor-alarm" if alarm else "city-sensor"
    return (
        f"<circle cx='{x}' cy='{y}' r='{3.5 if alarm else 2.5}' fill='{colour}' "
        f"stroke='white' stroke-width='0.6' class='{tone}' data-kind='{escape(sensor.kind)}'>"
        f"<title>{escape(sensor.id)} · {escape(name)} = {sensor.last_value:g}</title></circle>"
    )


def _event(event: CityEvent, proj: Projection) -> str:
    x, y = proj.xy(event.lon, event.lat)
    if not proj.inside(x, y):
        return ""
    title = f"<title>{escape(f'#{event.id} {event.state_label} · {event.text[:60]}')}</title>"
    if is_water(event):
        return (
            f"<g data-event='{event.id}' class='city-ev-water'><rect x='{x - 5}' y='{y - 5}' "
            f"width='10' height='10' fill='#1d4ed8' stroke='white' stroke-width='1.2' "
            f"transform='rotate(45 {x} {y})'>{title}</rect></g>"
        )
    return (
        f"<g data-event='{event.id}' class='city-ev'><polygon points='{x},{y - 6} "
        f"{x - 5.5},{y + 4} {x + 5.5},{y + 4}' fill='#ea580c' stroke='white' "
        f"stroke-width='1.2'>{title}</polygon></g>"
    )


def legend_html(lang: Language) -> str:
    """The colour scale of the grids and the marker key, as inline HTML."""
    labels = ("0", "1–2", "3–5", "6–9", "10+")
    swatches = "".join(
        f"<span style='display:inline-flex;align-items:center;gap:4px;margin-right:10px'>"
        f"<span style='width:18px;height:12px;background:{fill};border:1px solid #475569;"
        f"display:inline-block'></span>{label}</span>"
        for fill, label in zip(FILLS, labels, strict=True)
    )
    kinds = "".join(
        f"<span style='margin-right:10px'><span style='color:{KIND_COLOURS[k]}'>●</span> "
        f"{escape(v[1] if lang == 'en' else v[0])}</span>"
        for k, v in KIND_LABELS.items()
    )
    marks = (
        f"<span style='margin-right:10px'><span style='color:{ALARM}'>●</span> "
        f"{escape(t('city.legend_alarm', lang))}</span>"
        f"<span style='margin-right:10px'><span style='color:#1d4ed8'>◆</span> "
        f"{escape(t('city.legend_water', lang))}</span>"
        f"<span><span style='color:#ea580c'>▲</span> {escape(t('city.legend_event', lang))}</span>"
    )
    return (
        f"<div data-testid='city-legend' style='font-size:13px;line-height:1.9'>"
        f"<div><b>{escape(t('city.legend', lang))}</b>: {swatches}</div>"
        f"<div><b>{escape(t('city.legend_sensor', lang))}</b>: {kinds}</div>"
        f"<div>{marks}</div></div>"
    )


# --- the page -------------------------------------------------------------------------------


class MapPage:
    """The map, its summary strip and the selected grid's events, refreshed every 10 s."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language) -> None:
        self.platform, self.actor, self.lang = platform, actor, lang
        self.selected: str | None = None
        self.events: list[CityEvent] = []
        self.token = session.stored_token()

    def render(self) -> None:
        """Draw the page and start the timer."""
        lang = self.lang
        page_title(t("nav.city_map", lang))
        ui.label(t("city.live", lang).format(seconds=int(REFRESH_SECONDS))).classes(
            "text-sm text-gray-600"
        )
        with ui.row().classes("gap-4"):
            self.counts = {
                "open": count_card(t("city.open_events", lang), "warning", name="city-open"),
                "overdue": count_card(t("city.overdue", lang), "alarm", name="city-overdue"),
                "sensors": count_card(t("city.sensors_reporting", lang), "sensors",
                                      name="city-sensors"),
                "alarms": count_card(t("city.alarms_hour", lang), "campaign", name="city-alarms"),
            }  # fmt: skip
        with ui.row().classes("w-full gap-6 items-start no-wrap"):
            with ui.column().classes("grow gap-2").style("max-width: 960px"):
                self.svg = (
                    ui.html("", sanitize=False).classes("w-full").props("data-testid=city-map")
                )
                self.svg.on("click", self._clicked, js_handler=CLICK_JS)
                ui.html(legend_html(lang), sanitize=False)
            with ui.column().classes("min-w-96 gap-2").props("data-testid=city-grid-panel"):
                self.panel_title = ui.label(t("city.pick_grid", lang)).classes("font-medium")
                self.link_box = ui.row()
                self.table = data_table(lang, QUEUE_COLUMNS[:1] + QUEUE_COLUMNS[3:4]
                                        + QUEUE_COLUMNS[6:9], [], row_key="id")  # fmt: skip
                self.table.props("data-testid=city-grid-events")
                self.table.add_slot("body-cell-sla", SLA_SLOT)
                self.table.on(
                    "rowClick", lambda e: ui.navigate.to(f"/city/events/{e.args[1]['id']}")
                )
        self.refresh()
        ui.timer(REFRESH_SECONDS, self.tick, immediate=False)

    def tick(self) -> None:
        """The timer: re-check the session, then redraw."""
        try:
            actor = session.resolve(self.platform.auth, self.token)
        except LingangError as exc:
            ui.notify(exc.message, type="negative")
            return
        if actor is None:
            ui.navigate.to(session.LOGIN_PATH)
            return
        self.actor = actor
        self.refresh()

    def refresh(self) -> None:
        """Re-read grids, events and sensors, and redraw the map, the strip and the panel."""
        city, actor = self.platform.city, self.actor
        try:
            geojson = city.grids_geojson(actor=actor)
            self.events = city.queue(actor=actor, limit=EVENT_LIMIT)
            alarmed = {e.sensor_id for e in self.events if e.sensor_id}
            sensors = city.sensor_markers(actor=actor, alarmed=sorted(alarmed), limit=SENSOR_LIMIT)
            figures = city.situation(actor=actor, open_events=self.events)
        except LingangError as exc:
            ui.notify(exc.message, type="negative")
            return
        self.svg.content = svg_map(geojson, sensors, alarmed, self.events, self.lang,
                                   self.selected)  # fmt: skip
        self.counts["open"].text = str(figures.open_events)
        self.counts["overdue"].text = str(figures.overdue)
        self.counts["sensors"].text = f"{figures.sensors_reporting} / {figures.sensors_total}"
        self.counts["alarms"].text = str(figures.alarms_last_hour)
        self._panel()

    def _clicked(self, event: events.GenericEventArguments) -> None:
        value = event.args[0] if isinstance(event.args, list) and event.args else event.args
        kind, _, key = str(value or "").partition(":")
        if kind == "event" and key.isdigit():
            ui.navigate.to(f"/city/events/{key}")
        elif kind == "grid" and key in self.platform.city.grids.grids:
            self.selected = key
            self.refresh()

    def _panel(self) -> None:
        if self.selected is None:
            return
        grid = self.platform.city.grids.get(self.selected)
        self.panel_title.text = t("city.grid_events", self.lang).format(
            grid=f"{grid.id} {grid.name(self.lang)}"
        )
        self.link_box.clear()
        with self.link_box:
            ui.link(t("city.in_queue", self.lang), f"{CITY_EVENTS.path}?grid={grid.id}").props(
                "data-testid=city-grid-queue"
            )
        mine = [e for e in self.events if e.grid_id == self.selected]
        self.table.rows = [event_row(self.platform, e, self.lang) for e in mine]
