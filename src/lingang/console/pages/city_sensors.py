"""一网统管 sensors (感知设备): the registry by kind — how many report, how many are silent
(nothing heard for an hour) or low on battery — the sensors that need a visit, and the dead
letters (malformed messages, with the field at fault and the reason), which city operators may
purge. Everything through ``platform.sensors``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Final

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.city.sensors.service import SensorService, SensorState
from lingang.console.components.nav import CITY_SENSORS
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.city_map import KIND_LABELS
from lingang.console.pages.guard import console_page
from lingang.console.pages.permits_common import guarded
from lingang.types import Actor, utcnow

SILENT_AFTER: Final = dt.timedelta(hours=1)
LOW_BATTERY: Final = 20.0
"""Battery percentage below which a sensor needs a visit."""
ATTENTION_LIMIT: Final = 200
PURGE_DAYS: Final = 30
KIND_COLUMNS = (("kind", "city.col.kind"), ("count", "city.col.count"),
                ("silent", "city.col.silent"), ("low_battery", "city.col.low_battery"))  # fmt: skip
SENSOR_COLUMNS = (("id", "col.id"), ("kind", "city.col.kind"), ("grid", "city.col.grid"),
                  ("value", "city.col.last_value"), ("seen", "city.col.last_seen"),
                  ("battery", "city.col.battery"), ("why", "city.col.why"))  # fmt: skip
LETTER_COLUMNS = (("received", "city.col.received"), ("topic", "city.col.topic"),
                  ("field", "city.col.field"), ("reason", "city.col.reason"),
                  ("payload", "city.col.payload"))  # fmt: skip


def register(platform: Platform) -> None:
    """Register ``/city/sensors``."""

    @console_page(platform, CITY_SENSORS)
    def sensors(actor: Actor, lang: Language) -> None:
        page_title(t("nav.city_sensors", lang))
        body = ui.column().classes("w-full gap-6")

        def draw() -> None:
            body.clear()
            with body:
                render(platform.sensors, actor, lang, on_purge=draw)

        draw()


def render(service: SensorService, actor: Actor, lang: Language, *,
           on_purge: Callable[[], None]) -> None:  # fmt: skip
    """The registry summary, the sensors that need a visit and the dead letters."""
    found = guarded(lambda: service.sensors(actor=actor))
    if found is None:
        return
    now = utcnow()
    ui.label(t("city.sensors_by_kind", lang)).classes("text-lg font-medium")
    data_table(lang, KIND_COLUMNS, kind_rows(found, now, lang), row_key="kind").props(
        "data-testid=city-sensor-kinds"
    )
    ui.label(t("city.sensors_attention", lang)).classes("text-lg font-medium")
    data_table(lang, SENSOR_COLUMNS, attention_rows(found, now, lang), row_key="id").props(
        "data-testid=city-sensor-attention"
    )
    _dead_letters(service, actor, lang, on_purge)


def kind_rows(sensors: Sequence[SensorState], now: dt.datetime, lang: Language
              ) -> list[dict[str, Any]]:  # fmt: skip
    """Per kind: registered, silent for an hour, low on battery."""
    total, silent, low = Counter[str](), Counter[str](), Counter[str]()
    for sensor in sensors:
        total[sensor.kind] += 1
        silent[sensor.kind] += _silent(sensor, now)
        low[sensor.kind] += _low(sensor)
    return [{"kind": _kind(kind, lang), "count": n, "silent": silent[kind],
             "low_battery": low[kind]} for kind, n in sorted(total.items())]  # fmt: skip


def attention_rows(sensors: Sequence[SensorState], now: dt.datetime, lang: Language
                   ) -> list[dict[str, Any]]:  # fmt: skip
    """Sensors silent for an hour or low on battery, the longest silent first."""
    needing = [s for s in sensors if _silent(s, now) or _low(s)]
    needing.sort(key=lambda s: s.read_at)
    return [{
        "id": s.id, "kind": _kind(s.kind, lang), "grid": s.grid or "—",
        "value": f"{s.value:g} {s.unit}", "seen": s.read_at.isoformat(timespec="minutes"),
        "battery": "—" if s.battery is None else f"{s.battery:g}%",
        "why": " · ".join(t(key, lang) for key, hit in
                          (("city.silent", _silent(s, now)), ("city.low_battery", _low(s))) if hit),
    } for s in needing[:ATTENTION_LIMIT]]  # fmt: skip


def _dead_letters(service: SensorService, actor: Actor, lang: Language,
                  on_purge: Callable[[], None]) -> None:  # fmt: skip
    counts = guarded(lambda: service.dead_letter_counts(actor=actor)) or {}
    letters = guarded(lambda: service.dead_letters(actor=actor, limit=50)) or []
    ui.label(t("city.dead_letters", lang)).classes("text-lg font-medium")
    summary = ", ".join(f"{field}: {n}" for field, n in sorted(counts.items()))
    ui.label(summary or t("city.no_dead_letters", lang)).props("data-testid=city-dead-counts")
    rows = [{"id": x.id, "received": x.received_at.isoformat(timespec="seconds"),
             "topic": x.topic, "field": x.field, "reason": x.reason,
             "payload": x.payload_text()[0][:80]} for x in letters]  # fmt: skip
    data_table(lang, LETTER_COLUMNS, rows, row_key="id").props("data-testid=city-dead-letters")
    if can(actor.role, Permission.HANDLE_CITY) and counts:

        def purge() -> None:
            done = guarded(lambda: service.purge_dead_letters(
                actor=actor, older_than_days=PURGE_DAYS))  # fmt: skip
            if done is not None:
                ui.notify(t("city.purged", lang).format(count=done), type="positive")
                on_purge()

        ui.button(t("city.purge", lang).format(days=PURGE_DAYS), on_click=purge).props(
            "outline data-testid=city-dead-purge"
        )


def _silent(sensor: SensorState, now: dt.datetime) -> bool:
    return now - sensor.read_at > SILENT_AFTER


def _low(sensor: SensorState) -> bool:
    return sensor.battery is not None and sensor.battery < LOW_BATTERY


def _kind(kind: str, lang: Language) -> str:
    labels = KIND_LABELS.get(kind)
    return kind if labels is None else labels[0 if lang == "zh-CN" else 1]
