"""Back-test a rule-set version over a date range of the lake, and chart what it would have done.

The run takes seconds, so it goes through ``run.io_bound`` with a spinner; the page shows
alerts per day, hits per rule, each scenario's precision and recall against the simulator's
ground truth (— where unknown), the overlap between rules, and threshold tuning.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nicegui import run, ui

from lingang.bootstrap import Platform
from lingang.console.components.nav import BACKTEST
from lingang.console.components.table import data_table, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.console.pages.rulesets import compact, status_label
from lingang.errors import Invalid, LingangError
from lingang.risk.backtest import BacktestReport, ScenarioStats, Tuning
from lingang.risk.rulesets.service import RuleSetVersion
from lingang.types import Actor

REVIEW_COLOUR = "#f59e0b"
HOLD_COLOUR = "#dc2626"
DEFAULT_DAYS = 365
SCENARIO_COLUMNS = (
    ("scenario", "col.scenario"),
    ("dataset", "col.dataset"),
    ("rows", "col.rows"),
    ("review", "outcome.review"),
    ("hold", "outcome.hold"),
    ("truth_rows", "col.truth_rows"),
    ("precision", "col.precision"),
    ("recall", "col.recall"),
)
TUNING_COLUMNS = (
    ("dataset", "col.dataset"),
    ("capacity", "col.capacity"),
    ("threshold", "col.threshold"),
    ("alerts", "col.alerts"),
    ("alert_rate", "col.alert_rate"),
    ("true_alerts", "col.true_alerts"),
    ("precision", "col.precision"),
)


def register(platform: Platform) -> None:
    """Register ``/risk/backtest`` (``?version=N`` preselects a version)."""

    @console_page(platform, BACKTEST)
    def backtest(actor: Actor, lang: Language) -> None:
        versions = platform.rulesets.list_versions(actor=actor)
        page_title(t("backtest.title", lang))
        ui.label(t("backtest.hint", lang)).classes("text-gray-600")
        last = last_declaration_day(platform, actor)
        with ui.row().classes("items-end gap-4"):
            picker = ui.select(
                version_options(versions, lang),
                value=default_version(versions, requested_version()),
                label=t("backtest.version", lang),
            ).classes("w-64")
            picker.props("data-testid=backtest-version")
            start = ui.input(
                t("rules.start", lang),
                value=(last - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            )
            end = ui.input(t("rules.end", lang), value=last.isoformat())
            capacity = ui.number(t("backtest.capacity", lang), min=0, max=100).classes("w-52")
            button = ui.button(t("backtest.run", lang), icon="play_arrow").props("no-caps")
            spinner = ui.spinner(size="lg")
            spinner.set_visibility(False)
        results = ui.column().classes("w-full gap-4").props("data-testid=backtest-results")

        async def start_run() -> None:
            button.disable()
            spinner.set_visibility(True)
            try:
                report = await run.io_bound(
                    run_backtest,
                    platform,
                    actor,
                    picker.value,
                    start.value,
                    end.value,
                    capacity.value,
                )
            except LingangError as exc:
                ui.notify(exc.message, type="negative", multi_line=True)
                return
            finally:
                button.enable()
                spinner.set_visibility(False)
            if report is not None:
                results.clear()
                with results:
                    show_report(report, lang)

        button.on_click(start_run)


def run_backtest(
    platform: Platform,
    actor: Actor,
    version: Any,
    start: str | None,
    end: str | None,
    capacity_percent: float | None,
) -> BacktestReport:
    """Read the form's values and call the risk service (off the event loop)."""
    capacity = capacity_percent / 100 if capacity_percent else None
    return platform.risk.backtest(
        actor=actor,
        start=parse_date("start", start),
        end=parse_date("end", end),
        version=int(version) if version is not None else None,
        capacity=capacity,
    )


def parse_date(field: str, value: str | None) -> dt.date:
    """A form date; ``Invalid`` names the field otherwise."""
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise Invalid(field, "a date as YYYY-MM-DD") from exc


def last_declaration_day(platform: Platform, actor: Actor) -> dt.date:
    """The newest day of declarations in the lake (today on an empty lake)."""
    try:
        datasets = platform.lake.list_datasets(actor=actor)
    except LingangError:
        datasets = []
    for stats in datasets:
        if stats.name == "declarations" and stats.stored.last_day:
            return stats.stored.last_day
    return dt.date.today()  # noqa: DTZ011  # a default for an empty lake, shown to the user


def requested_version() -> int | None:
    """The ``?version=`` of the page's address, when it is a number."""
    raw = ui.context.client.request.query_params.get("version", "")
    return int(raw) if raw.isdigit() else None


def version_options(versions: list[RuleSetVersion], lang: Language) -> dict[int, str]:
    """Every version, newest first, named with its status."""
    return {v.version: f"v{v.version} · {status_label(v.status, lang)}" for v in versions}


def default_version(versions: list[RuleSetVersion], requested: int | None) -> int | None:
    """The requested version if it exists, else the published one."""
    numbers = {v.version for v in versions}
    if requested in numbers:
        return requested
    return next((v.version for v in versions if v.status == "published"), None)


# --- the report -------------------------------------------------------------------------------


