"""一网统管 KPIs (运行指标): volume by category (a bar chart), the on-time rate (反馈 within the
time limit), the callback satisfaction rate, escalations, repeat locations and the plan's
digital-governance scenarios (数字化城市治理应用场景, 三(六): at least 30) counted per category
top class — all as ``CityService.kpis`` returns them, over a chosen period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.city.model import EventState, Kpis
from lingang.console.components.nav import CITY_KPIS
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.city_events import category_label, grid_label, state_label
from lingang.console.pages.guard import console_page
from lingang.console.pages.permits_common import guarded
from lingang.types import Actor, utcnow

PERIODS: Final = (0, 7, 30, 90)
"""The periods offered, in days (0: all time)."""
SCENARIO_COLUMNS = (("code", "col.id"), ("name", "city.col.scenario"), ("count", "city.col.events"))
REPEAT_COLUMNS = (
    ("location", "city.col.location"), ("grid", "city.col.grid"), ("count", "city.col.count"),
    ("categories", "city.col.categories"), ("ids", "city.col.ids"),
)  # fmt: skip
STATE_COLUMNS = (("state", "col.state"), ("count", "city.col.count"))


def register(platform: Platform) -> None:
    """Register ``/city/kpis``."""

    @console_page(platform, CITY_KPIS)
    def kpis(actor: Actor, lang: Language) -> None:
        page_title(t("nav.city_kpis", lang))
        options = {
            days: t("city.since_days", lang).format(days=days)
            if days
            else t("city.since_all", lang)
            for days in PERIODS
        }
        period = ui.select(options, value=0, label=t("city.since", lang)).classes("w-48")
        period.props("data-testid=city-kpi-period")
        body = ui.column().classes("w-full gap-6")

        def draw() -> None:
            days = int(period.value or 0)
            since = utcnow() - dt.timedelta(days=days) if days else None
            found = guarded(lambda: platform.city.kpis(actor=actor, since=since))
            body.clear()
            if found is not None:
                with body:
                    render_kpis(platform, found, lang)

        period.on_value_change(lambda _: draw())
        draw()


def rate_text(rate: float | None, lang: Language) -> str:
    """A rate as a percentage, or a dash when there is nothing to rate yet."""
    return t("city.rate_none", lang) if rate is None else f"{rate:.1%}"


def render_kpis(platform: Platform, kpis: Kpis, lang: Language) -> None:
    """The figures, the chart and the tables of one :class:`Kpis`."""
    with ui.row().classes("gap-4"):
        _figure(t("city.total", lang), str(kpis.total), "total")
        _figure(t("city.open_events", lang), str(kpis.open), "open")
        _figure(t("city.on_time", lang), f"{rate_text(kpis.on_time_rate, lang)} "
                f"({kpis.handled})", "on-time")  # fmt: skip
        _figure(t("city.satisfaction_rate", lang), f"{rate_text(kpis.satisfaction_rate, lang)} "
                f"({kpis.callbacks})", "satisfaction")  # fmt: skip
        _figure(t("city.escalated", lang), str(kpis.escalated), "escalated")
    ui.label(t("city.by_category", lang)).classes("text-lg font-medium")
    bars = min(len(kpis.by_category), MAX_BARS)
    ui.echart(category_chart(platform, kpis, lang)).classes("w-full").style(
        f"height: {max(160, 22 * bars + 50)}px"  # every category gets a readable row
    ).props("data-testid=city-kpi-categories")
    _scenarios(platform, kpis, lang)
    _repeats(platform, kpis, lang)
    ui.label(t("city.by_state", lang)).classes("text-lg font-medium")
    rows = [{"state": state_label(EventState(s), lang), "count": n}
            for s, n in kpis.by_state.items() if s in EventState.__members__.values()]  # fmt: skip
    data_table(lang, STATE_COLUMNS, rows, row_key="state").props("data-testid=city-kpi-states")


MAX_BARS = 25
"""The most categories the volume chart shows (the largest)."""


def category_chart(platform: Platform, kpis: Kpis, lang: Language) -> dict[str, Any]:
    """An ECharts horizontal bar chart of the events per category, largest on top."""
    items = list(kpis.by_category.items())[:MAX_BARS][::-1]
    names = [category_label(platform, code if code != "unfiled" else None, lang)
             if code != "unfiled" else ("未立案" if lang == "zh-CN" else "Not filed")
             for code, _ in items]  # fmt: skip
    return {
        "grid": {"left": 180, "right": 30, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0}},
        "tooltip": {"trigger": "axis"},
        "series": [{"type": "bar", "data": [n for _, n in items], "itemStyle": {"color": "#1e40af"},
                    "label": {"show": True, "position": "right"}}],
    }  # fmt: skip


def _figure(label: str, value: str, name: str) -> None:
    with ui.card().classes("w-52 items-start gap-1"):
        ui.label(label).classes("text-sm text-gray-600")
        ui.label(value).classes("text-2xl font-semibold").props(f"data-testid=city-kpi-{name}")


def _scenarios(platform: Platform, kpis: Kpis, lang: Language) -> None:
    ui.label(t("city.scenarios", lang)).classes("text-lg font-medium")
    ui.label(t("city.scenarios_covered", lang).format(
        count=len(kpis.scenarios), target=kpis.scenario_target)).props(
        "data-testid=city-kpi-scenario-count")  # fmt: skip
    tops = {f"{top.kind.letter}{top.code}": top for top in platform.city.categories.top_classes()}
    rows = [{"code": code, "count": n,
             "name": f"{tops[code].kind.label(lang)} · {tops[code].label(lang)}"
             if code in tops else code}
            for code, n in kpis.scenarios.items()]  # fmt: skip
    data_table(lang, SCENARIO_COLUMNS, rows, row_key="code").props("data-testid=city-kpi-scenarios")


def _repeats(platform: Platform, kpis: Kpis, lang: Language) -> None:
    ui.label(t("city.repeats", lang)).classes("text-lg font-medium")
    if not kpis.repeat_locations:
        ui.label(t("city.no_repeats", lang)).classes("text-gray-600")
        return
    rows = [
        {"n": n, "location": f"{r.lat:.5f}, {r.lon:.5f}", "count": r.count,
         "grid": grid_label(platform, r.grid_id, lang), "categories": "、".join(r.categories),
         "ids": ", ".join(str(i) for i in r.event_ids[:12])}
        for n, r in enumerate(kpis.repeat_locations)
    ]  # fmt: skip
    data_table(lang, REPEAT_COLUMNS, rows, row_key="n").props("data-testid=city-kpi-repeats")
