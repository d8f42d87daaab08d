"""Plan tracking pages (规划指标监测): the indicator dashboard (``/plan``: a grid coloured by
status, filtered by year, area and department), an indicator's chart (``/plan/{id}``: the
observed values, the path required to reach the target, the target line and the forecast)
and the evaluations (``/plan/evaluations/{annual|midterm|final}``) with their PDF."""

from __future__ import annotations

from typing import Any, Final

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.bootstrap import Platform
from lingang.console.components.nav import PLAN
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.errors import Invalid, LingangError
from lingang.plan.evaluation import Evaluation, EvaluationItem, EvaluationKind
from lingang.plan.model import AREA_LABELS, Progress, ProgressStatus, area_label
from lingang.plan.service import ObservationDraft, Series
from lingang.types import Actor

MIDTERM_YEAR: Final = 2023
ALL: Final = ""
ITEM_COLUMNS = (
    ("name", "col.indicator"),
    ("target", "col.target"),
    ("latest", "col.latest"),
    ("status", "col.status"),
    ("ratio", "col.ratio"),
    ("forecast", "col.forecast"),
)


def register(platform: Platform) -> None:
    """Register ``/plan``, ``/plan/evaluations/{kind}`` and ``/plan/{id}`` (in that order:
    the evaluations path must be matched before an indicator id)."""

    @console_page(platform, PLAN)
    def dashboard(actor: Actor, lang: Language) -> None:
        page_title(t("plan.title", lang))
        PlanDashboard(platform, actor, lang).render()

    @console_detail_page(platform, PLAN, "/plan/evaluations/{item_id}", text_id=True)
    def evaluation(actor: Actor, lang: Language, kind: str) -> None:
        report = platform.plan.evaluation(kind, actor=actor)
        show_evaluation(platform, actor, lang, report)

    @console_detail_page(platform, PLAN, "/plan/{item_id}", text_id=True)
    def indicator(actor: Actor, lang: Language, indicator_id: str) -> None:
        show_indicator(platform.plan.series(indicator_id, actor=actor), lang)
        if can(actor.role, Permission.MANAGE_PLAN):
            observation_form(platform, actor, lang, indicator_id)


class PlanDashboard:
    """The grid of indicators with its filters."""

    def __init__(self, platform: Platform, actor: Actor, lang: Language) -> None:
        self.platform, self.actor, self.lang = platform, actor, lang

    def render(self) -> None:
        """Draw the filters, the status counts, the evaluation links and the grid."""
        lang = self.lang
        this_year = self.platform.plan.this_year()
        years = {y: str(y) for y in range(2021, max(this_year, 2025) + 1)}
        areas = {ALL: t("plan.all_areas", lang)} | {a: area_label(a, lang) for a in AREA_LABELS}
        found = self.platform.plan.indicators(actor=self.actor)
        departments = {ALL: t("plan.all_departments", lang)} | {
            d: d for d in sorted({i.department for i in found})
        }
        with ui.row().classes("items-center gap-4"):
            year = ui.select(years, value=min(MIDTERM_YEAR, this_year), label=t("col.year", lang))
            area = ui.select(areas, value=ALL, label=t("col.area", lang)).classes("w-48")
            department = ui.select(departments, value=ALL, label=t("col.department", lang))
            department.classes("w-48")
            for kind in EvaluationKind:
                ui.link(
                    kind.label(lang if lang == "en" else "zh"), f"/plan/evaluations/{kind.value}"
                ).classes("text-blue-800")
        counts = ui.row().classes("gap-2").props("data-testid=plan-counts")
        grid = ui.element("div").classes("grid grid-cols-4 gap-3 w-full")
        grid.props("data-testid=plan-grid")

        def refresh() -> None:
            chosen = self.platform.plan.progress(
                int(year.value),
                actor=self.actor,
                area=area.value or None,
                department=department.value or None,
            )
            names = {i.id: i for i in found}
            counts.clear()
            with counts:
                for status in ProgressStatus:
                    n = sum(1 for p in chosen if p.status is status)
                    ui.badge(f"{status.label(_lang(lang))} {n}").style(
                        f"background: {status.colour}"
                    ).props(f"data-testid=count-{status.value}")
            grid.clear()
            with grid:
                for item in chosen:
                    self._card(item, names[item.indicator_id].name_zh)

        for control in (year, area, department):
            control.on_value_change(lambda _: refresh())
        refresh()

    def _card(self, item: Progress, name: str) -> None:
        colour = item.status.colour
        latest = "—" if item.observed is None else f"{item.observed:,.4g}"
        with (
            ui.card()
            .classes("cursor-pointer p-3")
            .style(f"border-left: 6px solid {colour}")
            .props(f"data-testid=indicator-{item.indicator_id}")
            .on("click", lambda: ui.navigate.to(f"/plan/{item.indicator_id}"))
        ):
            ui.label(name).classes("font-medium")
            ui.label(f"{item.status.label(_lang(self.lang))} · {latest}").style(f"color: {colour}")