def show_report(report: BacktestReport, lang: Language) -> None:
    """Summary, charts and tables of one back-test."""
    _summary(report, lang)
    with ui.row().classes("w-full gap-4 no-wrap"):
        _card(t("backtest.per_day", lang), day_chart(report, lang), "backtest-days", "w-3/5")
        _card(t("backtest.per_rule", lang), rule_chart(report, lang), "backtest-rules", "w-2/5")
    ui.label(t("backtest.scenarios", lang)).classes("text-lg font-semibold")
    rows = [scenario_row(s) for s in report.scenarios]
    compact(data_table(lang, SCENARIO_COLUMNS, rows, row_key="scenario")).props(
        "data-testid=backtest-scenarios"
    )
    if report.overlap:
        _card(t("backtest.overlap", lang), overlap_chart(report), "backtest-overlap", "w-full")
    ui.label(t("backtest.tuning", lang)).classes("text-lg font-semibold")
    if not report.tuning:
        ui.label(t("backtest.no_tuning", lang)).classes("text-gray-500")
        return
    rows = [tuning_row(x) for x in report.tuning]
    compact(data_table(lang, TUNING_COLUMNS, rows, row_key="dataset"))


def _summary(report: BacktestReport, lang: Language) -> None:
    with ui.card().classes("w-full").props("data-testid=backtest-summary"):
        ui.label(
            t("backtest.summary", lang).format(
                version=report.version,
                start=report.start.isoformat(),
                end=report.end.isoformat(),
                seconds=f"{report.seconds:.1f}",
            )
        ).classes("font-medium")
        with ui.row().classes("gap-6"):
            for dataset, rows in report.rows.items():
                ui.label(t("backtest.rows", lang).format(dataset=dataset, rows=f"{rows:,}"))
        if not report.truth:
            ui.label(t("backtest.no_truth", lang)).classes("text-gray-500")


def _card(title: str, options: dict[str, Any], test_id: str, width: str) -> None:
    with ui.card().classes(width).props(f"data-testid={test_id}"):
        ui.label(title).classes("text-lg font-semibold")
        ui.echart(options).classes("w-full h-80")


def day_chart(report: BacktestReport, lang: Language) -> dict[str, Any]:
    """Review and hold alerts per day, stacked."""
    days = [d.day.isoformat() for d in report.days]
    review, hold = t("outcome.review", lang), t("outcome.hold", lang)
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [review, hold]},
        "xAxis": {"type": "category", "data": days, "boundaryGap": False},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": review,
                "type": "line",
                "stack": "alerts",
                "areaStyle": {},
                "showSymbol": False,
                "color": REVIEW_COLOUR,
                "data": [d.review for d in report.days],
            },
            {
                "name": hold,
                "type": "line",
                "stack": "alerts",
                "areaStyle": {},
                "showSymbol": False,
                "color": HOLD_COLOUR,
                "data": [d.hold for d in report.days],
            },
        ],
    }


def rule_chart(report: BacktestReport, lang: Language) -> dict[str, Any]:
    """Hits per rule, most hits first."""
    rules = sorted(report.rules, key=lambda r: -r.hits)
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": [r.rule for r in rules],
            "axisLabel": {"interval": 0, "rotate": 45},
        },
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": t("backtest.hits", lang),
                "type": "bar",
                "color": "#1e3a8a",
                "data": [r.hits for r in rules],
            }
        ],
    }


def overlap_chart(report: BacktestReport) -> dict[str, Any]:
    """Rows hit by both rules, for every pair of rules that hit anything."""
    names = sorted(report.overlap)
    cells = [
        [i, j, report.overlap[a].get(b, 0)]
        for i, a in enumerate(names)
        for j, b in enumerate(names)
    ]
    top = max((c[2] for c in cells), default=0)
    return {
        "tooltip": {"position": "top"},
        "grid": {"top": 10, "bottom": 60, "left": 60},
        "xAxis": {"type": "category", "data": names, "splitArea": {"show": True}},
        "yAxis": {"type": "category", "data": names, "splitArea": {"show": True}},
        "visualMap": {
            "min": 0,
            "max": max(top, 1),
            "calculable": True,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
        },
        "series": [{"type": "heatmap", "data": cells, "label": {"show": True}}],
    }


def share(value: float | None) -> str:
    """A share as a percentage, or — when it is unknown."""
    return "—" if value is None else f"{value:.1%}"


def known(value: int | None) -> str:
    """A count, or — when it is unknown."""
    return "—" if value is None else f"{value:,}"


def scenario_row(stats: ScenarioStats) -> dict[str, object]:
    """One scenario's alerts and detection."""
    return {
        "scenario": stats.scenario,
        "dataset": stats.dataset,
        "rows": f"{stats.rows:,}",
        "review": stats.review,
        "hold": stats.hold,
        "truth_rows": known(stats.truth_rows),
        "precision": share(stats.precision),
        "recall": share(stats.recall),
    }


def tuning_row(tuning: Tuning) -> dict[str, object]:
    """One dataset's tuned review threshold."""
    return {
        "dataset": tuning.dataset,
        "capacity": f"{tuning.capacity:.1%}",
        "threshold": f"{tuning.threshold:g}",
        "alerts": f"{tuning.alerts:,}",
        "alert_rate": f"{tuning.alert_rate:.2%}",
        "true_alerts": known(tuning.true_alerts),
        "precision": share(tuning.precision),
    }