def show_indicator(series: Series, lang: Language) -> None:
    """One indicator: its facts, the chart with the target line, its observations."""
    indicator, status = series.indicator, series.progress.status
    ui.link(t("plan.back", lang), "/plan").classes("text-blue-800")
    page_title(indicator.name_zh)
    ui.label(
        f"{area_label(indicator.area, _lang(lang))} · {indicator.department} · "
        f"{t('col.target', lang)} {indicator.target_text()}（{indicator.target_year}）"
    ).classes("text-gray-700")
    ui.label(f"{status.label(_lang(lang))}：{series.progress.explanation}").style(
        f"color: {status.colour}"
    ).props("data-testid=indicator-status")
    if indicator.quote:
        ui.label(f"「{indicator.quote}」").classes("text-gray-500 italic")
    ui.echart(indicator_chart(series, lang)).classes("w-full h-80").props(
        "data-testid=indicator-chart"
    )
    rows = [
        {
            "id": i,
            "year": o.year,
            "value": f"{o.value:,.6g}",
            "source": o.source,
            "by": o.entered_by,
            "at": local_time(o.entered_at),
            "note": t("plan.replaces", lang).format(id=o.replaces) if o.replaces else "",
        }
        for i, o in enumerate(series.observations)
    ]
    columns = (
        ("year", "col.year"),
        ("value", "col.value_plain"),
        ("source", "col.source"),
        ("by", "col.actor"),
        ("at", "col.time"),
        ("note", "col.note"),
    )
    data_table(lang, columns, rows, row_key="id").props("data-testid=indicator-observations")


def observation_form(platform: Platform, actor: Actor, lang: Language, indicator_id: str) -> None:
    """Record a value (planners and administrators): year, optional quarter, value, source.
    The service checks the unit and year; a second value for the same period must be a
    correction, which the API and the CLI make."""
    ui.label(t("plan.add_value", lang)).classes("text-lg font-medium mt-4")
    with ui.row().classes("items-end gap-2").props("data-testid=observation-form"):
        year = ui.number(t("col.year", lang), format="%d").classes("w-28")
        year.props("data-testid=observation-year")
        quarter = ui.select(
            {0: t("plan.whole_year", lang), 1: "Q1", 2: "Q2", 3: "Q3", 4: "Q4"},
            value=0,
            label=t("plan.quarter", lang),
        ).classes("w-32")
        value = ui.number(t("col.value_plain", lang)).classes("w-40")
        value.props("data-testid=observation-value")
        source = ui.input(t("col.source", lang)).classes("w-72")
        source.props("data-testid=observation-source")

        def save() -> None:
            try:
                if year.value is None or value.value is None:
                    raise Invalid("value", "give the year and the value")
                draft = ObservationDraft(
                    indicator_id,
                    int(year.value),
                    float(value.value),
                    source.value or "",
                    quarter=int(quarter.value) or None,
                )
                platform.plan.add_observation(draft, actor=actor)
            except LingangError as exc:
                ui.notify(exc.message, type="negative", multi_line=True)
                return
            ui.navigate.reload()

        ui.button(t("action.save", lang), on_click=save).props("data-testid=observation-save")


def indicator_chart(series: Series, lang: Language) -> dict[str, Any]:
    """Observed values, the required path (dashed), the target as a line, the forecast."""
    indicator = series.indicator
    first = min([*series.values, *series.required, indicator.target_year - 5])
    years = list(range(first, indicator.target_year + 1))
    forecast = series.forecast
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {
            "top": 0,
            "data": [t("plan.observed", lang), t("plan.required", lang), t("plan.forecast", lang)],
        },
        "grid": {"left": 60, "right": 40, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": [str(y) for y in years]},
        "yAxis": {"type": "value", "scale": True},
        "series": [
            {
                "name": t("plan.observed", lang),
                "type": "line",
                "data": [series.values.get(y) for y in years],
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"color": "#b2182b"},
                    "data": [{"yAxis": indicator.target, "name": t("col.target", lang)}],
                },
            },
            {
                "name": t("plan.required", lang),
                "type": "line",
                "lineStyle": {"type": "dashed"},
                "data": [series.required.get(y) for y in years],
            },
            {
                "name": t("plan.forecast", lang),
                "type": "scatter",
                "data": [forecast.value if y == forecast.year else None for y in years],
            },
        ],
    }


def show_evaluation(platform: Platform, actor: Actor, lang: Language, report: Evaluation) -> None:
    """An evaluation: counts, the at-risk list, every area, and the PDF download."""
    ui.link(t("plan.back", lang), "/plan").classes("text-blue-800")
    page_title(report.title_zh if lang != "en" else report.title_en)

    def download() -> None:
        try:
            pdf = platform.plan.evaluation_pdf(report.kind, report.year, actor=actor)
        except LingangError as exc:
            ui.notify(exc.message, type="negative", multi_line=True)
            return
        ui.download.content(pdf, f"plan-{report.kind.value}-{report.year}.pdf", "application/pdf")

    ui.button(t("plan.pdf", lang), icon="picture_as_pdf", on_click=download).props(
        "outline dense data-testid=evaluation-pdf"
    )
    with ui.row().classes("gap-2"):
        for status in ProgressStatus:
            ui.badge(f"{status.label(_lang(lang))} {report.counts.get(status, 0)}").style(
                f"background: {status.colour}"
            )
    ui.label(t("plan.at_risk", lang)).classes("text-lg font-medium mt-4")
    data_table(
        lang, ITEM_COLUMNS, [_item_row(i, lang) for i in report.at_risk], row_key="id"
    ).props("data-testid=evaluation-at-risk")
    for area in report.areas:
        ui.label(area.label_en if lang == "en" else area.label_zh).classes(
            "text-lg font-medium mt-4"
        )
        data_table(lang, ITEM_COLUMNS, [_item_row(i, lang) for i in area.items], row_key="id")


def _item_row(item: EvaluationItem, lang: Language) -> dict[str, object]:
    progress, indicator, forecast = item.progress, item.indicator, item.forecast
    outlook = "—"
    if forecast is not None and forecast.value is not None:
        outlook = f"{forecast.value:,.4g}"
        if forecast.low is not None and forecast.high is not None:
            outlook += f" ({forecast.low:,.4g}–{forecast.high:,.4g})"
    return {
        "id": indicator.id,
        "name": indicator.name_zh,
        "target": indicator.target_text(),
        "latest": "—" if progress.observed is None else f"{progress.observed:,.4g}",
        "status": progress.status.label(_lang(lang)),
        "ratio": "—" if progress.ratio is None else f"{progress.ratio:.2f}",
        "forecast": outlook,
    }


def _lang(lang: Language) -> str:
    """The plan model's language codes: ``zh`` or ``en``."""
    return "en" if lang == "en" else "zh"
